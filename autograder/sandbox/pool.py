"""SandboxPool: one fresh sandbox per submission, started ahead, destroyed after.

`run` takes a ready sandbox (a spare started while the previous submission ran), sends
it the cells and probes, and reads one frame per step, each with a deadline of the
step's own limit plus a grace period, and never past the submission's whole time
budget: the worker inside keeps the step deadlines; the pool notices a sandbox that
died, stopped answering or broke the protocol. Such a submission is graded once more in
a new sandbox, and if that fails too its remaining steps are reported as crashed with
the reason. A sandbox is never reused: after its submission every process it started is
killed and its files deleted.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from types import TracebackType

from autograder.inside.protocol import (
    ChannelClosed,
    ChannelTimeout,
    ProtocolError,
    decode_plain,
    encode_frame,
    encode_plain,
)
from autograder.sandbox.isolation import Isolation, choose
from autograder.sandbox.kit_view import build as build_view
from autograder.sandbox.kit_view import probe_modules
from autograder.sandbox.models import (
    CELL_STATUSES,
    PROBE_STATUSES,
    CellOutcome,
    Limits,
    ProbeOutcome,
    ProbeRequest,
    SandboxError,
    SandboxRun,
)
from autograder.sandbox.spawn import WorkerProcess, remove_later

GRACE = 15.0  # seconds a worker may take beyond a step's limit (sending, killing, cleanup)
START_TRIES = 3
LOCKS = "/tmp"  # one fixed folder, whatever TMPDIR says, so every grader sees every claim
MAX_UID_SEARCH = 1000  # how far past the configured first uid a busy machine may push us
DEFAULT_UID_BASE = 61000


class BudgetSpent(ProtocolError):
    """The submission used up its whole time budget."""


class RequestRefused(ProtocolError):
    """The sandbox refused the request before running anything (a kit problem if twice)."""


class UidClaim:
    """``count`` dedicated uids from ``base`` up that no other grader on this machine
    holds: each is claimed with an exclusive lock on a file, released at close."""

    def __init__(self, base: int, count: int) -> None:
        self.uids: list[int] = []
        self._locks: list[int] = []
        uid = base
        while len(self.uids) < count:
            if uid >= base + MAX_UID_SEARCH:
                self.release()
                raise SandboxError(f"no free dedicated uid in {base}..{uid - 1}")
            fd = os.open(
                os.path.join(LOCKS, f"autograder-uid-{uid}.lock"), os.O_RDWR | os.O_CREAT, 0o600
            )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
            else:
                self.uids.append(uid)
                self._locks.append(fd)
            uid += 1

    def release(self) -> None:
        for fd in self._locks:
            os.close(fd)
        self._locks, self.uids = [], []


class SandboxPool:
    """Up to `jobs` submissions at once, each in a sandbox of its own; `run` is thread-safe.

    level: the isolation level every sandbox gets; by default the best available
        (isolation.choose, which raises SandboxError when there is none).
    uid_base: first of the 2 * jobs dedicated uids (a running sandbox and a spare never
        share one).
    """

    def __init__(
        self,
        jobs: int,
        limits: Limits,
        level: Isolation | None = None,
        uid_base: int = DEFAULT_UID_BASE,
    ) -> None:
        if jobs < 1:
            raise ValueError(f"SandboxPool needs at least one job, got {jobs}")
        self.jobs, self.limits = jobs, limits
        self.level = level or choose("auto", unsafe=False)
        self._uid_claim = UidClaim(uid_base, 2 * jobs)
        self._free_uids = list(self._uid_claim.uids)
        self._spares: list[WorkerProcess] = []
        self._views: dict[tuple[str, ...], object] = {}
        remove_later(self, _remove_views, self._views)  # if the pool is never closed
        self._closed = False
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(jobs)
        # Spares start in one thread that lives as long as the pool: bubblewrap's
        # --die-with-parent kills a sandbox when the *thread* that started it ends, and a
        # sandbox cut off from its first bwrap process outlives its worker's death.
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spares")

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, cells: list[str], probes: list[ProbeRequest]) -> SandboxRun:
        """Run the cells in order, then each probe on the final state, in a new sandbox.

        Student failures are outcomes; SandboxError only when the harness cannot run
        (bad request, a probe module that cannot be found, a sandbox that cannot start).
        """
        request = build_request(cells, probes, self.limits)
        view = self._view(probes)
        start = time.monotonic()
        with self._slots:
            for attempt in (1, 2):
                conversation = Conversation(cells, probes, self.limits)
                worker = self._take(view)
                try:
                    conversation.run(
                        worker,
                        request,
                        start + self.limits.submission_timeout,
                        last_try=attempt == 2,
                    )
                finally:
                    self._destroy(worker)
                if conversation.failure is None:
                    break
        return SandboxRun(conversation.cells, conversation.probes, time.monotonic() - start)

    def close(self) -> None:
        """Destroy the spares and the kit views; running submissions end their own."""
        with self._lock:
            already, self._closed = self._closed, True
        if not already:  # every spare asked for has started: none outlives the pool
            self._starter.submit(lambda: None).result()
        with self._lock:
            spares, self._spares = self._spares, []
        for worker in spares:
            self._destroy(worker)
        with self._lock:
            _remove_views(self._views)
        self._starter.shutdown()
        self._uid_claim.release()

    def _view(self, probes: list[ProbeRequest]):
        modules = tuple(probe_modules(probe.function for probe in probes))
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox pool is closed")
            if modules not in self._views:
                self._views[modules] = build_view(modules)
            return self._views[modules]

    def _take(self, view) -> WorkerProcess:
        """A ready sandbox for `view`, and a spare started for the next submission."""
        with self._lock:
            spare = next((w for w in self._spares if w.view == view), None)
            if spare is not None:
                self._spares.remove(spare)
        worker = spare if spare is not None and spare.alive else self._start(view)
        try:
            worker.wait_ready()
        except SandboxError:
            self._destroy(worker)
            worker = self._start_ready(view)
        with self._lock:
            if not self._closed:
                self._starter.submit(self._add_spare, view)
        return worker

    def _start_ready(self, view) -> WorkerProcess:
        error: SandboxError | None = None
        for _ in range(START_TRIES):
            worker = self._start(view)
            try:
                worker.wait_ready()
                return worker
            except SandboxError as exc:
                self._destroy(worker)
                error = exc
        raise SandboxError(f"cannot start a sandbox: {error}")

    def _start(self, view) -> WorkerProcess:
        with self._lock:
            if not self._free_uids:
                raise SandboxError("no dedicated uid is free for a new sandbox")
            uid = self._free_uids.pop(0)
        try:
            worker = WorkerProcess(self.level, uid, view, self.limits)
        except (OSError, SandboxError) as exc:
            with self._lock:
                self._free_uids.append(uid)
            raise SandboxError(f"cannot start a sandbox: {exc}") from exc

        return worker

    def _add_spare(self, view) -> None:
        with self._lock:
            if self._closed or len(self._spares) >= self.jobs or not self._free_uids:
                return
        try:
            worker = self._start(view)
        except SandboxError:
            return
        with self._lock:
            if not self._closed:
                self._spares.append(worker)
                return
        self._destroy(worker)

    def _destroy(self, worker: WorkerProcess) -> None:
        worker.kill()
        with self._lock:
            self._free_uids.append(worker.uid)


def _remove_views(views: dict) -> None:
    for view in views.values():
        shutil.rmtree(str(view), ignore_errors=True)
    views.clear()


def build_request(cells: list[str], probes: list[ProbeRequest], limits: Limits) -> bytes:
    """The worker's request as two frames: the cells and probes, then the probes' inputs.

    The worker reads the inputs only after it has forked the process that runs the cells,
    and hands each probe its own inputs when it runs: no cell can find them in its
    memory. SandboxError for anything the caller got wrong.
    """
    if not all(isinstance(cell, str) for cell in cells):
        raise SandboxError("every cell must be Python source text (str)")
    names = [probe.name for probe in probes]
    if len(set(names)) != len(names):
        raise SandboxError(f"probe names must be unique, got {names}")
    try:
        specs = [
            {
                "name": probe.name,
                "function": probe.function,
                "timeout": probe.timeout,
                "requires": list(probe.requires),
            }
            for probe in probes
        ]
        request = {"kind": "run", "cells": list(cells), "probes": specs, "limits": asdict(limits)}
        inputs = {probe.name: encode_plain(probe.inputs) for probe in probes}
        return encode_frame(request) + encode_frame({"kind": "inputs", "inputs": inputs})
    except ProtocolError as exc:
        raise SandboxError(f"the probe inputs cannot be sent to the sandbox: {exc}") from None


class Conversation:
    """One submission's exchange with a sandbox, in the order the worker answers.

    After `run`, `failure` is None, or why the sandbox failed (its outcomes are then
    incomplete unless this was the last try).
    """

    def __init__(self, cells: list[str], probes: list[ProbeRequest], limits: Limits) -> None:
        self.limits = limits
        self.steps: list[tuple[str, int | str, float]] = [
            ("cell", index, limits.cell_timeout) for index in range(1, len(cells) + 1)
        ]
        self.steps += [
            ("probe", probe.name, probe.timeout or limits.probe_timeout) for probe in probes
        ]
        self.cells: list[CellOutcome] = []
        self.probes: dict[str, ProbeOutcome] = {}
        self.failure: str | None = None

    def run(self, worker: WorkerProcess, request: bytes, budget_end: float, last_try: bool) -> None:
        self.worker, self.budget_end = worker, budget_end
        try:
            worker.send(request, self._deadline(time.monotonic() + GRACE))
            for kind, key, timeout in self.steps:
                self._record(kind, key, self._receive(kind, key, time.monotonic() + timeout))
            self._receive("done", None, time.monotonic())
        except BudgetSpent:
            self._give_up(
                f"the notebook used up its time budget of {self.limits.submission_timeout:g} s",
                "Not run",
            )
        except ProtocolError as exc:
            self.failure = self._how(exc)
            if last_try and isinstance(exc, RequestRefused):
                raise SandboxError(f"the sandbox could not run this request: {exc}") from None
            if last_try:
                self._give_up(
                    f"the sandbox running this notebook failed twice ({self.failure})", "Crashed"
                )

    def _deadline(self, step_deadline: float) -> float:
        return min(step_deadline, self.budget_end)

    def _receive(self, kind: str, key: object, deadline: float) -> dict:
        limit = self._deadline(deadline + GRACE)
        try:
            frame = self.worker.receive(limit)
        except ChannelTimeout:
            if limit >= self.budget_end:
                raise BudgetSpent("time budget spent") from None
            raise
        if frame.get("kind") in ("harness_error", "internal_error"):
            # whatever a sandbox says costs at most its own submission, never the batch;
            # only a request refused before any step ran (twice) stops the grader
            first = not self.cells and not self.probes and frame.get("kind") == "harness_error"
            error = RequestRefused if first else ProtocolError
            raise error(f"{frame.get('kind')}: {str(frame.get('message'))[:500]}")
        if frame.get("kind") != kind or frame.get("index" if kind == "cell" else "name") != key:
            expected = "the end of the run" if kind == "done" else f"the {kind} {key!r}"
            raise ProtocolError(f"expected {expected}, got {str(frame)[:200]}")
        return frame

    def _record(self, kind: str, key: object, frame: dict) -> None:
        status, output, error = frame.get("status"), frame.get("output"), frame.get("error")
        allowed = CELL_STATUSES if kind == "cell" else PROBE_STATUSES
        if (
            status not in allowed
            or not isinstance(output, str)
            or not (error is None or isinstance(error, str))
        ):
            raise ProtocolError(f"malformed {kind} outcome: {str(frame)[:200]}")
        if kind == "cell":
            self.cells.append(CellOutcome(int(str(key)), status, output, error))
            return
        value = None
        if status == "ok":
            try:
                value = decode_plain(frame.get("value"))
            except ProtocolError as exc:
                status = "crashed"
                error = f"The probe crashed: its value is not plain data ({exc})."
        self.probes[str(key)] = ProbeOutcome(str(key), status, value, error, output)  # type: ignore[arg-type]

    def _how(self, exc: ProtocolError) -> str:
        if isinstance(exc, ChannelClosed):
            return self.worker.death()
        if isinstance(exc, ChannelTimeout):
            return "it stopped answering"
        return f"it broke the protocol: {exc}"

    def _give_up(self, reason: str, first: str) -> None:
        """Report the step in flight and every later one as not run, with `reason`."""
        done = len(self.cells) + len(self.probes)
        if done == len(self.steps):
            return
        kind, key, _ = self.steps[done]
        where = f"the probe {key!r}" if kind == "probe" else f"cell {key}"
        for index, (kind, key, _) in enumerate(self.steps[done:], start=done):
            text = f"{first} during {where}: {reason}." if index == done else f"Not run: {reason}."
            if kind == "cell":
                self.cells.append(CellOutcome(int(key), "crashed", "", text))
            else:
                self.probes[str(key)] = ProbeOutcome(str(key), "crashed", None, text, "")
