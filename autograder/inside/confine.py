"""What the sandbox's first process does to itself before any student code exists.

Namespaces (bubblewrap) are set up from outside; what is left for the inside is what
only the process itself can do, in this order:

1. ``drop_privileges``: leave root for the submission's own unprivileged uid (its
   capabilities go with it), so nothing the student runs can act as the grader.
2. ``restrict_files`` (the fallback level only, where no mount namespace hides the
   rest of the machine): Landlock lets it read only what it needs to run and write
   only its scratch folder.
3. ``restrict_syscalls``: seccomp refuses sockets, debugging other processes, new
   namespaces, mounts, keyrings, kernel-side programs, memory files and SysV IPC.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from collections.abc import MutableSequence
from typing import Any

# (syscall, why it is refused); each answers EPERM
_REFUSED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "personality",
    "acct",
    "swapon",
    "swapoff",
    "reboot",
    "kexec_load",
    "init_module",
    "finit_module",
    # memory no process accounts for, and objects that outlive the processes
    "memfd_create",
    "memfd_secret",
    "shmget",
    "msgget",
    "semget",
    "mq_open",
    # sockets of any family (socketpair between the sandbox's own processes still works)
    "socket",
)
# clone() flags that make new namespaces; clone3 is unknown, so callers use clone
NAMESPACE_FLAGS = (
    0x00020000,
    0x02000000,
    0x04000000,
    0x08000000,
    0x10000000,
    0x20000000,
    0x40000000,
    0x00000080,
)
_PR_SET_DUMPABLE = 4


class ConfinementError(RuntimeError):
    """The sandbox could not confine itself: it must not run student code."""


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (group ``uid``, no supplementary groups) for good."""
    try:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    except OSError as exc:
        raise ConfinementError(f"cannot switch to uid {uid}: {exc}") from exc
    if os.getuid() != uid or os.geteuid() != uid or _effective_capabilities() != 0:
        raise ConfinementError(f"still privileged after switching to uid {uid}")


def set_dumpable(dumpable: bool) -> None:
    """Whether processes of the same uid may read and write this one's memory through
    /proc. Leaving root makes a process undumpable: the worker stays so (student code
    runs as its uid, and must not patch it); the forks that run student code become
    dumpable again, so the worker can measure their memory; where a folder is reached
    through /proc/self/fd (the fallback level, where Landlock forbids writing /proc) the
    worker must be dumpable to reach it."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


KEPT_FDS: list[int] = []  # descriptors the forks must keep open (see reach_through)


def reach_through(aliases: dict[str, int]) -> None:
    """Import from each folder through its inherited descriptor (``/proc/self/fd/N``)
    where the uid cannot reach it by path; forks keep these descriptors."""
    set_dumpable(True)  # or /proc/self/fd is closed to the process itself

    def moved(given: MutableSequence[str]) -> list[str]:
        paths = list(given)
        for folder, fd in aliases.items():
            paths = [
                f"/proc/self/fd/{fd}{p[len(folder) :]}"
                if p == folder or p.startswith(folder + os.sep)
                else p
                for p in paths
            ]
        return paths

    sys.path[:] = moved(sys.path)
    for module in list(sys.modules.values()):  # packages imported at start-up, as root
        if isinstance(getattr(module, "__path__", None), list):
            module.__path__[:] = moved(module.__path__)
    KEPT_FDS.extend(int(fd) for fd in aliases.values())
    sys.path_importer_cache.clear()


def restrict_files(read: list[str], write: list[str]) -> None:
    """Landlock: read (and run) only below ``read``, read and write only below ``write``."""
    import landlock  # imported here: only the fallback level needs it

    access = landlock.FSAccess
    try:
        ruleset = landlock.Ruleset(access.all())
        readable = access.READ_FILE | access.EXECUTE
        for paths, file_rights, dir_rights in (
            (read, readable, readable | access.READ_DIR),
            (write, access.all_file(), access.all()),
        ):
            for path in filter(os.path.exists, paths):
                ruleset.allow(path, rules=dir_rights if os.path.isdir(path) else file_rights)
        ruleset.apply()
    except (OSError, landlock.LandlockError) as exc:
        raise ConfinementError(f"cannot apply Landlock: {exc}") from exc


def restrict_syscalls(libraries: dict[str, str]) -> None:
    """seccomp: refuse network sockets and the system calls that reach beyond the sandbox.

    ``libraries``: the files pyseccomp's import looks up with ctypes.util.find_library
    ("c", "seccomp"), found by the grader, so that the import runs no ldconfig here.
    """
    seccomp = _import_pyseccomp(libraries)
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for name in _REFUSED:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
        refuse_namespace_clones(rules)
        rules.load()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ConfinementError(f"cannot load the seccomp filter: {exc}") from exc


def _import_pyseccomp(libraries: dict[str, str]) -> Any:
    import ctypes.util

    find = ctypes.util.find_library
    ctypes.util.find_library = lambda name: libraries.get(name) or find(name)
    try:
        import pyseccomp
    finally:
        ctypes.util.find_library = find
    return pyseccomp


def refuse_namespace_clones(rules: Any) -> None:
    """Add to a pyseccomp filter: clone() with a namespace flag fails (EPERM), clone3 is
    unknown (ENOSYS, so callers fall back to clone). Docker's profile does the same."""
    import pyseccomp as seccomp

    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(
            seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag)
        )


def _effective_capabilities() -> int:
    with open("/proc/self/status", "rb") as status:  # no codec: imports may not work yet
        for line in status:
            if line.startswith(b"CapEff:"):
                return int(line.split()[1], 16)
    return 0
