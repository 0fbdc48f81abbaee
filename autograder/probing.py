"""What probes share: the request type, finding student names, plain outputs, in-process runs.

A probe is trusted harness code that calls student objects. The sandbox runs it in a
child process; nbgrader's hidden test cells run it in the student's own kernel.
"""

from __future__ import annotations

import importlib
import traceback
from typing import Any

import numpy as np

from autograder.sandbox.models import ProbeOutcome, ProbeRequest


class MissingDefinition(NameError):
    """The notebook does not define a name the probe needs."""


def student(namespace: dict, name: str) -> Any:
    """The student's object called ``name``, or ``MissingDefinition`` naming it."""
    if name not in namespace:
        raise MissingDefinition(
            f"{name} is not defined in your notebook: run its cell, and keep its name."
        )
    return namespace[name]


def plain(value: Any) -> Any:
    """A student's return value as plain data: arrays stay arrays, the rest becomes text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        return f"<{type(value).__name__}>"
    return array


def resolve(function: str):
    """The probe function named ``"package.module:name"``."""
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(module), name)


def traceback_without_kit_frames(error: BaseException) -> str:
    """The exception with only the frames of student code (not the kit, numpy or solutions)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _is_kit_frame(f.filename)]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


KIT_PARTS = ("/autograder/", "/solutions/", "site-packages")


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
