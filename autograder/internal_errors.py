"""Hidden checks that broke (kit bugs): found in a batch's results, logged for the instructor.

A check that raises anything but ``CheckFailed`` is a bug in the kit, not the student's:
that test scores 0 with a neutral message, and its traceback goes to
``DIR/internal_errors.log`` (never into results.json or feedback, since a traceback may
quote hidden inputs). The CLI names the count and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.errors import KitError
from autograder.results import SubmissionResult

LOG_FILE = "internal_errors.log"


@dataclass(frozen=True)
class InternalError:
    """One hidden check that broke on one submission."""

    student: str
    test: str
    traceback: str

    def entry(self) -> str:
        return f"== {self.student}: {self.test}\n{self.traceback}\n"


def internal_errors(results: list[SubmissionResult]) -> list[InternalError]:
    """Every broken check of the batch, by student and test."""
    return [
        InternalError(result.student, test.id, test.internal_error)
        for result in results
        for test in result.tests
        if test.internal_error
    ]


def write_log(errors: list[InternalError], out: Path, merge: bool = False) -> Path | None:
    """Write the tracebacks to ``out/internal_errors.log``; the log's path, or None.

    A full grading replaces the log (and removes a stale one when nothing broke); a
    regrade (``merge``) adds its errors to it.
    """
    path = out / LOG_FILE
    try:
        if not errors:
            if not merge:
                path.unlink(missing_ok=True)
            return None
        with path.open("a" if merge else "w", encoding="utf-8") as log:
            log.writelines(error.entry() for error in errors)
    except OSError as err:
        raise KitError(f"{path}: cannot write the internal error log ({err.strerror})") from err
    return path
