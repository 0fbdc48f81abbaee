"""What probes share: the request type, finding student names, plain outputs, in-process runs.

A probe is trusted harness code that calls student objects. The sandbox runs it in a
child process; nbgrader's hidden test cells run it in the student's own kernel.
"""

from __future__ import annotations

import traceback

from autograder.inside.probing import MissingDefinition, plain, resolve, student
from autograder.sandbox.models import ProbeOutcome, ProbeRequest

__all__ = ["MissingDefinition", "plain", "resolve", "student"]


def traceback_without_kit_frames(error: BaseException) -> str:
    """The exception with only the frames of student code (not the kit, numpy or solutions)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _is_kit_frame(f.filename)]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def _is_kit_frame(filename: str) -> bool:
    return (
        "/autograder/" in filename or "site-packages" in filename or filename.startswith("<frozen")
    )


def run_in_process(namespace: dict, requests: list[ProbeRequest]) -> dict[str, ProbeOutcome]:
    """Run every probe here, on ``namespace`` (the nbgrader path; no isolation)."""
    outcomes: dict[str, ProbeOutcome] = {}
    for request in requests:
        try:
            value = resolve(request.function)(namespace, request.inputs)
            outcomes[request.name] = ProbeOutcome(request.name, "ok", value, None, "")
        except Exception as err:
            error = traceback_without_kit_frames(err)
            outcomes[request.name] = ProbeOutcome(request.name, "error", None, error, "")
    return outcomes
