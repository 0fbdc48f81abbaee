"""The instructor's report of a graded folder: ``DIR/report.html`` from ``DIR/*/results.json``.

Only the results.json files that ``grade`` wrote are read. A file that is not a valid
results file is listed on the page instead of stopping the report; a folder with none
at all is a ``KitError``.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.errors import KitError
from autograder.reports.schema import schema_problem
from autograder.results import PASSED, UNREADABLE, UNREADABLE_SUMMARY

RUN_PROBLEMS = {  # test tags that mean the code did not run to the end, and how to say it
    "timeout": "timed out",
    "crashed": "crashed",
    "internal error": "grader error",
}
NOT_A_MISTAKE = {UNREADABLE}  # tags every test of an unreadable notebook carries
EXAMPLES = 3


@dataclass(frozen=True)
class Graded:
    """One student's results.json."""

    student: str
    results: dict[str, Any]

    @property
    def tests(self) -> list[dict[str, Any]]:
        return self.results["tests"]

    @property
    def score(self) -> float:
        return float(self.results["score"])

    @property
    def max_score(self) -> float:
        return float(self.results.get("max_score", sum(t["max_score"] for t in self.tests)))

    @property
    def seconds(self) -> float:
        return float(self.results.get("execution_time", 0.0))

    @property
    def unreadable(self) -> bool:
        return str(self.results.get("output", "")).startswith(UNREADABLE_SUMMARY)


@dataclass
class Cohort:
    """Every results.json of a graded folder, and the files that could not be read."""

    folder: Path
    graded: list[Graded] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


def problem_in(results: Any) -> str | None:
    """Why ``results`` is not a results file the report can use, or None.

    It must follow results.json's schema, and have the tests, names and points the
    report counts (all optional in Gradescope's format).
    """
    problem = schema_problem(results)
    if problem:
        return problem
    if "score" not in results:
        return "no 'score'"
    if "tests" not in results:
        return "no 'tests' list"
    if not all(
        all(key in test for key in ("name", "score", "max_score")) for test in results["tests"]
    ):
        return "a test without a name, score and max_score"
    return None


def read_cohort(folder: Path) -> Cohort:
    """Every ``folder/<student>/results.json``; a ``KitError`` when there is none."""
    if not folder.is_dir():
        raise KitError(f"{folder}: no such folder (give the --out folder of `grade`)")
    files = sorted(folder.glob("*/results.json"))
    if not files:
        raise KitError(
            f"{folder}: no <student>/results.json in it; grade first with "
            f"`python -m autograder grade PATH --out {folder}`"
        )
    cohort = Cohort(folder)
    for path in files:
        name = path.relative_to(folder).as_posix()
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as err:
            cohort.broken.append((name, f"not readable JSON ({err})"))
            continue
        problem = problem_in(results)
        if problem:
            cohort.broken.append((name, problem))
        else:
            cohort.graded.append(Graded(path.parent.name, results))
    return cohort


@dataclass(frozen=True)
class TestRate:
    """How one test went across the cohort."""

    __test__ = False  # not a pytest test class

    key: str
    name: str
    passed: int
    total: int
    mean_points: float
    max_points: float

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def passed(test: dict[str, Any]) -> bool:
    return test.get("status", "") == PASSED or test["score"] >= test["max_score"]


def pass_rates(cohort: Cohort) -> list[TestRate]:
    """One ``TestRate`` per graded test, in the order the tests first appear."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for graded in cohort.graded:
        for test in graded.tests:
            if test["max_score"] > 0:
                by_key.setdefault(str(test.get("number") or test["name"]), []).append(test)
    return [
        TestRate(
            key,
            tests[0]["name"],
            sum(passed(t) for t in tests),
            len(tests),
            statistics.fmean(t["score"] for t in tests),
            max(t["max_score"] for t in tests),
        )
        for key, tests in by_key.items()
    ]


def diagnoses(cohort: Cohort) -> list[tuple[str, list[str]]]:
    """``(tag, students)`` for each diagnosis, most common first; each student once."""
    students: dict[str, list[str]] = {}
    for graded in cohort.graded:
        tags = {tag for test in graded.tests for tag in test.get("tags", [])} - NOT_A_MISTAKE
        for tag in tags:
            students.setdefault(tag, []).append(graded.student)
    return sorted(students.items(), key=lambda item: (-len(item[1]), item[0]))


def run_problems(cohort: Cohort) -> list[tuple[str, str, str]]:
    """``(student, problem, detail)`` for unreadable notebooks and code that did not finish."""
    rows = []
    for graded in cohort.graded:
        if graded.unreadable:
            rows.append((graded.student, UNREADABLE, str(graded.results.get("output", ""))))
            continue
        for tag, problem in RUN_PROBLEMS.items():
            names = [t["name"] for t in graded.tests if tag in t.get("tags", [])]
            if names:
                rows.append((graded.student, problem, "; ".join(names)))
    return rows


def late_submissions(cohort: Cohort) -> list[tuple[str, float, float]]:
    """``(student, hours late, penalty)`` for every submission that came in late."""
    rows = []
    for graded in cohort.graded:
        extra = graded.results.get("extra_data")
        late = extra.get("late") if isinstance(extra, dict) else None
        if not isinstance(late, dict):
            continue
        hours, penalty = late.get("hours_late"), late.get("penalty", 0.0)
        if isinstance(hours, (int, float)) and isinstance(penalty, (int, float)) and hours > 0:
            rows.append((graded.student, float(hours), float(penalty)))
    return rows


def times(cohort: Cohort) -> dict[str, Any]:
    """Total, median and longest execution time, and whose was longest."""
    seconds = [g.seconds for g in cohort.graded]
    slowest = max(cohort.graded, key=lambda g: g.seconds, default=None)
    return {
        "total": sum(seconds),
        "median": statistics.median(seconds) if seconds else 0.0,
        "max": slowest.seconds if slowest else 0.0,
        "slowest": slowest.student if slowest else "",
    }


def usual_max_score(cohort: Cohort) -> float:
    """The max score most submissions have (they all do, unless the config changed)."""
    counts = Counter(g.max_score for g in cohort.graded)
    return counts.most_common(1)[0][0] if counts else 0.0
