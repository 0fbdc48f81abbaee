"""An nbgrader export plugin: grades.csv with a column per test, not only totals.

Its totals are the kit's grades.csv columns: ``score`` is the final score (nbgrader's
``raw_score`` less its ``late_submission_penalty``, as nbgrader's own CSV export has
it), then ``raw_score``, ``hours_late`` (blank without a due date or timestamp) and
``late_submission_penalty``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

TOTALS = ["score", "max_score", "raw_score", "hours_late", "late_submission_penalty"]


class PerTestCsvExport(ExportPlugin):
    """One row per student and assignment: totals, then the points of each test cell."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        rows = [
            row
            for assignment in gradebook.assignments
            if not self.assignment or assignment.name in self.assignment
            for row in self._rows(gradebook, assignment)
        ]
        tests = list(dict.fromkeys(test for row in rows for test in row["tests"]))
        with Path(dest).open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["assignment", "student_id", *TOTALS, *tests])
            for row in rows:
                points = [f"{row['tests'].get(test, 0.0):g}" for test in tests]
                totals = [
                    row[key] if isinstance(row[key], str) else f"{row[key]:g}" for key in TOTALS
                ]
                writer.writerow([row["assignment"], row["student"], *totals, *points])
        self.log.info("Exported grades with a column per test to %s", dest)

    def _rows(self, gradebook: Gradebook, assignment) -> list[dict]:
        rows = []
        for student in gradebook.students:
            if self.student and student.id not in self.student:
                continue
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                rows.append(self._missing(assignment, student.id))
                continue
            tests = {  # 0-point cells are visible checks, not tests
                grade.name: grade.score
                for nb in submission.notebooks
                for grade in nb.grades
                if grade.cell.cell_type == "code" and grade.max_score > 0
            }
            penalty = submission.late_submission_penalty or 0.0
            known = submission.timestamp is not None and submission.duedate is not None
            rows.append(
                dict(
                    assignment=assignment.name,
                    student=student.id,
                    score=max(0.0, submission.score - penalty),
                    max_score=submission.max_score,
                    raw_score=submission.score,
                    hours_late=round(submission.total_seconds_late / 3600, 2) if known else "",
                    late_submission_penalty=penalty,
                    tests=tests,
                )
            )
        return rows

    @staticmethod
    def _missing(assignment, student: str) -> dict:
        """A student with no submission: 0 points, as nbgrader's own export has it."""
        return dict(
            assignment=assignment.name,
            student=student,
            score=0.0,
            max_score=assignment.max_score,
            raw_score=0.0,
            hours_late="",
            late_submission_penalty=0.0,
            tests={},
        )
