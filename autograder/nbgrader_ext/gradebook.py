"""Sandboxed scores into nbgrader's gradebook, where a student's kernel cannot forge them.

``nbgrader autograde`` runs the hidden test cells in the student's own kernel, so code
in the notebook can change what they report. ``sync`` grades the same ``submitted/``
folder with the kit's sandboxed grader and writes each test's points into the gradebook
as that grade cell's automatic score, so formgrader, ``generate_feedback`` and
``export`` show grades no kernel can forge (an instructor's manual score still wins, as
in nbgrader). It names every submission for which nbgrader's own autograde had given
more than the sandbox did.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.errors import KitError
from autograder.grading import grade
from autograder.results import SubmissionResult


@dataclass(frozen=True)
class Change:
    """One submission whose gradebook score the sync replaced."""

    student: str
    before: float  # nbgrader's own automatic score, summed over the graded tests
    after: float  # the sandboxed grader's

    @property
    def nbgrader_gave_more(self) -> bool:
        return self.before > self.after + 1e-9


@dataclass
class SyncReport:
    results: list[SubmissionResult]
    changes: list[Change]
    not_autograded: list[str]  # submitted, but nbgrader has no grades for them yet


def sync(
    course: Path, assignment: str, jobs: int | None = None, unsafe: bool = False
) -> SyncReport:
    """Grade ``course/submitted`` in the sandbox and write the scores into the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    database = course / "gradebook.db"
    if not database.is_file():
        raise KitError(f"{database}: no gradebook; run `nbgrader autograde {assignment}` first")
    submitted = course / "submitted"
    if not submitted.is_dir():
        raise KitError(f"{submitted}: no submitted/ folder in the course")
    results = grade([submitted], assignment, jobs, unsafe=unsafe)
    report = SyncReport(results, [], [])
    with Gradebook(f"sqlite:///{database}") as gradebook:
        for result in results:
            notebook = Path(result.notebook).stem
            try:
                grades = [
                    gradebook.find_grade(test.id, notebook, assignment, result.student)
                    for test in result.tests
                ]
            except MissingEntry:
                report.not_autograded.append(result.student)
                continue
            before = sum(g.auto_score or 0.0 for g in grades)
            for cell, test in zip(grades, result.tests, strict=True):
                cell.auto_score = test.score
            gradebook.db.commit()
            report.changes.append(Change(result.student, before, result.score))
    return report
