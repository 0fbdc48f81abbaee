"""Student-facing text: the notebook summary and each test's output, kept short."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autograder.checking import Verdict
from autograder.inside.capture import truncate_text
from autograder.inside.contract import CellStatus
from autograder.results import UNREADABLE_SUMMARY
from autograder.submission import Submission

if TYPE_CHECKING:
    from autograder.sandbox import SandboxRun

CELL_PROBLEMS: dict[CellStatus, str] = {  # how a cell that did not run cleanly ended
    "error": "raised an error",
    "timeout": "did not finish within the time limit and was stopped",
    "crashed": "stopped the Python process",
}


def test_output(verdict: Verdict, limit: int, reveal_details: bool = False) -> str:  # noqa: PT028 (not a test)
    """What a test says to the student.

    ``reveal_details``: also show the verdict's details (the exact fix line, figures of the
    hidden training run). The caller decides, e.g. only after the due date; by default
    feedback names what is wrong and where to look, not the line that fixes it.
    """
    if verdict.passed:
        return "Passed."
    text = verdict.message
    if reveal_details and verdict.details:
        text = f"{text}\n\n{verdict.details}"
    return truncate_text(text, limit)


def opening(source: str, width: int = 40) -> str:
    """The first non-empty line of a cell, shortened, so a student can find the cell."""
    line = next((line.strip() for line in source.splitlines() if line.strip()), "empty cell")
    return line if len(line) <= width else line[: width - 1] + "…"


def last_line(text: str | None) -> str:
    """The last non-empty line of a traceback: the exception and its message."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def notebook_summary(sub: Submission, run: SandboxRun | None, limit: int) -> str:
    """How the notebook itself ran: unreadable, clean, or which cells had problems."""
    if sub.problem or run is None:
        return f"{UNREADABLE_SUMMARY}: {sub.problem}. Every test scores 0."
    problems = [
        f"- {sub.label(cell.index)} ({opening(sub.cells[cell.index - 1])}): "
        f"{CELL_PROBLEMS[cell.status]}" + (f": {last_line(cell.error)}" if cell.error else "")
        for cell in run.cells
        if cell.status in CELL_PROBLEMS
    ]
    if not problems:
        return f"The {len(run.cells)} code cells grading runs all ran without errors."
    head = f"{len(problems)} of the {len(run.cells)} code cells grading runs had a problem:"
    return truncate_text("\n".join([head, *problems]), limit)
