"""The one results model: what grading found, in Gradescope's autograder schema.

``SubmissionResult.to_dict()`` is the content of ``results.json``; the CSV and the
feedback page are written from the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASSED, FAILED = "passed", "failed"


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

    @property
    def name(self) -> str:
        """The Gradescope test name: the graded piece first, then what was checked."""
        return f"{self.piece}: {self.title} [{self.id}]"

    @property
    def status(self) -> str:
        return PASSED if self.score >= self.max_score else FAILED

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

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "output_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [t.to_dict() for t in self.tests],
            "extra_data": {"isolation": self.isolation},
        }
