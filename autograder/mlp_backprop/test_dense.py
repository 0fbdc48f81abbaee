"""Does Dense.backward give dL/dx, dL/dW and dL/db of L = sum(y * grad_out)?"""

from __future__ import annotations

import numpy as np

from autograder.checktools import Mistake, central_difference, expect_close
from autograder.mlp_backprop.cases import dense_case


def dense_loss(x: np.ndarray, W: np.ndarray, b: np.ndarray, grad_out: np.ndarray) -> float:
    """L = sum((x W + b) * grad_out), whose gradients are what backward must return."""
    return float(np.sum((x @ W + b) * grad_out))


def test_dense_backward_dx(submission, config):
    case = dense_case(config)
    out = submission.probe("dense_backward")
    want = central_difference(
        lambda x: dense_loss(x, case["W"], case["b"], case["grad_out"]), case["x"], config.fd_step
    )
    n = case["x"].shape[0]
    expect_close(
        "dx returned by Dense.backward", out["dx"], want, config.grad_rtol,
        [Mistake("dx scaled by 1/N", "it is the right gradient divided by the batch size N. "
                 "The 1/N of the mean loss is already inside grad_out; do not divide again.", want / n)],
    )
