"""One warm worker process as the pool sees it: start, talk, kill, clean up.

The worker runs in its own session with a small, fixed environment (single-threaded
BLAS, Agg backend, PYTHONHASHSEED=0, the repository root on PYTHONPATH) and a scratch
folder that is deleted with it. Its environment also carries a random marker, so that if
student code kills the worker, the pool can still find and kill the worker's orphans.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.paths import REPO_ROOT
from autograder.sandbox import procs
from autograder.sandbox.models import SandboxError
from autograder.sandbox.protocol import FrameReader, ProtocolError, send_frame

MARKER_VARIABLE = "AUTOGRADER_SANDBOX_WORKER"
STARTUP_TIMEOUT = 60.0
_KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "LD_LIBRARY_PATH",
             "PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV", "MPLCONFIGDIR", "XDG_CACHE_HOME",
             "XDG_CONFIG_HOME")
_FIXED_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONSAFEPATH": "1",
}


def worker_env(marker: str) -> dict[str, str]:
    """The whole environment of a worker: a few inherited variables and fixed settings."""
    env = {name: os.environ[name] for name in _KEPT_ENV if name in os.environ}
    env.update(_FIXED_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env[MARKER_VARIABLE] = marker
    return env


class WorkerProcess:
    """A started worker; `receive` and `send` take absolute time.monotonic() deadlines."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
        (self.folder / "work").mkdir()
        self.marker = secrets.token_hex(16)
        self.alive = True
        with open(self.folder / "worker.log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "autograder.sandbox.worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                cwd=self.folder / "work", env=worker_env(self.marker), start_new_session=True)
        self._to_worker = self.process.stdin.fileno()
        os.set_blocking(self._to_worker, False)
        self._from_worker = FrameReader(self.process.stdout.fileno())

    def wait_ready(self) -> None:
        """Block until the worker has imported everything; SandboxError if it cannot."""
        try:
            frame = self.receive(time.monotonic() + STARTUP_TIMEOUT)
        except ProtocolError as exc:
            why = f"the sandbox worker did not start ({exc}; {self.death()}): {self.log_tail()}"
            self.kill()
            raise SandboxError(why) from None
        if frame.get("kind") != "ready":
            self.kill()
            raise SandboxError(f"the sandbox worker said {frame!r} instead of ready")

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
        """SIGKILL the worker and every process that descends from it, then clean up."""
        if not self.alive:
            return
        self.alive = False
        procs.kill_pids([*procs.descendants(self.process.pid), self.process.pid])
        self.process.wait()
        procs.kill_marked(MARKER_VARIABLE, self.marker)
        self._forget()

    def close(self, patience: float = 5.0) -> None:
        """Let the worker exit on end of file; kill it if it does not."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=patience)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
            return
        self.alive = False
        self._forget()

    def _forget(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)
