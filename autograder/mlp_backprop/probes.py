"""Probes: harness code that runs next to student code and returns plain data.

Each probe calls only the piece it grades plus given or reference code, so one broken
piece never costs points on another. Inputs arrive as plain data from ``cases.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.probing import plain, student


def dense_backward(ns: dict, inputs: dict) -> dict[str, Any]:
    """The student's Dense: forward twice (two batches), then backward on the second."""
    d_in, d_out = inputs["W"].shape
    np.random.seed(0)
    layer = student(ns, "Dense")(d_in, d_out)
    layer.W, layer.b = inputs["W"].copy(), inputs["b"].copy()
    layer.dW, layer.db = np.zeros_like(layer.W), np.zeros_like(layer.b)
    layer.forward(inputs["x_first"].copy())
    y = layer.forward(inputs["x"].copy())
    dx = layer.backward(inputs["grad_out"].copy())
    return {"y": plain(y), "dx": plain(dx), "dW": plain(layer.dW), "db": plain(layer.db)}
