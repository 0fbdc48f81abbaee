"""Hidden inputs, derived from the seeds in course_config.py and never shown to students."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from autograder.probing import ProbeRequest

PROBES = "autograder.mlp_backprop.probes"


def rng(config: Any, name: str) -> np.random.Generator:
    """A generator of its own for each case, so adding a case changes no other."""
    return np.random.default_rng([config.seed, zlib.crc32(name.encode())])


def dense_case(config: Any) -> dict[str, np.ndarray]:
    """A Dense layer run forward on two batches of different sizes, then backward.

    x_first: (N1, d_in), x: (N, d_in) the batch backward must use, W: (d_in, d_out),
    b: (d_out,), grad_out: (N, d_out); N1 != N and d_in != d_out, so a stale cache or
    a transpose shows up as a wrong shape.
    """
    r = rng(config, "dense")
    n_first, n, d_in, d_out = 3, 6, 5, 4
    return {
        "x_first": r.standard_normal((n_first, d_in)),
        "x": r.standard_normal((n, d_in)),
        "W": r.standard_normal((d_in, d_out)),
        "b": r.standard_normal(d_out),
        "grad_out": r.standard_normal((n, d_out)),
    }


def probe_requests(config: Any) -> list[ProbeRequest]:
    """Everything the sandbox runs on a submission, one request per probe."""
    return [
        ProbeRequest("dense_backward", f"{PROBES}:dense_backward", dense_case(config)),
    ]
