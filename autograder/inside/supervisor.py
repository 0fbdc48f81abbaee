"""The worker's side of one submission: fork the root, pace the steps, keep the deadlines.

The worker is the trusted supervisor. It never relies on a process that ran student code
to stop itself: it sends one command per step, watches the result pipe, the output pipe
and pidfds of the checkpoint and of the step's process, and SIGKILLs whatever overruns
its deadline or the submission's process and memory allowance.
"""

from __future__ import annotations

import gc
import os
import select
import tempfile
import time
from types import TracebackType

import psutil

from autograder.inside import child, procs
from autograder.inside.capture import OutputCapture
from autograder.inside.limits import Limits
from autograder.inside.protocol import (
    MAX_RESULT_BYTES,
    FrameReader,
    ProtocolError,
    encode_frame,
    send_frame,
)
from autograder.inside.steps import Step, StepResult, StepWatch

SEND_PATIENCE = 2.0
KILL_PATIENCE = 2.0  # seconds to wait for killed processes to be gone
# a traceback's characters; at 12 bytes each (JSON's escapes) a cell's result still fits
# the frame the pool accepts
MAX_ERROR_CHARS = MAX_RESULT_BYTES // 16
_POLL_IN = select.POLLIN | select.POLLPRI
_POLL_END = select.POLLHUP | select.POLLERR | select.POLLNVAL


class PoolGone(Exception):
    """The pool closed its end of the worker's channel: stop and clean up."""


class NotebookRun:
    """One notebook run inside the sandbox, from the fork of its root to the last kill.

    (The submission as the grader knows it is ``autograder.submission.Submission``.)
    """

    def __init__(
        self,
        cells: list[str],
        probes: list[child.ProbeCall],
        limits: Limits,
        pool_fd: int,
        scratch: str,
    ) -> None:
        self.cells, self.probes, self.limits, self.pool_fd = cells, probes, limits, pool_fd
        self.scratch = scratch
        self.lost: str | None = None
        self.finished: set[int] = set()

    def __enter__(self) -> NotebookRun:
        self.workdir = tempfile.mkdtemp(prefix="submission-", dir=self.scratch)
        command_r, self.command_fd = os.pipe()
        result_r, result_w = os.pipe()
        self.output_fd, output_w = os.pipe()
        plan = child.ChildPlan(
            self.cells,
            self.probes,
            command_r,
            result_w,
            output_w,
            self.workdir,
            *self._memory_caps(),
            min(self.limits.output_chars, MAX_ERROR_CHARS),
        )
        self.root = self._fork_root(plan)
        for fd in (command_r, result_w, output_w):
            os.close(fd)
        os.set_blocking(self.command_fd, False)
        os.set_blocking(self.output_fd, False)
        self.results = FrameReader(result_r, MAX_RESULT_BYTES)  # what the pool accepts
        self.state, self.state_fd = self.root, procs.open_pidfd(self.root)
        return self

    def _memory_caps(self) -> tuple[int, int]:
        allowance = self.limits.memory_mb * 2**20
        return psutil.Process().memory_info().vms + allowance, allowance

    @staticmethod
    def _fork_root(plan: child.ChildPlan) -> int:
        gc.collect()  # cheap: the worker froze its imports at start
        gc.freeze()  # the garbage collector of a fork then leaves shared pages alone
        pid = os.fork()
        if pid == 0:
            child.start_root(plan)
        return pid

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        procs.kill_group(self.root)
        procs.kill_all_descendants()
        for fd in (self.command_fd, self.results.fd, self.output_fd, self.state_fd):
            procs.close_fd(fd)
        for entry in os.listdir(self.scratch):  # also whatever was left beside the workdir
            procs.remove_tree(os.path.join(self.scratch, entry))

    def run(self, step: Step) -> StepResult:
        """Run one cell or probe and say how it ended; never raises for student failures."""
        if self.lost is None and not self._state_alive():
            self.lose("the process holding the notebook's state ended")
        if self.lost is not None:
            return step.not_run(self.lost)
        try:
            send_frame(
                self.command_fd,
                encode_frame({"kind": step.kind, "index": step.index, "inputs": step.inputs}),
                time.monotonic() + SEND_PATIENCE,
            )
        except (ProtocolError, OSError):
            self.lose("the notebook's state stopped taking commands")
            return step.not_run(self.lost or "")
        watch = StepWatch(step, OutputCapture(self.limits.output_chars))
        result = self._await(watch)
        self._settle(watch, result)
        return result

    def lose(self, reason: str) -> None:
        """Give up on the notebook's state: the remaining steps are not run."""
        self.lost = self.lost or reason

    def _state_alive(self) -> bool:
        return self.state_fd is not None and not select.select([self.state_fd], [], [], 0)[0]

    def _await(self, watch: StepWatch) -> StepResult:
        poller = select.poll()
        for fd in (self.results.fd, self.output_fd, self.state_fd, self.pool_fd):
            if fd is not None:
                poller.register(fd, _POLL_IN)
        while watch.result is None:
            timeout = max(0.0, min(watch.deadline, watch.next_tick) - time.monotonic())
            for fd, events in poller.poll(timeout * 1000):
                self._on_event(poller, watch, fd, events)
            self._read_frames(poller, watch)
            self._check_clock(watch)
        return watch.result

    def _on_event(self, poller: select.poll, watch: StepWatch, fd: int, events: int) -> None:
        if fd == self.pool_fd:
            if events & _POLL_END:
                raise PoolGone
            poller.unregister(fd)  # the pool sends nothing mid-run: ignore stray bytes
        elif fd == self.output_fd:
            if not self._drain(watch.capture):
                poller.unregister(fd)
        elif fd == self.results.fd:
            self.results.fill()
            if self.results.closed:
                poller.unregister(fd)
        elif fd == self.state_fd:
            poller.unregister(fd)
            watch.state_dead = True
        elif fd == watch.pidfd:
            poller.unregister(fd)
            watch.process_ended()

    def _read_frames(self, poller: select.poll, watch: StepWatch) -> None:
        try:
            while watch.result is None and (frame := self.results.pop()) is not None:
                self._on_frame(poller, watch, frame)
        except ProtocolError as exc:
            watch.finish(StepResult("crashed", watch.step.describe(str(exc))))
            self.lose(f"the result channel broke ({exc})")
            return
        if watch.result is None and self.results.closed:
            watch.finish(watch.crashed(None))
            self.lose("every process of the notebook ended")

    def _on_frame(self, poller: select.poll, watch: StepWatch, frame: dict) -> None:
        kind, pid = frame.get("kind"), frame.get("pid")
        if not isinstance(pid, int) or pid in self.finished:
            return
        if kind == "started" and watch.pid is None and self._is_step_process(pid):
            watch.pid, watch.pidfd = pid, procs.open_pidfd(pid)
            if watch.pidfd is None:
                watch.process_ended()
            else:
                poller.register(watch.pidfd, _POLL_IN)
        elif kind == "result" and pid == watch.pid:
            watch.finish(watch.step.result_from(frame, self.limits.output_chars))
        elif kind == "exit" and (pid == watch.pid or watch.pid is None):
            code = frame.get("code")
            watch.finish(watch.crashed(code if isinstance(code, int) else None))

    def _is_step_process(self, pid: int) -> bool:
        """A forged pid must not make us kill a stranger; a pid already gone is harmless."""
        try:
            return psutil.Process(pid).ppid() in (self.state, os.getpid())
        except psutil.NoSuchProcess:
            return True
        except psutil.Error:
            return False

    def _check_clock(self, watch: StepWatch) -> None:
        if watch.result is not None:
            return
        now = time.monotonic()
        if watch.state_dead and watch.pid is None:
            watch.finish(watch.crashed(None))
        elif now >= watch.deadline:
            timed_out = not watch.ended
            watch.finish(watch.timed_out() if timed_out else watch.crashed(None))
        elif now >= watch.next_tick:
            watch.next_tick = now + watch.TICK
            self._check_usage(watch)

    def _check_usage(self, watch: StepWatch) -> None:
        # The number of processes is capped by the kernel (RLIMIT_NPROC of the sandbox's
        # own uid): a fork beyond it fails in the code that tries it.
        used = procs.tree_memory(os.getpid())
        used += procs.folder_bytes(self.scratch)
        if used > self.limits.memory_mb * 2**20:
            watch.finish(
                watch.stopped(
                    f"its processes together used more than {self.limits.memory_mb} MiB of memory"
                )
            )

    def _settle(self, watch: StepWatch, result: StepResult) -> None:
        if watch.pid is not None:
            self.finished.add(watch.pid)
        if watch.step.kind == "cell" and result.status in ("ok", "error"):
            procs.kill_pids([self.state])
            procs.close_fd(self.state_fd)
            self.state, self.state_fd = watch.pid or 0, watch.pidfd
        else:
            if result.status != "ok":
                procs.wait_gone(self._kill_step(watch), KILL_PATIENCE)
            procs.close_fd(watch.pidfd)
            if watch.state_dead:
                self.lose("a step killed the process holding the notebook's state")
        procs.reap_zombies()
        self._drain(watch.capture)
        result.output = watch.capture.text()

    def _kill_step(self, watch: StepWatch) -> list[int]:
        """SIGKILL the step's process, its descendants and every orphan but the state."""
        if watch.pid is not None:
            killed = [watch.pid, *procs.descendants(watch.pid)]
        else:  # it never said hello: whatever the state forked last may be it
            killed = procs.children(self.state)
            self.finished.update(killed)
        killed += [pid for pid in procs.children(os.getpid()) if pid != self.state]
        procs.kill_pids(killed)
        return killed

    def _drain(self, capture: OutputCapture, budget: int = 1 << 20) -> bool:
        """Move up to `budget` bytes of waiting output into `capture`; False at end of file."""
        while budget > 0:
            try:
                data = os.read(self.output_fd, min(budget, 1 << 16))
            except BlockingIOError:
                return True
            if not data:
                return False
            capture.feed(data)
            budget -= len(data)
        return True
