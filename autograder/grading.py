"""Grade a batch: load notebooks, run them in the sandbox, check, build results."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from autograder.checking import ProbedSubmission, Verdict, probe_timeouts, run_checks
from autograder.config import course_config, graded_tests
from autograder.feedback_text import notebook_summary, test_output
from autograder.results import SubmissionResult, TestResult
from autograder.sandbox import Limits, SandboxPool, SandboxRun
from autograder.submission import Submission, find_submissions, load_submission

Progress = Callable[[int, int], None]


def limits_from(config: Any) -> Limits:
    """The sandbox limits the course configures."""
    return Limits(
        cell_timeout=config.cell_timeout,
        probe_timeout=config.probe_timeout,
        memory_mb=config.memory_limit_mb,
        output_chars=config.feedback_chars,
    )


def run_all(
    submissions: list[Submission], requests: list, jobs: int, config: Any, progress: Progress
) -> list[SandboxRun | None]:
    """Each readable submission's sandbox run (``None`` for unreadable ones), in order."""
    done = 0

    def one(pool: SandboxPool, sub: Submission) -> SandboxRun | None:
        nonlocal done
        run = None if sub.problem else pool.run(list(sub.cells), requests)
        done += 1
        progress(done, len(submissions))
        return run

    with SandboxPool(jobs, limits_from(config)) as pool, ThreadPoolExecutor(jobs) as threads:
        return list(threads.map(lambda sub: one(pool, sub), submissions))


def to_result(
    sub: Submission,
    run: SandboxRun | None,
    verdicts: dict[str, Verdict],
    specs: Iterable,
    config: Any,
    reveal_details: bool = False,
) -> SubmissionResult:
    """The results of one submission: a verdict per configured test, scored."""
    tests = []
    for spec in specs:
        verdict = verdicts.get(spec.id) or Verdict(
            False, sub.problem or "Not graded.", "unreadable"
        )
        tests.append(
            TestResult(
                id=spec.id,
                piece=spec.piece,
                title=spec.title,
                score=float(spec.points) if verdict.passed else 0.0,
                max_score=float(spec.points),
                output=sub.relabel(test_output(verdict, config.feedback_chars, reveal_details)),
                diagnosis=verdict.diagnosis,
            )
        )
    return SubmissionResult(
        student=sub.student,
        notebook=str(sub.path),
        tests=tests,
        output=notebook_summary(sub, run, config.feedback_chars),
        execution_time=run.seconds if run else 0.0,
        error=sub.problem,
    )


def grade(
    paths: list[Path],
    assignment: str,
    jobs: int | None = None,
    progress: Progress = lambda done, total: None,
    config: Any = None,
    reveal_details: bool = False,
) -> list[SubmissionResult]:
    """Grade every submission found under ``paths``; one result per student, sorted.

    ``config`` defaults to course_config.py's settings. ``reveal_details``: feedback also
    gives the exact fix lines and the hidden training run's figures (the caller decides,
    e.g. after the due date); by default it does not.
    """
    config = config or course_config()
    specs = graded_tests(assignment)
    requests = importlib.import_module(f"autograder.{assignment}").probe_requests(config)
    submissions = [load_submission(student, path) for student, path in find_submissions(paths)]
    runs = run_all(submissions, requests, jobs or config.jobs, config, progress)
    timeouts = probe_timeouts(requests, config.probe_timeout)
    probed = [
        ProbedSubmission(sub.student, run.probes, timeouts)
        for sub, run in zip(submissions, runs, strict=True)
        if run is not None
    ]
    verdicts = run_checks(assignment, probed, config, [s.id for s in specs])
    return [
        to_result(sub, run, verdicts.get(sub.student, {}), specs, config, reveal_details)
        for sub, run in zip(submissions, runs, strict=True)
    ]
