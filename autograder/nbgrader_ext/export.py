"""An nbgrader export plugin: grades.csv with a column per test, not only totals."""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin


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
        with open(dest, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["assignment", "student_id", "score", "max_score", *tests])
            for row in rows:
                points = [f"{row['tests'].get(test, 0.0):g}" for test in tests]
                writer.writerow(
                    [
                        row["assignment"],
                        row["student"],
                        f"{row['score']:g}",
                        f"{row['max_score']:g}",
                        *points,
                    ]
                )
        self.log.info("Exported grades with a column per test to %s", dest)

    def _rows(self, gradebook: Gradebook, assignment) -> list[dict]:
        rows = []
        for student in gradebook.students:
            if self.student and student.id not in self.student:
                continue
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                rows.append(
                    dict(
                        assignment=assignment.name,
                        student=student.id,
                        score=0.0,
                        max_score=assignment.max_score,
                        tests={},
                    )
                )
                continue
            tests = {  # 0-point cells are visible checks, not tests
                grade.name: grade.score
                for nb in submission.notebooks
                for grade in nb.grades
                if grade.cell.cell_type == "code" and grade.max_score > 0
            }
            rows.append(
                dict(
                    assignment=assignment.name,
                    student=student.id,
                    score=submission.score,
                    max_score=submission.max_score,
                    tests=tests,
                )
            )
        return rows
