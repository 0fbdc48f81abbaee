"""What probes share: the request type, finding student names, plain outputs, in-process runs.

A probe is trusted harness code that calls student objects. The sandbox runs it in a
child process; nbgrader's hidden test cells run it in the student's own kernel.
"""

from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ProbeRequest:
    """Call ``function`` ("package.module:name") with the student's namespace and ``inputs``."""

    name: str
    function: str
    inputs: dict = field(default_factory=dict)
    timeout: float | None = None


class MissingDefinition(NameError):
    """The notebook does not define a name the probe needs."""


@dataclass
class LiveOutcome:
    """The outcome of a probe run in this process (same fields as the sandbox's)."""

    name: str
    status: str
    value: Any = None
    error: str | None = None
    output: str = ""


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


def student_traceback(error: BaseException) -> str:
    """The exception with only the frames of student code (cells, not the kit or numpy)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _is_kit_frame(f.filename)]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


KIT_PARTS = ("/autograder/", "/solutions/", "site-packages")


def _is_kit_frame(filename: str) -> bool:
    return (
        "/autograder/" in filename or "site-packages" in filename or filename.startswith("<frozen")
    )


def run_in_process(namespace: dict, requests: list[ProbeRequest]) -> dict[str, LiveOutcome]:
    """Run every probe here, on ``namespace`` (the nbgrader path; no isolation)."""
    outcomes: dict[str, LiveOutcome] = {}
    for request in requests:
        try:
            value = resolve(request.function)(namespace, request.inputs)
            outcomes[request.name] = LiveOutcome(request.name, "ok", value)
        except MissingDefinition as err:
            outcomes[request.name] = LiveOutcome(request.name, "missing", error=str(err))
        except Exception as err:
            outcomes[request.name] = LiveOutcome(
                request.name, "error", error=student_traceback(err)
            )
    return outcomes
