"""What goes into the sandbox and what comes out: limits, cell outcomes, the whole run.

Every outcome is plain data: a status word, captured text and, for probes, a value made
of None, bool, int, float, str, list, dict with str keys and numeric/bool numpy arrays.
A student's failure is an outcome; only a failure of the harness raises SandboxError.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.errors import KitError
from autograder.inside.contract import (
    CELL_STATUSES,
    PROBE_STATUSES,
    CellStatus,
    ProbeOutcome,
    ProbeRequest,
)
from autograder.inside.limits import Limits

# defined beside the code that uses them, inside the sandbox (the package below both sides)
__all__ = ["CELL_STATUSES", "PROBE_STATUSES", "Limits", "ProbeOutcome", "ProbeRequest"]


class SandboxError(KitError):
    """The sandbox itself could not run (never raised for anything a student did)."""


@dataclass
class CellOutcome:
    """How one notebook cell ended.

    index: 1-based position among the cells given, as in the `<cell N>` traceback label.
    status: "ok" | "error" | "timeout" | "crashed" | "skipped".
    output: captured stdout and stderr (Python- and C-level), truncated.
    error: the student's traceback text or the reason it was stopped; None when ok.
    """

    index: int
    status: CellStatus
    output: str
    error: str | None


@dataclass
class SandboxRun:
    """Everything one submission produced; `seconds` is the wall time of the run."""

    cells: list[CellOutcome]
    probes: dict[str, ProbeOutcome]
    seconds: float
