"""One sandbox as the pool sees it: start its worker, talk to it, tear it all down.

A sandbox serves one submission and is then destroyed with every process it started:
at the namespaces level its PID namespace dies with it; at the fallback levels every
process of its dedicated uid (or, without one, below its worker) is killed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import psutil

from autograder.inside import procs
from autograder.inside.limits import Limits
from autograder.inside.protocol import MAX_RESULT_BYTES, FrameReader, ProtocolError, send_frame
from autograder.sandbox.isolation import Isolation, is_root, launch, shared_temp
from autograder.sandbox.models import SandboxError

STARTUP_TIMEOUT = 60.0
KILL_PATIENCE = 5.0


class WorkerProcess:
    """A started sandbox; `receive` and `send` take absolute time.monotonic() deadlines."""

    def __init__(self, level: Isolation, uid: int, kit_view: Path, limits: Limits) -> None:
        self.level, self.uid = level, uid
        self.folder, self._remove_folder = _new_folder(self)
        os.chmod(self.folder, 0o711)  # the fallback's uid reaches its work folder inside
        self.alive = True
        self.namespace: str | None = None  # the sandbox's PID namespace, once ready
        self.view = kit_view  # the kit view it was started with
        try:
            how = launch(level, uid, kit_view, self.folder, limits)
            with open(self.folder / "worker.log", "wb") as log:
                self.process = subprocess.Popen(
                    how.argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    cwd=how.cwd,
                    env=how.env,
                    preexec_fn=how.preexec,
                    pass_fds=how.pass_fds,
                )
            for fd in how.pass_fds:
                os.close(fd)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        assert self.process.stdin is not None and self.process.stdout is not None  # PIPEs
        self._to_worker = self.process.stdin.fileno()
        os.set_blocking(self._to_worker, False)
        self._from_worker = FrameReader(self.process.stdout.fileno(), MAX_RESULT_BYTES)

    def wait_ready(self) -> None:
        """Block until the worker is confined and has imported numpy; SandboxError if not."""
        try:
            frame = self.receive(time.monotonic() + STARTUP_TIMEOUT)
        except ProtocolError as exc:
            why = f"the sandbox did not start ({exc}; {self.death()}): {self.log_tail()}"
            self.kill()
            raise SandboxError(why) from None
        if frame.get("kind") != "ready":
            self.kill()
            raise SandboxError(f"the sandbox said {str(frame)[:200]!r} instead of ready")
        if self.level is Isolation.NAMESPACES:
            self.namespace = pid_namespace(procs.descendants(self.process.pid))

    def send(self, frame: bytes, deadline: float) -> None:
        """Write an encoded frame (see protocol.encode_frame) to the worker."""
        try:
            send_frame(self._to_worker, frame, deadline)
        except OSError as exc:  # BrokenPipeError: the worker is gone
            raise ProtocolError(f"cannot write to the worker: {exc}") from None

    def receive(self, deadline: float) -> dict:
        return self._from_worker.receive(deadline)

    def death(self) -> str:
        """How the worker ended, in words (waits briefly for it to be reaped)."""
        try:
            code = self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if code < 0:
            return f"it was killed by {signal.Signals(-code).name}"
        return f"it exited with code {code}"

    def log_tail(self, size: int = 2000) -> str:
        try:
            return (self.folder / "worker.log").read_bytes()[-size:].decode(errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL every process of the sandbox, wait for them, delete its files."""
        if not self.alive:
            return
        self.alive = False
        below = procs.descendants(self.process.pid)
        procs.kill_pids([*below, self.process.pid])
        self.process.wait()
        procs.wait_gone(below, KILL_PATIENCE, reap_all=False)
        if self.namespace is not None:
            kill_matching(lambda pid: _namespace_of(pid) == self.namespace)
        if self.level is Isolation.LANDLOCK or (self.level is Isolation.NAMESPACES and is_root()):
            # the dedicated uid is this sandbox's alone: whatever runs as it is its own
            kill_matching(lambda pid: _runs_as(pid, self.uid))
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError, AttributeError):
                stream.close()  # type: ignore[union-attr]
        self._remove_folder()


_UNREMOVED: set[weakref.finalize] = set()
_FOLDERS = threading.RLock()
_abandoned = False


def remove_later(owner: object, remove: Callable[..., object], *args: object) -> weakref.finalize:
    """``remove(*args)`` when called, when ``owner`` is collected, when the interpreter
    exits, or at ``remove_unremoved()``, whichever comes first (once)."""
    remover = weakref.finalize(owner, remove, *args)
    with _FOLDERS:
        _UNREMOVED.difference_update([done for done in _UNREMOVED if not done.alive])
        _UNREMOVED.add(remover)
    return remover


def _new_folder(owner: object) -> tuple[Path, weakref.finalize]:
    with _FOLDERS:
        if _abandoned:
            raise SandboxError("grading was abandoned: no new sandbox starts")
        folder = Path(tempfile.mkdtemp(prefix="autograder-sandbox-", dir=shared_temp()))
        return folder, remove_later(owner, procs.remove_tree, str(folder))


def remove_unremoved() -> None:
    """Remove now the folders of sandboxes and kit views not removed yet, and start no
    sandbox after: for a grader about to leave with os._exit (which runs no finalizer)
    after abandoning its grading."""
    global _abandoned
    with _FOLDERS:
        _abandoned = True
        removers = list(_UNREMOVED)
    for remover in removers:
        remover()


def pid_namespace(pids: list[int]) -> str | None:
    """The PID namespace of the innermost of ``pids`` (the worker below bwrap's init)."""
    spaces = [ns for ns in map(_namespace_of, pids) if ns is not None]
    return spaces[-1] if spaces else None


def kill_matching(belongs: Callable[[int], bool], patience: float = KILL_PATIENCE) -> None:
    """SIGKILL every process for which ``belongs(pid)`` until none is left.

    Catches what a sandbox left however it got there: a PID namespace torn down by the
    kernel ends its processes asynchronously, and at the fallback level a daemon of the
    dedicated uid may have left the worker's process tree.
    """
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        found = [pid for pid in psutil.pids() if pid != os.getpid() and belongs(pid)]
        procs.reap_children(found)  # orphans that ended under us (we may be a subreaper)
        left = [pid for pid in found if procs.running(pid)]
        if not left:
            return
        procs.kill_pids(left)
        procs.wait_gone(left, 0.5, reap_all=False)


def _namespace_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def _runs_as(pid: int, uid: int) -> bool:
    try:
        uids = psutil.Process(pid).uids()
    except psutil.Error:
        return False
    return uid in (uids.real, uids.effective)
