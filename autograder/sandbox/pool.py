"""SandboxPool: warm workers shared by the grader's threads, one submission at a time each.

`run` borrows a worker, sends it the cells and probes, and reads one frame per step, each
with a deadline of the step's own time limit plus a grace period: the worker keeps the
real deadlines; the pool only notices a worker that died or stopped answering. Then the
rest of the submission is reported as crashed, the worker is killed with every process
it left behind, and the next `run` starts a fresh one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from types import TracebackType

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
from autograder.sandbox.protocol import (
    ChannelClosed,
    ChannelTimeout,
    ProtocolError,
    decode_plain,
    encode_frame,
    encode_plain,
)
from autograder.sandbox.spawn import WorkerProcess

GRACE = 15.0  # seconds a worker may take beyond a step's limit (sending, killing, cleanup)


class SandboxPool:
    """`jobs` warm workers, started on first use; `run` is thread-safe and blocks."""

    def __init__(self, jobs: int, limits: Limits) -> None:
        if jobs < 1:
            raise ValueError(f"SandboxPool needs at least one job, got {jobs}")
        self.jobs, self.limits = jobs, limits
        self._idle: list[WorkerProcess] = []
        self._started = 0
        self._closed = False
        self._lock = threading.Condition()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def run(self, cells: list[str], probes: list[ProbeRequest]) -> SandboxRun:
        """Run the cells in order, then each probe on the final state.

        Student failures are outcomes; SandboxError only when the harness cannot run
        (bad request, a probe function that does not import, a worker that cannot start).
        """
        request = build_request(cells, probes, self.limits)
        worker = self._acquire()
        start = time.monotonic()
        try:
            cell_outcomes, probe_outcomes = Conversation(worker, cells, probes, self.limits).run(
                request)
        except BaseException as exc:
            if not isinstance(exc, SandboxError):  # e.g. KeyboardInterrupt mid-run
                worker.kill()  # its channel is out of step: never hand it out again
            raise
        finally:
            self._release(worker)
        return SandboxRun(cell_outcomes, probe_outcomes, time.monotonic() - start)

    def close(self) -> None:
        """Stop every idle worker now and every busy one when its run ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._lock.notify_all()
        for worker in idle:
            worker.close()

    def _acquire(self) -> WorkerProcess:
        with self._lock:
            while not self._idle and self._started >= self.jobs and not self._closed:
                self._lock.wait()
            if self._closed:
                raise SandboxError("the sandbox pool is closed")
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                self._started -= 1
                worker.kill()
            self._started += 1
        try:
            worker = WorkerProcess()
            worker.wait_ready()
        except OSError as exc:  # no temp space, no processes left, ...
            self._forget_one()
            raise SandboxError(f"cannot start a sandbox worker: {exc}") from exc
        except BaseException:
            self._forget_one()
            raise
        return worker

    def _release(self, worker: WorkerProcess) -> None:
        if not worker.alive or worker.process.poll() is not None:
            worker.kill()
            self._forget_one()
            return
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                self._lock.notify()
                return
        worker.close()

    def _forget_one(self) -> None:
        with self._lock:
            self._started -= 1
            self._lock.notify()


def build_request(cells: list[str], probes: list[ProbeRequest], limits: Limits) -> bytes:
    """The worker's request as a frame; SandboxError for anything the caller got wrong."""
    if not all(isinstance(cell, str) for cell in cells):
        raise SandboxError("every cell must be Python source text (str)")
    names = [probe.name for probe in probes]
    if len(set(names)) != len(names):
        raise SandboxError(f"probe names must be unique, got {names}")
    try:
        specs = [{"name": probe.name, "function": probe.function, "timeout": probe.timeout,
                  "requires": list(probe.requires), "inputs": encode_plain(probe.inputs)}
                 for probe in probes]
        request = {"kind": "run", "cells": list(cells), "probes": specs, "limits": asdict(limits)}
        return encode_frame(request)
    except ProtocolError as exc:
        raise SandboxError(f"the probe inputs cannot be sent to the sandbox: {exc}") from None


class Conversation:
    """One run's exchange with a worker, in the order the worker answers."""

    def __init__(self, worker: WorkerProcess, cells: list[str], probes: list[ProbeRequest],
                 limits: Limits) -> None:
        self.worker = worker
        self.steps = [("cell", index, limits.cell_timeout) for index in range(1, len(cells) + 1)]
        self.steps += [("probe", probe.name, probe.timeout or limits.probe_timeout)
                       for probe in probes]
        self.cells: list[CellOutcome] = []
        self.probes: dict[str, ProbeOutcome] = {}

    def run(self, request: bytes) -> tuple[list[CellOutcome], dict[str, ProbeOutcome]]:
        try:
            self.worker.send(request, time.monotonic() + GRACE)
            for kind, key, timeout in self.steps:
                self._record(kind, key, self._receive(kind, key, time.monotonic() + timeout))
            self._receive("done", None, time.monotonic())
        except ProtocolError as exc:
            self._worker_failed(exc)
        return self.cells, self.probes

    def _receive(self, kind: str, key: object, deadline: float) -> dict:
        frame = self.worker.receive(deadline + GRACE)
        if frame.get("kind") == "harness_error":
            raise SandboxError(f"the sandbox could not run this request: {frame.get('message')}")
        if frame.get("kind") == "internal_error":
            raise ProtocolError(f"internal error: {str(frame.get('message'))[:500]}")
        if frame.get("kind") != kind or frame.get("index" if kind == "cell" else "name") != key:
            expected = "the end of the run" if kind == "done" else f"the {kind} {key!r}"
            raise ProtocolError(f"expected {expected}, got {str(frame)[:200]}")
        return frame

    def _record(self, kind: str, key: object, frame: dict) -> None:
        status, output, error = frame.get("status"), frame.get("output"), frame.get("error")
        allowed = CELL_STATUSES if kind == "cell" else PROBE_STATUSES
        if status not in allowed or not isinstance(output, str) or not (
                error is None or isinstance(error, str)):
            raise ProtocolError(f"malformed {kind} outcome: {str(frame)[:200]}")
        if kind == "cell":
            self.cells.append(CellOutcome(int(key), status, output, error))
            return
        value = None
        if status == "ok":
            try:
                value = decode_plain(frame.get("value"))
            except ProtocolError as exc:
                status = "crashed"
                error = f"The probe crashed: its value is not plain data ({exc})."
        self.probes[str(key)] = ProbeOutcome(str(key), status, value, error, output)

    def _worker_failed(self, exc: ProtocolError) -> None:
        """Report the step in flight and all later ones as crashed, and drop the worker."""
        if isinstance(exc, ChannelClosed):
            how = self.worker.death()
        elif isinstance(exc, ChannelTimeout):
            how = "it stopped answering"
        else:
            how = f"it broke the protocol: {exc}"
        self.worker.kill()
        done = len(self.cells) + len(self.probes)
        if done == len(self.steps):
            return
        kind, key, _ = self.steps[done]
        where = f"the probe {key!r}" if kind == "probe" else f"cell {key}"
        reason = f"the sandbox worker running this notebook failed during {where} ({how})"
        for index, (kind, key, _) in enumerate(self.steps[done:], start=done):
            text = f"{reason[0].upper()}{reason[1:]}." if index == done else f"Not run: {reason}."
            if kind == "cell":
                self.cells.append(CellOutcome(int(key), "crashed", "", text))
            else:
                self.probes[str(key)] = ProbeOutcome(str(key), "crashed", None, text, "")
