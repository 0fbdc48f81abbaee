"""Write every output of a graded batch into one folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from autograder.errors import KitError
from autograder.reports.feedback_page import feedback_html
from autograder.results import SubmissionResult


def write_csv(results: list[SubmissionResult], path: Path) -> None:
    """One row per submission: student, score, max_score, then one column per test id."""
    ids = [t.id for t in results[0].tests] if results else []
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "score", "max_score", *ids])
        for r in results:
            writer.writerow(
                [r.student, f"{r.score:g}", f"{r.max_score:g}", *(f"{t.score:g}" for t in r.tests)]
            )


def student_dir(out: Path, student: str) -> Path:
    """The folder of one student's outputs (a student id never escapes ``out``)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in student).lstrip(".") or "_"
    return out / safe


def write_all(results: list[SubmissionResult], out: Path) -> None:
    """grades.csv, and per student results.json and feedback.html."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_csv(results, out / "grades.csv")
        for result in results:
            folder = student_dir(out, result.student)
            folder.mkdir(exist_ok=True)
            text = json.dumps(result.to_dict(), indent=2, allow_nan=False)
            (folder / "results.json").write_text(text + "\n", encoding="utf-8")
            (folder / "feedback.html").write_text(feedback_html(result), encoding="utf-8")
    except OSError as err:
        raise KitError(f"{out}: cannot write the grading output ({err.strerror})") from err
