"""Grade a batch: load notebooks, run them in the sandbox, check, build results."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.checking import (
    ProbedSubmission,
    Verdict,
    assignment_package,
    probe_timeouts,
    run_checks,
)
from autograder.config import course_config, graded_tests
from autograder.errors import KitError
from autograder.feedback_text import notebook_summary, test_output
from autograder.late import LatePolicy, lateness, policy_from, read_timestamp
from autograder.paths import course_root
from autograder.probing import ProbeRequest
from autograder.results import UNREADABLE, SubmissionResult, TestResult
from autograder.sandbox import Isolation, Limits, SandboxPool, SandboxRun, choose
from autograder.submission import Submission, find_submissions, load_submission

if TYPE_CHECKING:  # the course's config module, loaded by autograder.config
    from course_config import CourseConfig, TestSpec

Progress = Callable[[int, int], None]


def limits_from(config: CourseConfig) -> Limits:
    """The sandbox limits the course configures."""
    return Limits(
        cell_timeout=config.cell_timeout,
        probe_timeout=config.probe_timeout,
        memory_mb=config.memory_limit_mb,
        output_chars=config.feedback_chars,
        submission_timeout=config.submission_timeout,
        max_processes=config.max_processes,
        scratch_mb=config.scratch_mb,
    )


def run_all(
    submissions: list[Submission],
    requests: list[ProbeRequest],
    jobs: int,
    config: CourseConfig,
    progress: Progress,
    level: Isolation,
) -> list[SandboxRun | None]:
    """Each readable submission's sandbox run (``None`` for unreadable ones), in order."""
    done = 0

    def one(pool: SandboxPool, sub: Submission) -> SandboxRun | None:
        nonlocal done
        run = None if sub.problem else pool.run(list(sub.cells), requests)
        done += 1
        progress(done, len(submissions))
        return run

    pool = SandboxPool(jobs, limits_from(config), level, config.sandbox_uid)
    with pool, ThreadPoolExecutor(jobs) as threads:
        return list(threads.map(lambda sub: one(pool, sub), submissions))


def to_result(
    sub: Submission,
    run: SandboxRun | None,
    verdicts: dict[str, Verdict],
    specs: Iterable[TestSpec],
    config: CourseConfig,
    level: Isolation,
    policy: LatePolicy | None = None,
    reveal_details: bool = False,
) -> SubmissionResult:
    """The results of one submission: a verdict per configured test, scored, and its
    late penalty under ``policy``."""
    tests = []
    for spec in specs:
        verdict = verdicts.get(spec.id) or Verdict(False, sub.problem or "Not graded.", UNREADABLE)
        tests.append(
            TestResult(
                id=spec.id,
                piece=spec.piece,
                title=spec.title,
                score=float(spec.points) if verdict.passed else 0.0,
                max_score=float(spec.points),
                output=sub.relabel(test_output(verdict, config.feedback_chars, reveal_details)),
                diagnosis=verdict.diagnosis,
                internal_error=verdict.internal,
            )
        )
    raw_score = sum(t.score for t in tests)
    late = None
    if policy and policy.due:  # timestamp.txt is read only when there is a due date
        late = lateness(read_timestamp(sub.path), policy, raw_score)
    return SubmissionResult(
        student=sub.student,
        notebook=str(sub.path),
        tests=tests,
        output=notebook_summary(sub, run, config.feedback_chars),
        execution_time=run.seconds if run else 0.0,
        error=sub.problem,
        isolation=level.value,
        late=late,
    )


def past_due(policy: LatePolicy | None) -> bool:
    """Whether the due date is known and has passed (then feedback may say more)."""
    return bool(policy and policy.due and datetime.now(UTC) > policy.due)


def chosen(found: list[tuple[str, Path]], students: Sequence[str]) -> list[tuple[str, Path]]:
    """The ``(student, notebook)`` pairs of ``students`` (all when none are named)."""
    if not students:
        return found
    missing = sorted(set(students) - {student for student, _ in found})
    if missing:
        raise KitError(f"no submission found for student {', '.join(missing)}")
    return [(student, path) for student, path in found if student in students]


def grade(
    paths: list[Path],
    assignment: str,
    jobs: int | None = None,
    progress: Progress = lambda *_: None,
    config: CourseConfig | None = None,
    students: Sequence[str] = (),
    due: str | None = None,
    unsafe: bool = False,
    reveal_details: bool = False,
) -> list[SubmissionResult]:
    """Grade every submission found under ``paths``; one result per student, sorted.

    ``config`` defaults to course_config.py's settings; ``students`` limits grading to
    those students; ``due`` (ISO-8601) overrides the configured due date. Student code
    runs at the best isolation level the config allows here; ``unsafe`` (the
    instructor's explicit flag) runs it without any. SandboxError when no level is
    available and not ``unsafe``. ``reveal_details``: feedback also gives the exact fix
    lines and the hidden training run's figures; they are revealed anyway once the due
    date (``due``, the config's or the gradebook's) has passed, and never before.
    """
    config = config or course_config()
    level = choose(config.isolation, unsafe)
    specs = graded_tests(assignment)
    policy = policy_from(config, assignment, course_root(), due)
    reveal_details = reveal_details or past_due(policy)
    found = chosen(find_submissions(paths), students)
    requests = assignment_package(assignment).probe_requests(config)
    submissions = [load_submission(student, path) for student, path in found]
    runs = run_all(submissions, requests, jobs or config.jobs, config, progress, level)
    timeouts = probe_timeouts(requests, config.probe_timeout)
    probed = [
        ProbedSubmission(sub.student, run.probes, timeouts)
        for sub, run in zip(submissions, runs, strict=True)
        if run is not None
    ]
    verdicts = run_checks(assignment, probed, config, [s.id for s in specs])
    return [
        to_result(
            sub, run, verdicts.get(sub.student, {}), specs, config, level, policy, reveal_details
        )
        for sub, run in zip(submissions, runs, strict=True)
    ]
