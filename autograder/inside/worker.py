"""The worker: one submission's cells and probes, each run in a fork, inside the sandbox.

`boot.main` starts it once the process is confined; it imports numpy (matplotlib only
when a cell uses it), says ready, and serves exactly one request: a sandbox is never
reused. Its stdin and stdout carry frames from and to the pool; they move to private
fds at start and fds 0 and 1 point at /dev/null, so nothing writes into the channel by
accident.

Request: {"kind": "run", "cells": [str], "probes": [{"name", "function", "inputs",
"timeout"}], "limits": {...}}. Answer: one "cell" frame per cell, one "probe" frame per
probe, then "done"; a single "harness_error" when the request cannot be served; or
"internal_error" when the worker failed mid-run (the pool then replaces the worker).
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from autograder.inside import child, lazy_import, procs
from autograder.inside.child import ProbeCall
from autograder.inside.limits import Limits
from autograder.inside.probing import resolve as resolve_probe
from autograder.inside.protocol import (
    MAX_RESULT_BYTES,
    ChannelClosed,
    FrameTooLarge,
    ProtocolError,
    encode_frame,
    encode_frame_within,
    read_frame_blocking,
    write_all,
)
from autograder.inside.steps import Step, StepResult
from autograder.inside.supervisor import NotebookRun, PoolGone


class RequestError(Exception):
    """The pool asked for something that cannot be run: a harness failure."""


def main() -> int:
    """Serve one submission for the pool, then exit (the sandbox is never reused)."""
    pool_in, pool_out = _take_pool_channel()
    os.close(os.pidfd_open(os.getpid()))  # fails early on kernels without pidfd (< 5.3)
    lazy_import.install()
    child.warm_up()
    procs.become_subreaper()
    gc.freeze()
    _send(pool_out, {"kind": "ready", "pid": os.getpid()})
    try:
        request = read_frame_blocking(pool_in)
    except (ChannelClosed, OSError):
        return 0
    except ProtocolError:  # not our pool talking
        return 1
    try:
        serve(request, pool_in, pool_out)
    except PoolGone:
        pass
    return 0


def _take_pool_channel() -> tuple[int, int]:
    pool_in, pool_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    return pool_in, pool_out


def serve(request: dict, pool_in: int, pool_out: int) -> None:
    """Run one submission and stream its outcomes to the pool."""
    try:
        cells, probes, timeouts, limits = parse_request(request)
    except (RequestError, ProtocolError, TypeError, ValueError) as exc:
        _send(pool_out, {"kind": "harness_error", "message": f"bad sandbox request: {exc}"})
        return
    try:
        with NotebookRun(cells, probes, limits, pool_in, os.getcwd()) as notebook:
            inputs = read_inputs(pool_in, probes)  # only now: the cells' process has none
            for index in range(1, len(cells) + 1):
                result = notebook.run(Step("cell", index, limits.cell_timeout))
                _send(pool_out, {"kind": "cell", "index": index, **_fields(result)})
            timed_out: set[str] = set()
            for position, (probe, timeout) in enumerate(zip(probes, timeouts, strict=True), 1):
                step = Step("probe", position, timeout, inputs[probe.name])
                hung = [name for name in probe.requires if name in timed_out]
                result = step.blocked_by(hung[0]) if hung else notebook.run(step)
                if result.status == "timeout":
                    timed_out.add(probe.name)
                _send_probe(pool_out, probe.name, result)
    except PoolGone:
        raise
    except Exception as exc:  # a bug of ours, or one we cannot tell from the student's
        traceback.print_exc()
        _send(pool_out, {"kind": "internal_error", "message": f"{type(exc).__name__}: {exc}"})
        return
    _send(pool_out, {"kind": "done"})


def parse_request(request: dict) -> tuple[list[str], list[ProbeCall], list[float], Limits]:
    """Cells, importable probe calls with decoded inputs, their timeouts, and the limits."""
    cells = request.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, str) for cell in cells):
        raise RequestError("cells must be a list of str")
    limits = Limits(**request["limits"])
    probes, timeouts = [], []
    for spec in request.get("probes", []):
        requires = tuple(str(name) for name in spec.get("requires", []))
        probes.append(ProbeCall(spec["name"], resolve(spec["function"]), {}, requires))
        timeouts.append(float(spec.get("timeout") or limits.probe_timeout))
    return cells, probes, timeouts, limits


def read_inputs(pool_in: int, probes: list[ProbeCall]) -> dict[str, Any]:
    """Each probe's inputs, still encoded (the frame after the request)."""
    frame = read_frame_blocking(pool_in)
    inputs = frame.get("inputs")
    if frame.get("kind") != "inputs" or not isinstance(inputs, dict):
        raise ProtocolError("the probe inputs did not follow the request")
    missing = [probe.name for probe in probes if probe.name not in inputs]
    if missing:
        raise ProtocolError(f"no inputs for probes {missing}")
    return inputs


def resolve(function: str) -> Callable[[dict, dict], Any]:
    """Import "package.module:function" here, in the worker, before any student code runs."""
    try:
        found = resolve_probe(function)
    except Exception as exc:
        raise RequestError(
            f"cannot import probe function {function!r}: {type(exc).__name__}: {exc}"
        ) from None
    if not callable(found):
        raise RequestError(f"probe function {function!r} is not callable")
    return found


def _fields(result: StepResult) -> dict:
    return {"status": result.status, "output": result.output, "error": result.error}


def _send_probe(pool_out: int, name: str, result: StepResult) -> None:
    message = {"kind": "probe", "name": name, "value": result.value, **_fields(result)}
    try:
        frame = encode_frame_within(message, MAX_RESULT_BYTES)
    except (FrameTooLarge, RecursionError, ValueError) as exc:
        frame = encode_frame(
            {**message, "status": "crashed", "value": None, "error": f"The probe crashed: {exc}."}
        )
    write_all(pool_out, frame)


def _send(pool_out: int, message: dict) -> None:
    write_all(pool_out, encode_frame(message))


if __name__ == "__main__":
    sys.exit(main())
