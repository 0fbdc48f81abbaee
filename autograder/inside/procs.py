"""Process bookkeeping for the trusted side: subreaper, killing trees, reaping, usage.

Everything here sends SIGKILL, which student code can neither catch nor ignore.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import time
from collections.abc import Iterable

import psutil

PR_SET_CHILD_SUBREAPER = 36
MAX_REMOVAL_STEPS = 1_000_000  # a bound on removing one tree; the tmpfs caps its size
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def become_subreaper() -> None:
    """Orphans of our descendants (daemons that double-forked) are re-parented to us."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def kill_pids(pids: Iterable[int]) -> None:
    """SIGKILL each pid; pids that are already gone are fine."""
    for pid in pids:
        if pid > 1 and pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group (a pgid is never reused while it has members)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def descendants(pid: int) -> list[int]:
    """Pids below `pid` in the process tree (empty when pid is gone)."""
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def children(pid: int) -> list[int]:
    """Direct children of `pid`."""
    try:
        return [child.pid for child in psutil.Process(pid).children()]
    except psutil.Error:
        return []


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and everything below it."""
    below = descendants(pid)
    kill_pids([pid, *below])


def reap_zombies() -> None:
    """Collect every child of ours that has already exited, without blocking."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def reap_children(pids: Iterable[int]) -> None:
    """Collect those of `pids` that are children of ours and have exited, without blocking."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not ours (or already collected)
            pass


def kill_all_descendants(patience: float = 5.0) -> None:
    """SIGKILL every descendant of this process and reap them, until none is left.

    Repeats because a dying process's children are re-parented to us (we are a
    subreaper) and a fork bomb may add processes between rounds.
    """
    deadline = time.monotonic() + patience
    while True:
        reap_zombies()
        left = descendants(os.getpid())
        if not left or time.monotonic() > deadline:
            return
        kill_pids(left)
        time.sleep(0.001)


def open_pidfd(pid: int) -> int | None:
    """A pidfd that becomes readable when `pid` exits, or None when it is already gone."""
    try:
        return os.pidfd_open(pid)
    except ProcessLookupError:
        return None


def remove_tree(path: str) -> None:
    """Delete what student code wrote, whatever modes, links or depth it left there."""
    if os.path.islink(path) or not os.path.isdir(path):
        try:
            os.remove(path)
        except OSError:
            pass
        return
    try:
        shutil.rmtree(path, onerror=_make_writable_and_retry)
    except (OSError, RecursionError):  # deeper than Python's recursion allows
        _remove_deep(path)


def _make_writable_and_retry(function: object, path: str, _: object) -> None:
    try:
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)
    except OSError:
        pass


def _remove_deep(path: str) -> None:
    """Remove a tree of any depth holding one directory open at a time: down to a leaf,
    emptying directories on the way, and back up through "..", in at most
    ``MAX_REMOVAL_STEPS`` steps. What cannot be removed stays."""
    try:
        fd = os.open(path, _DIRECTORY)
    except OSError:
        return
    below: list[str] = []  # the names from `path` down to the directory `fd` holds
    try:
        for _ in range(MAX_REMOVAL_STEPS):
            inner = _empty_but_one_directory(fd)
            if inner is not None:
                child = _open_directory(inner, fd)
                os.close(fd)
                fd = child
                below.append(inner)
            elif below:
                parent = os.open("..", _DIRECTORY, dir_fd=fd)
                os.close(fd)
                fd = parent
                os.rmdir(below.pop(), dir_fd=fd)
            else:
                break
    except OSError:
        return
    finally:
        os.close(fd)
    try:
        os.rmdir(path)
    except OSError:
        pass


def _empty_but_one_directory(fd: int) -> str | None:
    """Delete every non-directory in the directory ``fd``; the name of a directory left."""
    try:
        os.fchmod(fd, 0o700)
    except OSError:
        pass
    inner = None
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                inner = inner or entry.name
                continue
            try:
                os.unlink(entry.name, dir_fd=fd)
            except OSError:
                pass
    return inner


def _open_directory(name: str, parent: int) -> int:
    try:
        return os.open(name, _DIRECTORY, dir_fd=parent)
    except PermissionError:
        os.chmod(name, 0o700, dir_fd=parent)
        return os.open(name, _DIRECTORY, dir_fd=parent)


def close_fd(fd: int | None) -> None:
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass


def unique_bytes(pid: int) -> int:
    """Memory only `pid` maps (USS): pages it shares copy-on-write are not counted."""
    try:
        return psutil.Process(pid).memory_full_info().uss
    except psutil.Error:
        return 0


def tree_memory(root: int) -> int:
    """The unique memory of the live processes below `root`, in bytes.

    Zombies (killed, not yet reaped) hold none. Forks share the worker's pages
    copy-on-write, so unique memory counts what each process allocated itself, without
    counting shared pages once per process.
    """
    return sum(unique_bytes(pid) for pid in descendants(root) if running(pid))


def wait_gone(pids: Iterable[int], patience: float, reap_all: bool = True) -> None:
    """Wait up to `patience` seconds until no process of `pids` runs (a zombie has ended),
    reaping every child of ours that has ended, or with ``reap_all`` false only those of
    `pids` (the grader: its other children are subprocess.Popen's to wait for, and a pid
    reaped behind Popen's back may be reused by a stranger that a later kill would hit;
    orphans of a killed worker are its children too when it is PID 1 or a subreaper,
    and a zombie left unreaped still counts against its uid's process limit).

    Not psutil.wait_procs: most of these processes are not our children, and for those
    it waits until the pid is gone, which for a zombie left to another reaper is never.
    SIGKILLed processes end within a millisecond or two, so the poll starts at 1 ms and
    backs off to 50 ms.
    """
    waiting = list(pids)
    deadline, pause = time.monotonic() + patience, 0.001
    while waiting and time.monotonic() < deadline:
        if reap_all:
            reap_zombies()
        else:
            reap_children(waiting)
        waiting = [pid for pid in waiting if running(pid)]
        if waiting:
            time.sleep(pause)
            pause = min(2 * pause, 0.05)


def running(pid: int) -> bool:
    """Whether `pid` exists and has not ended (a zombie has ended)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def folder_bytes(path: str) -> int:
    """Bytes the files below `path` take (the submission's scratch files count as memory).

    A tmpfs of its own (the namespace sandbox) is measured at once; a plain folder (the
    fallback sandbox) is walked.
    """
    if os.path.ismount(path):
        stats = os.statvfs(path)
        return (stats.f_blocks - stats.f_bfree) * stats.f_frsize
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
            except OSError:
                pass
    return total
