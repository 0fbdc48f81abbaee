"""Write every output of a graded batch into one folder, or merge a regrade into it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from autograder.errors import KitError
from autograder.reports.feedback_page import feedback_html
from autograder.results import SubmissionResult

TOTALS = ["student", "score", "max_score", "raw_score", "hours_late", "late_submission_penalty"]
GRADES_FILE = "grades.csv"


def header(results: list[SubmissionResult]) -> list[str]:
    """grades.csv's columns: the totals (as nbgrader's export names them), then test ids."""
    return [*TOTALS, *(t.id for t in results[0].tests)] if results else list(TOTALS)


def csv_row(result: SubmissionResult) -> list[str]:
    """One student's row: final score, max, raw score, hours late, penalty, test points."""
    late = result.late
    return [
        result.student,
        f"{result.score:g}",
        f"{result.max_score:g}",
        f"{result.raw_score:g}",
        f"{late.hours_late:g}" if late else "",
        f"{result.penalty:g}",
        *(f"{t.score:g}" for t in result.tests),
    ]


def read_rows(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """The header and ``{student: row}`` of an existing grades.csv."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            head, *rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise KitError(f"{path}: cannot read the grades to merge into ({err})") from err
    if head[:1] != ["student"]:
        raise KitError(f"{path}: not a grades.csv written by `grade` (no student column)")
    return head, {row[0]: row for row in rows if row}


def write_csv(results: list[SubmissionResult], path: Path, merge: bool = False) -> None:
    """One row per submission: student, totals and late penalty, one column per test id.

    With ``merge``, the rows of other students already in ``path`` are kept.
    """
    head, rows = header(results), {r.student: csv_row(r) for r in results}
    if merge and path.is_file():
        old_head, old_rows = read_rows(path)
        if results and old_head != head:
            raise KitError(
                f"{path}: its columns differ from this grading's (the tests changed?); "
                "grade everyone again into a new folder"
            )
        head, rows = old_head, {**old_rows, **rows}
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(head)
        writer.writerows(rows[student] for student in sorted(rows))


def student_dir(out: Path, student: str) -> Path:
    """The folder of one student's outputs (a student id never escapes ``out``)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in student).lstrip(".") or "_"
    return out / safe


def write_all(
    results: list[SubmissionResult], out: Path, merge: bool = False, title: str = ""
) -> None:
    """grades.csv, and per student results.json and feedback.html.

    With ``merge``, other students' rows and folders in ``out`` are kept; these students'
    are replaced. ``title`` (course and assignment) heads every feedback page.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_csv(results, out / GRADES_FILE, merge)
        for result in results:
            folder = student_dir(out, result.student)
            folder.mkdir(exist_ok=True)
            text = json.dumps(result.to_dict(), indent=2, allow_nan=False)
            (folder / "results.json").write_text(text + "\n", encoding="utf-8")
            (folder / "feedback.html").write_text(feedback_html(result, title), encoding="utf-8")
    except OSError as err:
        raise KitError(f"{out}: cannot write the grading output ({err.strerror})") from err
