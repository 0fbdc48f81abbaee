"""What goes into the sandbox and what comes out: limits, probe requests, outcomes.

Every outcome is plain data: a status word, captured text and, for probes, a value made
of None, bool, int, float, str, list, dict with str keys and numeric/bool numpy arrays.
A student's failure is an outcome; only a failure of the harness raises SandboxError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograder.errors import KitError
from autograder.inside.limits import Limits

CELL_STATUSES = ("ok", "error", "timeout", "crashed", "skipped")
PROBE_STATUSES = ("ok", "error", "timeout", "crashed")

__all__ = ["Limits"]  # defined beside the code that enforces it, inside the sandbox


class SandboxError(KitError):
    """The sandbox itself could not run (never raised for anything a student did)."""


@dataclass(frozen=True)
class ProbeRequest:
    """One call of trusted harness code on the student's final namespace.

    name: unique within one run; the key of its outcome.
    function: "package.module:function", a `fn(namespace, inputs) -> plain data`.
    inputs: plain data handed to the function.
    timeout: seconds, or None for `Limits.probe_timeout`.
    requires: names of earlier probes; if one of them timed out, this probe is not run
        (it would call the same hanging code) and reports a timeout at once.
    """

    name: str
    function: str
    inputs: dict
    timeout: float | None = None
    requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        module, _, attr = self.function.partition(":")
        if not module or not attr.isidentifier():
            raise ValueError(f"ProbeRequest.function must be 'package.module:function', "
                             f"got {self.function!r}")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"ProbeRequest.timeout must be positive, got {self.timeout!r}")


@dataclass
class CellOutcome:
    """How one notebook cell ended.

    index: 1-based position among the cells given, as in the `<cell N>` traceback label.
    status: "ok" | "error" | "timeout" | "crashed" | "skipped".
    output: captured stdout and stderr (Python- and C-level), truncated.
    error: the student's traceback text or the reason it was stopped; None when ok.
    """

    index: int
    status: str
    output: str
    error: str | None


@dataclass
class ProbeOutcome:
    """How one probe ended.

    status: "ok" | "error" | "timeout" | "crashed".
    value: the plain data the probe returned (None unless ok).
    error: the traceback restricted to student frames, or the reason it was stopped.
    output: captured stdout and stderr while the probe ran, truncated.
    """

    name: str
    status: str
    value: Any
    error: str | None
    output: str


@dataclass
class SandboxRun:
    """Everything one submission produced; `seconds` is the wall time of the run."""

    cells: list[CellOutcome]
    probes: dict[str, ProbeOutcome]
    seconds: float
