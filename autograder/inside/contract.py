"""What the grader and a sandbox exchange: probe requests, step statuses, probe outcomes.

Grading decides which probes run and judges their outcomes; the sandbox (or a fork of
nbgrader's kernel) only carries them out. Both sides import these types from here, the
one package below both, so neither depends on the other. Grading code names them
through ``autograder.probing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

CellStatus = Literal["ok", "error", "timeout", "crashed", "skipped"]
ProbeStatus = Literal["ok", "error", "timeout", "crashed"]
CELL_STATUSES: tuple[CellStatus, ...] = get_args(CellStatus)
PROBE_STATUSES: tuple[ProbeStatus, ...] = get_args(ProbeStatus)


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
            raise ValueError(
                f"ProbeRequest.function must be 'package.module:function', got {self.function!r}"
            )
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"ProbeRequest.timeout must be positive, got {self.timeout!r}")


@dataclass
class ProbeOutcome:
    """How one probe ended.

    status: "ok" | "error" | "timeout" | "crashed".
    value: the plain data the probe returned (None unless ok).
    error: the traceback restricted to student frames, or the reason it was stopped.
    output: captured stdout and stderr while the probe ran, truncated.
    """

    name: str
    status: ProbeStatus
    value: Any
    error: str | None
    output: str
