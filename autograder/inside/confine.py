"""What the sandbox's first process does to itself before any student code exists.

Namespaces (bubblewrap) are set up from outside; what is left for the inside is what
only the process itself can do, in this order:

1. ``drop_privileges``: leave root for the submission's own unprivileged uid (its
   capabilities go with it), so nothing the student runs can act as the grader.
2. ``restrict_files`` (the fallback level only, where no mount namespace hides the
   rest of the machine): Landlock lets it read only what it needs to run and write
   only its scratch folder.
3. ``restrict_syscalls``: seccomp refuses network sockets, debugging other processes,
   new namespaces, mounts, keyrings and kernel-side programs.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

# (syscall, why it is refused); each answers EPERM
_REFUSED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
    "open_tree", "fsopen", "fsmount", "keyctl", "add_key", "request_key", "bpf",
    "perf_event_open", "userfaultfd", "io_uring_setup", "personality", "acct",
    "swapon", "swapoff", "reboot", "kexec_load", "init_module", "finit_module",
)
_NETWORK_FAMILIES = (2, 10, 16, 17)  # AF_INET, AF_INET6, AF_NETLINK, AF_PACKET
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
    # Leaving root made the process undumpable, which hides its own /proc/self/fd from
    # it; its processes are all the student's anyway, and core dumps are capped at 0.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)


KEPT_FDS: list[int] = []  # descriptors the forks must keep open (see reach_through)


def reach_through(aliases: dict[str, int]) -> None:
    """Import from each folder through its inherited descriptor (``/proc/self/fd/N``)
    where the uid cannot reach it by path; forks keep these descriptors."""
    def moved(paths: list[str]) -> list[str]:
        for folder, fd in aliases.items():
            paths = [f"/proc/self/fd/{fd}{p[len(folder):]}"
                     if p == folder or p.startswith(folder + os.sep) else p for p in paths]
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


def restrict_syscalls() -> None:
    """seccomp: refuse network sockets and the system calls that reach beyond the sandbox."""
    import pyseccomp as seccomp

    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for name in _REFUSED:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
        for family in _NETWORK_FAMILIES:
            domain = seccomp.Arg(0, seccomp.EQ, family)
            rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", domain)
        rules.load()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ConfinementError(f"cannot load the seccomp filter: {exc}") from exc


def _effective_capabilities() -> int:
    with open("/proc/self/status", "rb") as status:  # no codec: imports may not work yet
        for line in status:
            if line.startswith(b"CapEff:"):
                return int(line.split()[1], 16)
    return 0
