"""Does ReLU.backward give dL/dx of L = sum(relu(x) * grad_out)?

The inputs stay at least 0.1 away from the kink at 0, so central differences are exact
up to rounding; each known mistake is the output the mistake would give on the case.
"""

from __future__ import annotations

import numpy as np

from autograder.checktools import (
    CheckFailed,
    Mistake,
    central_difference,
    expect_close,
    probe_with_shapes,
)
from autograder.mlp_backprop.cases import relu_case

FIX = "Fix: return grad_out * self.mask"
SHAPES = "x, self.mask and grad_out are (N, D); backward returns dx (N, D)."
STALE = (
    "ReLU.backward works after one forward pass but fails after two forward passes "
    "with different batch sizes: it uses a mask left by an earlier pass. Use the mask "
    "of the most recent forward (self.mask)."
)


def relu_loss(x: np.ndarray, grad_out: np.ndarray) -> float:
    """L = sum(max(0, x) * grad_out), whose gradient dL/dx is what backward must return."""
    return float(np.sum(np.maximum(0.0, x) * grad_out))


def want(case: dict[str, np.ndarray], h: float) -> np.ndarray:
    """dL/dx: (N, D) by central differences."""
    return central_difference(lambda x: relu_loss(x, case["grad_out"]), case["x"], h)


def mistakes(case: dict[str, np.ndarray]) -> list[Mistake]:
    """The outputs of the known ReLU.backward mistakes on ``case``."""
    x, g = case["x"], case["grad_out"]
    return [
        Mistake(
            "mask from upstream gradient",
            "it keeps grad_out where grad_out > 0. The "
            "mask must come from the layer's forward input x (cached in forward), not "
            "from the upstream gradient.",
            g * (g > 0),
            FIX,
        ),
        Mistake(
            "forgot upstream gradient",
            "it is the 0/1 mask alone. By the chain rule, "
            "the upstream gradient must pass through the mask.",
            (x > 0).astype(float),
            FIX,
        ),
        Mistake(
            "mask inverted",
            "it lets the gradient through where x <= 0 and blocks it "
            "where x > 0; ReLU passes the gradient where its input is positive.",
            g * (x <= 0),
            FIX,
        ),
        Mistake(
            "returns relu(x)",
            "it is the forward output max(0, x), not a gradient.",
            np.maximum(0.0, x),
            FIX,
        ),
        Mistake(
            "mask not applied",
            "it returns grad_out unchanged; ReLU blocks the gradient "
            "where its input is not positive.",
            g,
            FIX,
        ),
    ]


def test_relu_backward_dx(submission, config):
    case = relu_case(config)
    out = probe_with_shapes(submission, "relu_backward", SHAPES)
    if out["stale_cache"]:
        raise CheckFailed(STALE, "stale mask")
    expect_close(
        "dx returned by ReLU.backward",
        out["dx"],
        want(case, config.fd_step),
        config.grad_rtol,
        mistakes(case),
    )
