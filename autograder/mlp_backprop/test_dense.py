"""Does Dense.backward give dL/dx, dL/dW and dL/db of L = sum(y * grad_out)?

Each truth is a central difference of that L; each known mistake is the output the
mistake would give on the same case.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checktools import (
    CheckFailed,
    Mistake,
    central_difference,
    expect_close,
    probe_with_shapes,
    raised,
)
from autograder.mlp_backprop.cases import dense_case

EXTRA_1_N = (
    "it is the right gradient divided by the batch size N. The 1/N of the mean "
    "loss is already inside grad_out; do not divide again."
)
EXTRA_N = "it is the right gradient multiplied by the batch size N; do not scale it."
SHAPES = (
    "x is (N, d_in), W is (d_in, d_out), b is (d_out,), grad_out is (N, d_out); "
    "backward returns dx (N, d_in) and stores dW (d_in, d_out) and db (d_out,)."
)
STALE = (
    "Dense.backward works after one forward pass but fails after two forward passes "
    "with different batch sizes: it uses an input cached by an earlier pass. Use the "
    "input cached by the most recent forward (self.x)."
)


def dense_loss(x: np.ndarray, W: np.ndarray, b: np.ndarray, grad_out: np.ndarray) -> float:
    """L = sum((x W + b) * grad_out), whose gradients are what backward must return."""
    return float(np.sum((x @ W + b) * grad_out))


def want(case: dict[str, np.ndarray], wrt: str, h: float) -> np.ndarray:
    """dL/d``wrt`` (``wrt`` one of "x", "W", "b") by central differences."""
    args = {k: case[k] for k in ("x", "W", "b", "grad_out")}
    return central_difference(lambda v: dense_loss(**{**args, wrt: v}), case[wrt], h)


def dense_outputs(submission: Any, wanted: str) -> dict[str, Any]:
    """The dense_backward probe's data with output ``wanted`` ("dx", "dW" or "db"), or
    the verdict on why it has none: a stale cache, or backward raising before it made
    that output (a crash on the return line still leaves dW and db to judge)."""
    out = probe_with_shapes(submission, "dense_backward", SHAPES)
    if out["stale_cache"]:
        raise CheckFailed(STALE, "stale cache")
    if out.get(wanted) is None and out.get("error"):
        raise raised(out["error"], SHAPES)
    return out


def test_dense_backward_dx(submission, config):
    case = dense_case(config)
    out = dense_outputs(submission, "dx")
    dx = want(case, "x", config.fd_step)
    n = case["x"].shape[0]
    expect_close(
        "dx returned by Dense.backward",
        out["dx"],
        dx,
        config.grad_rtol,
        [
            Mistake("extra 1/N", EXTRA_1_N, dx / n),
            Mistake("extra factor N", EXTRA_N, dx * n),
            Mistake(
                "dx transposed",
                "it has shape (d_in, N) and holds the transpose of dL/dx, "
                "which must have the shape of x, (N, d_in).",
                dx.T,
                "Fix: return grad_out @ self.W.T",
            ),
        ],
    )


def test_dense_backward_dw(submission, config):
    case = dense_case(config)
    out = dense_outputs(submission, "dW")
    dW = want(case, "W", config.fd_step)
    n = case["x"].shape[0]
    expect_close(
        "self.dW after Dense.backward",
        out["dW"],
        dW,
        config.grad_rtol,
        [
            Mistake(
                "transposed dW",
                "it holds the transpose of dL/dW. dW must have the shape "
                "of W, (d_in, d_out); check the order of the product and which factor is "
                "transposed (Section 5's shape table).",
                dW.T,
                "Fix: self.dW = self.x.T @ grad_out",
            ),
            Mistake("extra 1/N", EXTRA_1_N, dW / n),
            Mistake("extra factor N", EXTRA_N, dW * n),
            Mistake(
                "dW left at zero",
                "it is still all zeros: assign the gradient to self.dW inside backward.",
                np.zeros_like(dW),
            ),
        ],
    )


def test_dense_backward_db(submission, config):
    case = dense_case(config)
    out = dense_outputs(submission, "db")
    db = want(case, "b", config.fd_step)
    g = case["grad_out"]
    expect_close(
        "self.db after Dense.backward",
        out["db"],
        db,
        config.grad_rtol,
        [
            Mistake(
                "db averaged over the batch",
                "it is the mean of grad_out over the batch; "
                "b is added to every row, so its gradient is the sum over the batch.",
                g.mean(axis=0),
                "Fix: self.db = grad_out.sum(axis=0)",
            ),
            Mistake(
                "db not summed over the batch",
                "it has one row per example, shape (N, d_out); "
                "b has shape (d_out,), so its gradient adds up the rows of grad_out.",
                g,
                "Fix: self.db = grad_out.sum(axis=0)",
            ),
            Mistake(
                "db summed over the wrong axis",
                "it has shape (N,): it was summed over the features instead of over the batch.",
                g.sum(axis=1),
                "Fix: self.db = grad_out.sum(axis=0)",
            ),
            Mistake(
                "db left at zero",
                "it is still all zeros: assign the gradient to self.db inside backward.",
                np.zeros_like(db),
            ),
        ],
    )
