"""The one results model: what grading found, in Gradescope's autograder schema.

``SubmissionResult.to_dict()`` is the content of ``results.json``; the CSV and the
feedback page are written from the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from autograder.late import Lateness

TestStatus = Literal["passed", "failed"]
PASSED: TestStatus = "passed"
FAILED: TestStatus = "failed"
UNREADABLE = "unreadable"  # the diagnosis of every test of a notebook that could not be read
UNREADABLE_SUMMARY = "Your notebook could not be graded"  # how that notebook's summary begins
NOT_GRADED = "Your submission could not be graded"  # how a failed grading's output begins


def results_json(
    score: float,
    execution_time: float,
    output: str,
    tests: list[dict[str, Any]],
    max_score: float | None = None,
) -> dict[str, Any]:
    """The top level of a results.json (Gradescope's format), in its one field order.

    ``max_score``: the kit's own top-level field, written by ``grade`` when known.
    """
    out: dict[str, Any] = {"score": score}
    if max_score is not None:
        out["max_score"] = max_score
    out |= {
        "execution_time": round(execution_time, 3),
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return out


def not_graded(reason: str, execution_time: float) -> dict[str, Any]:
    """A results.json for a submission that could not be graded: score 0 and why."""
    return results_json(0.0, execution_time, f"{NOT_GRADED}: {reason.rstrip('.')}.", [])


@dataclass(frozen=True)
class TestResult:
    """One graded test of one submission."""

    __test__ = False  # not a pytest test class

    id: str
    piece: str
    title: str
    score: float
    max_score: float
    output: str = ""
    diagnosis: str | None = None
    visibility: str = "after_due_date"
    internal_error: str | None = None  # the check's traceback (a kit bug); never in to_dict

    @property
    def name(self) -> str:
        """The Gradescope test name: the graded piece first, then what was checked."""
        return f"{self.piece}: {self.title} [{self.id}]"

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    @property
    def status(self) -> TestStatus:
        return PASSED if self.passed else FAILED

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "name_format": "text",
            "number": self.id,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "output": self.output,
            "output_format": "text",
            "visibility": self.visibility,
        }
        if self.diagnosis:
            out["tags"] = [self.diagnosis]
        return out


@dataclass
class SubmissionResult:
    """Everything grading found for one student; a crash is a result too."""

    student: str
    notebook: str
    tests: list[TestResult] = field(default_factory=list)
    output: str = ""
    execution_time: float = 0.0
    error: str | None = None
    isolation: str = "none"  # the sandbox's isolation level (sandbox.isolation.Isolation)
    late: Lateness | None = None  # None: no due date, or no submission time recorded

    @property
    def raw_score(self) -> float:
        """The points the tests gave, before any late penalty."""
        return round(sum(t.score for t in self.tests), 6)

    @property
    def penalty(self) -> float:
        return self.late.penalty if self.late else 0.0

    @property
    def score(self) -> float:
        """The final score: the tests' points less the late penalty."""
        return round(self.raw_score - self.penalty, 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def summary(self) -> str:
        """The notebook summary, with the submission time and late penalty when known."""
        if self.late is None:
            return self.output
        return f"{self.output.rstrip()}\n\n{self.late.describe()}".lstrip()

    def to_dict(self) -> dict[str, Any]:
        out = results_json(
            self.score,
            self.execution_time,
            self.summary(),
            [t.to_dict() for t in self.tests],
            self.max_score,
        )
        out["extra_data"] = {"isolation": self.isolation}
        if self.late is not None:
            late = {"raw_score": self.raw_score, **self.late.to_dict()}
            out["extra_data"] = {"late": late}
        return out
