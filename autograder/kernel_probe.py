"""Run one probe on a live notebook's namespace in a forked child, with a time limit.

This is how nbgrader's hidden test cells call student code: the fork sees the kernel's
state as it is, a hang is stopped after its limit without touching the kernel (even a
loop that swallows interrupts), and only plain data comes back.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from autograder.inside.notebook import outside_kit, student_traceback
from autograder.inside.procs import kill_tree
from autograder.inside.protocol import (
    ChannelTimeout,
    FrameReader,
    ProtocolError,
    decode_plain,
    encode_frame,
    encode_plain,
    write_all,
)
from autograder.probing import ProbeOutcome, ProbeRequest, resolve


def run_forked(namespace: dict, request: ProbeRequest, timeout: float) -> ProbeOutcome:
    """The probe's outcome: ok with plain data, error, timeout or crashed."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(namespace, request, write_end)
    os.close(write_end)
    try:
        message = FrameReader(read_end).receive(time.monotonic() + timeout)
    except ProtocolError as err:
        return _stopped(request.name, timeout, err)
    finally:
        os.close(read_end)
        kill_tree(pid)
        os.waitpid(pid, 0)
    value = decode_plain(message.get("value"))
    return ProbeOutcome(request.name, message["status"], value, message.get("error"), "")


def _stopped(name: str, timeout: float, err: ProtocolError) -> ProbeOutcome:
    if isinstance(err, ChannelTimeout):
        return ProbeOutcome(name, "timeout", None, f"Stopped after {timeout:g} s.", "")
    return ProbeOutcome(name, "crashed", None, "the process ended before answering", "")


def _child(namespace: dict, request: ProbeRequest, fd: int) -> None:
    """Silence output, run the probe, send the outcome, exit without cleanup."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115, PTH123 (the process exits)
    try:
        value = resolve(request.function)(namespace, request.inputs)
        frame = encode_frame({"status": "ok", "value": encode_plain(value)})
    except BaseException as err:
        frame = encode_frame({"status": "error", "error": student_traceback(err, outside_kit)})
    try:
        write_all(fd, frame)
    finally:
        os._exit(0)
