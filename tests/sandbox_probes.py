"""Requests the sandbox tests build from the probe functions of `sandbox_probe_functions`.

The probe module is copied into the sandboxes' kit view, so it imports nothing of the
kit; these builders stay on the grader's side.
"""

from __future__ import annotations

from typing import Any

from autograder.sandbox import Limits, ProbeRequest

PROBES = "tests.sandbox_probe_functions"
LIMITS = Limits(cell_timeout=1.0, probe_timeout=1.0, memory_mb=512, output_chars=2000)


def calling(name: str, fn: str, *args: Any, timeout: float | None = None) -> ProbeRequest:
    """A probe named `name` that calls the student's `fn(*args)`."""
    return ProbeRequest(name, f"{PROBES}:call", {"fn": fn, "args": list(args)}, timeout)


def value_of(name: str) -> ProbeRequest:
    """A probe that returns the student's global `name`."""
    return ProbeRequest(name, f"{PROBES}:value", {"name": name})


def request(name: str, probe: str, inputs: dict | None = None, **options: Any) -> ProbeRequest:
    """A probe named `name` running the function `probe` of this module."""
    return ProbeRequest(name, f"{PROBES}:{probe}", inputs or {}, **options)
