"""Code that runs in the sandboxed forks: the submission root and its checkpoints.

The submission root isolates itself (own session, rlimits, stdin from /dev/null, fds 1
and 2 into the worker's output pipe, every other inherited fd closed, its own working
directory), then serves the worker's commands. Each command forks a child that runs one
cell or one probe. A cell that finishes, normally or with an exception, turns its child
into the next checkpoint and the worker kills the old one; a cell that hangs or crashes
is killed by the worker and the old checkpoint serves the next command.

Everything this module needs is bound at import time in the warm worker, so student code
that patches os, json, numpy or builtins cannot redirect the harness's own calls.
"""

from __future__ import annotations

import ctypes
import os
import random
import resource
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import numpy as np

from autograder.inside import confine, lazy_import, notebook
from autograder.inside.capture import truncate_text
from autograder.inside.protocol import (
    MAX_RESULT_BYTES,
    FrameTooLarge,
    ProtocolError,
    decode_plain,
    encode_frame,
    encode_frame_within,
    encode_plain,
    read_frame_blocking,
    write_all,
)

EXIT_HARNESS = 70
SEED = 0

_fork = os.fork
_exit = os._exit
_getpid = os.getpid
_waitpid = os.waitpid
_exitcode = os.waitstatus_to_exitcode
_loaded_pyplot = lazy_import.loaded_pyplot
_random_state = random.getstate
_restore_random = random.setstate
_fflush = ctypes.CDLL(None).fflush
_streams: list[Any] = []


@dataclass
class ProbeCall:
    """A probe with its function already imported; its inputs come with its command, in
    the process that runs it (no cell ever holds them)."""

    name: str
    function: Callable[[dict, dict], Any]
    inputs: dict
    requires: tuple[str, ...] = ()


@dataclass
class ChildPlan:
    """What the submission root inherits from the worker through fork()."""

    cells: list[str]
    probes: list[ProbeCall]
    command_fd: int
    result_fd: int
    output_fd: int
    workdir: str
    address_space: int
    file_size: int
    error_chars: int  # a traceback is cut to this before it is sent


def warm_up() -> None:
    """One-time work done in the worker so that forks do not each pay for it."""
    np.random.seed(SEED)  # the first call initialises NumPy's legacy generator (~5 ms)


def start_root(plan: ChildPlan) -> NoReturn:
    """Entry point of the submission root, right after fork(); never returns."""
    try:
        _isolate(plan)
        _serve(plan, notebook.new_main_module().__dict__)
    except BaseException:  # a broken checkpoint just ends
        pass
    _exit(EXIT_HARNESS)


def _isolate(plan: ChildPlan) -> None:
    """Own session, resource caps, private fds and folder, reproducible random state."""
    os.setsid()
    confine.set_dumpable(True)  # so the worker can measure it; the worker itself is not
    _cap(resource.RLIMIT_AS, plan.address_space)
    _cap(resource.RLIMIT_FSIZE, plan.file_size)
    _cap(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized file is an OSError
    _volunteer_for_oom_killer()
    _redirect_fds(plan)
    os.chdir(plan.workdir)
    random.seed(SEED)
    np.random.seed(SEED)


def _cap(limit: int, value: int) -> None:
    """Lower a resource limit to `value` (never above a hard limit set from outside)."""
    _, hard = resource.getrlimit(limit)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(limit, (value, value))


def _volunteer_for_oom_killer() -> None:
    """If the machine runs out of memory, the kernel kills student processes first."""
    try:
        with open("/proc/self/oom_score_adj", "w") as adj:
            adj.write("1000")
    except OSError:
        pass


def _redirect_fds(plan: ChildPlan) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(plan.output_fd, 1)
    os.dup2(plan.output_fd, 2)
    keep = {0, 1, 2, plan.command_fd, plan.result_fd, *confine.KEPT_FDS}
    for name in os.listdir("/proc/self/fd"):
        if int(name) not in keep:
            try:
                os.close(int(name))
            except OSError:
                pass
    sys.stdin = sys.__stdin__ = open(0, closefd=False)  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = _text_stream(1)  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = _text_stream(2)  # type: ignore[misc]
    _streams[:] = [sys.stdout, sys.stderr]


def _text_stream(fd: int) -> Any:
    return open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)


def _serve(plan: ChildPlan, namespace: dict) -> None:
    """The checkpoint loop: fork a child per command, report how children ended."""
    while True:
        command = read_frame_blocking(plan.command_fd)
        if command.get("kind") == "exit":
            _exit(0)
        random_state = _random_state()
        pid = _fork()
        if pid == 0:
            _restore_random(random_state)  # the random module reseeds itself in a fork
            _run_step(plan, namespace, command)  # returns: this child is the checkpoint now
            continue
        _report_exit(plan, pid)


def _report_exit(plan: ChildPlan, pid: int) -> None:
    try:
        _, status = _waitpid(pid, 0)
        code: int | None = _exitcode(status)
    except ChildProcessError:  # student code reaped it first
        code = None
    _send(plan, {"kind": "exit", "pid": pid, "code": code})


def _run_step(plan: ChildPlan, namespace: dict, command: dict) -> None:
    try:
        me = _getpid()
        _send(plan, {"kind": "started", "pid": me})
        if command["kind"] == "cell":
            index = int(command["index"])
            status, error = run_cell(plan.cells[index - 1], index, namespace)
            _leave_if_forked_by_student(me)
            error = None if error is None else truncate_text(error, plan.error_chars)
            _send(plan, {"kind": "result", "pid": me, "status": status, "error": error})
            if status == "ok" or status == "error":
                return
        else:
            call = plan.probes[int(command["index"]) - 1]
            inputs = decode_plain(command.get("inputs"))
            if not isinstance(inputs, dict):
                _exit(EXIT_HARNESS)
            result = run_probe(replace(call, inputs=inputs), namespace)
            _leave_if_forked_by_student(me)
            _send_probe_result(plan, {"pid": me, **result})
    except BaseException:  # the worker reports this child as crashed
        _exit(EXIT_HARNESS)
    _exit(0)


def _leave_if_forked_by_student(me: int) -> None:
    """A copy made by os.fork() in student code must not report or serve commands."""
    if _getpid() != me:
        _exit(0)


def run_cell(source: str, index: int, namespace: dict) -> tuple[str, str | None]:
    """Run one cell in `namespace`: ("ok", None) or (status, the student's traceback)."""
    try:
        exec(notebook.compile_cell(source, index), namespace)  # the point of the sandbox
        return "ok", None
    except SystemExit as exc:
        return "crashed", notebook.student_traceback(exc) + (
            "The cell called sys.exit() or exit(); the notebook went on from the state "
            "before this cell."
        )
    except BaseException as exc:  # KeyboardInterrupt is the student's too
        return "error", notebook.student_traceback(exc)
    finally:
        _settle_outputs()


def run_probe(call: ProbeCall, namespace: dict) -> dict:
    """Call a probe on the final namespace; a result message without the framing."""
    try:
        value = call.function(namespace, call.inputs)
    except SystemExit as exc:
        return _failure(
            "crashed",
            notebook.student_traceback(exc)
            + "Student code called sys.exit() or exit() during this probe.",
        )
    except BaseException as exc:
        return _failure("error", notebook.student_traceback(exc))
    finally:
        _settle_outputs()
    try:
        return {"status": "ok", "value": encode_plain(value, MAX_RESULT_BYTES), "error": None}
    except FrameTooLarge as exc:
        return _failure("crashed", f"The probe crashed: {exc}.")
    except MemoryError:
        return _failure(
            "crashed", "The probe crashed: output too large (its value did not fit in memory)."
        )
    except ProtocolError as exc:
        return _failure("error", f"The probe's result is not plain data: {exc}")


def _failure(status: str, error: str) -> dict:
    return {"status": status, "value": None, "error": error}


def _send_probe_result(plan: ChildPlan, result: dict) -> None:
    message = {"kind": "result", **result}
    try:  # refused here, a huge value is never decoded and encoded again on its way out
        frame = encode_frame_within(message, MAX_RESULT_BYTES)
    except (FrameTooLarge, MemoryError) as exc:
        reason = exc if isinstance(exc, FrameTooLarge) else "output too large"
        frame = encode_frame({**message, **_failure("crashed", f"The probe crashed: {reason}.")})
    write_all(plan.result_fd, frame)


def _settle_outputs() -> None:
    """Close the cell's figures (as Jupyter's inline backend does) and flush stdout/stderr."""
    try:
        pyplot = _loaded_pyplot()
        if pyplot is not None:
            pyplot.close("all")
    except Exception:  # student code may have broken pyplot
        pass
    for stream in _streams:
        try:
            stream.flush()
        except Exception:
            pass
    _fflush(None)


def _send(plan: ChildPlan, message: dict) -> None:
    write_all(plan.result_fd, encode_frame(message))
