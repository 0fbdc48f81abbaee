"""One step of a submission (a cell or a probe) as the worker sees it, and its wording.

The texts written here reach students through feedback: they say what happened to their
cell or probe in plain words, and for a cell whether the notebook went on without it.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from autograder.inside.capture import OutputCapture, truncate_text
from autograder.inside.child import EXIT_HARNESS
from autograder.inside.contract import CellStatus

EXIT_GRACE = 0.5  # seconds to learn the exit code of a step's process that has ended
_SIGNAL_MEANING = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGBUS: "a bus error",
    signal.SIGABRT: "an abort in compiled code",
    signal.SIGKILL: "by os.kill() or by the system running out of memory",
    signal.SIGXCPU: "too much CPU time",
}


@dataclass
class StepResult:
    """How a step ended; `value` is the probe's value in its JSON form.

    status: a cell's (a probe is never "skipped").
    """

    status: CellStatus
    error: str | None = None
    value: Any = None
    output: str = ""


@dataclass(frozen=True)
class Step:
    """A cell or a probe; `index` is its 1-based position among the cells or the probes."""

    kind: str
    index: int
    timeout: float
    inputs: Any = field(default=None, compare=False)  # a probe's, still encoded

    @property
    def rollback_note(self) -> str:
        if self.kind == "cell":
            return " The notebook went on from the state before this cell."
        return ""

    def describe(self, reason: str) -> str:
        return f"The {self.kind} crashed: {reason}.{self.rollback_note}"

    def not_run(self, reason: str) -> StepResult:
        status: CellStatus = "skipped" if self.kind == "cell" else "crashed"
        return StepResult(status, f"Not run: {reason}.")

    def blocked_by(self, name: str) -> StepResult:
        """A probe not run because probe ``name``, whose code it calls too, timed out."""
        return StepResult(
            "timeout",
            error=f"Not run: probe {name!r} timed out, and this probe calls the same code.",
        )

    def result_from(self, frame: dict, limit: int) -> StepResult:
        """The result a step's process reported, checked and cut to `limit` characters."""
        status, error = frame.get("status"), frame.get("error")
        if status not in ("ok", "error", "crashed") or not isinstance(error, (str, type(None))):
            return StepResult("crashed", self.describe("it sent a malformed result"))
        error = None if error is None else truncate_text(error, limit)
        value = frame.get("value") if self.kind == "probe" and status == "ok" else None
        return StepResult(status, error, value)


@dataclass
class StepWatch:
    """What the worker knows about the step in flight."""

    TICK: ClassVar[float] = 0.25

    step: Step
    capture: OutputCapture
    deadline: float = field(init=False)
    next_tick: float = field(init=False)
    pid: int | None = None
    pidfd: int | None = None
    ended: bool = False
    state_dead: bool = False
    result: StepResult | None = None

    def __post_init__(self) -> None:
        now = time.monotonic()
        self.deadline = now + self.step.timeout
        self.next_tick = now + self.TICK

    def process_ended(self) -> None:
        """The step's process is gone: wait only briefly for its exit code."""
        self.ended = True
        self.deadline = min(self.deadline, time.monotonic() + EXIT_GRACE)

    def finish(self, result: StepResult) -> None:
        if self.result is None:
            self.result = result

    def crashed(self, code: int | None) -> StepResult:
        return StepResult("crashed", self.step.describe(crash_reason(code)))

    def timed_out(self) -> StepResult:
        kind = self.step.kind
        return StepResult(
            "timeout",
            f"The {kind} did not finish within "
            f"{self.step.timeout:g} s and was stopped."
            f"{self.step.rollback_note}",
        )

    def stopped(self, why: str) -> StepResult:
        return StepResult(
            "crashed", f"The {self.step.kind} was stopped: {why}.{self.step.rollback_note}"
        )


def crash_reason(code: int | None) -> str:
    """Plain words for how a process ended, from its wait status as an exit code."""
    if code is None:
        return "its process ended unexpectedly"
    if code == EXIT_HARNESS:
        return "the sandbox could not report its result (were file descriptors closed?)"
    if code >= 0:
        return f"its process exited with code {code} (os._exit() or a crash in compiled code)"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    meaning = _SIGNAL_MEANING.get(signal.Signals(-code)) if name != f"signal {-code}" else None
    return f"its process was killed by {name}" + (f" ({meaning})" if meaning else "")
