"""Probe functions for the sandbox tests, and the requests the tests build from them.

The probes are trusted harness code that calls student code; the sandbox imports them
by name (`tests.sandbox_probes:call`) inside its forks.
"""

from __future__ import annotations

import time
from typing import Any

from autograder.sandbox import Limits, ProbeRequest

LIMITS = Limits(cell_timeout=1.0, probe_timeout=1.0, memory_mb=512, output_chars=2000)


def calling(name: str, fn: str, *args: Any, timeout: float | None = None) -> ProbeRequest:
    """A probe named `name` that calls the student's `fn(*args)`."""
    return ProbeRequest(name, f"{__name__}:call", {"fn": fn, "args": list(args)}, timeout)


def value_of(name: str) -> ProbeRequest:
    """A probe that returns the student's global `name`."""
    return ProbeRequest(name, f"{__name__}:value", {"name": name})


def request(name: str, probe: str, inputs: dict | None = None, **options: Any) -> ProbeRequest:
    """A probe named `name` running the function `probe` of this module."""
    return ProbeRequest(name, f"{__name__}:{probe}", inputs or {}, **options)


def call(namespace: dict, inputs: dict) -> Any:
    """namespace[inputs["fn"]](*inputs.get("args", [])): the student's function's result."""
    return namespace[inputs["fn"]](*inputs.get("args", []))


def value(namespace: dict, inputs: dict) -> Any:
    """The student's global called inputs["name"]."""
    return namespace[inputs["name"]]


def echo(namespace: dict, inputs: dict) -> Any:
    """The inputs themselves: what crossed the boundary twice."""
    return inputs


def hang(namespace: dict, inputs: dict) -> None:
    """A probe that never returns."""
    while True:
        time.sleep(0.01)


def unseeded_draw(namespace: dict, inputs: dict) -> float:
    """A draw from NumPy's global generator without seeding it first."""
    import numpy as np

    return float(np.random.rand())


def worker_pid(namespace: dict, inputs: dict) -> int | None:
    """The pid of the sandbox worker this probe runs under (its forks share its cmdline)."""
    import psutil

    found = None
    for parent in psutil.Process().parents():
        if "autograder.sandbox.worker" in " ".join(parent.cmdline()):
            found = parent.pid
    return found
