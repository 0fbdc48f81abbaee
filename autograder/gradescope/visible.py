"""What a student sees on Gradescope before the due date.

The graded tests keep ``"visibility": "after_due_date"``: their scores, outputs and
diagnoses wait for the deadline (and Gradescope then also hides the total). This
transform of ``SubmissionResult.to_dict()`` adds what may be shown at once: the notebook
summary as the top-level output, and one 0-point visible test per graded piece saying
whether that piece ran on the hidden inputs, never whether it was right.
"""

from __future__ import annotations

import copy
from typing import Any

from autograder.results import FAILED, PASSED, UNREADABLE

# Diagnoses (test tags) meaning the piece's code did not run to the end, worded for the
# student. Every other tag is about a wrong answer, which stays hidden until the due date.
DID_NOT_RUN = {
    UNREADABLE: "could not run: your notebook could not be read",
    "missing definition": "could not run: a name it needs is not defined in your notebook",
    "not implemented": "is not implemented yet (it still raises NotImplementedError)",
    "exception": "raised an exception on the hidden inputs",
    "timeout": "did not finish within the time limit (an endless loop?)",
    "crashed": "stopped the Python process",
    "internal error": "could not be checked because of a grader problem (not your fault)",
}
RAN = "ran on the hidden inputs without an exception or a timeout"
VISIBLE_NOTE = (
    "The tests below marked 0 points say only whether each piece ran. Your score and "
    "what each hidden check found are shown after the due date."
)


def piece_of(test: dict[str, Any]) -> str:
    """The graded piece a test checks: its name up to the first colon."""
    return str(test["name"]).split(":", 1)[0]


def pieces(tests: list[dict[str, Any]]) -> list[str]:
    """The graded pieces in the order their tests come, each once."""
    return list(dict.fromkeys(piece_of(test) for test in tests))


def why_not_run(tests: list[dict[str, Any]]) -> str | None:
    """The first reason, in ``DID_NOT_RUN`` order, why a piece's code did not run."""
    tags = {tag for test in tests for tag in test.get("tags", [])}
    return next((text for tag, text in DID_NOT_RUN.items() if tag in tags), None)


def ran_test(number: int, piece: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    """The visible 0-point test of one piece: did it run, with no score or hidden value."""
    problem = why_not_run(tests)
    return {
        "name": f"{piece}: ran on the hidden inputs",
        "name_format": "text",
        "number": f"0.{number}",
        "score": 0.0,
        "max_score": 0.0,
        "status": FAILED if problem else PASSED,
        "output": f"{piece} {problem or RAN}.",
        "output_format": "text",
        "visibility": "visible",
    }


def for_gradescope(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` (a ``SubmissionResult.to_dict()``) with the visible-at-once parts added."""
    out = copy.deepcopy(result)
    tests = out.get("tests", [])
    ran = [
        ran_test(number, piece, [t for t in tests if piece_of(t) == piece])
        for number, piece in enumerate(pieces(tests), start=1)
    ]
    out["tests"] = ran + tests
    out["visibility"] = "visible"
    if "max_score" in out:  # not a top-level field of Gradescope's format
        out.setdefault("extra_data", {})["max_score"] = out.pop("max_score")
    out["output"] = f"{out.get('output', '').rstrip()}\n\n{VISIBLE_NOTE}".lstrip()
    return out
