"""Probe functions for the sandbox tests: they call student code inside the sandbox.

This module is copied into the sandbox, so it imports only the standard library, numpy
and psutil.
"""

from __future__ import annotations

import time
from typing import Any


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
        if "autograder.inside.boot" in " ".join(parent.cmdline()):
            found = parent.pid
    return found
