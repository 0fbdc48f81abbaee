"""Does softmax_cross_entropy_with_logits give the mean cross-entropy and its gradient?

Truths are computed here in float64 with log-sum-exp: the loss exactly, the gradient by
central differences of that exact loss. The large-logits test judges stability only (no
overflow: a finite loss and a finite dlogits at logits of size ~1000), not the values, so
a wrong scale or sign costs softmax_dlogits and nothing more.
"""

from __future__ import annotations

import numpy as np

from autograder.checktools import (
    CheckFailed,
    Mistake,
    as_array,
    central_difference,
    expect_close,
    points_like_one_of,
    probe_with_shapes,
)
from autograder.mlp_backprop.cases import softmax_case, softmax_large_case

SHAPES = (
    "logits and probs are (N, C), y is (N,) integer labels, the one-hot labels Y "
    "are (N, C); the function returns a single number and dlogits (N, C)."
)
ONE_HOT_FIX = "Fix: dlogits = probs.copy(); dlogits[np.arange(N), y] -= 1; dlogits /= N"
UNSTABLE = (
    "For logits of size ~1000 {what} contains nan or inf: np.exp overflows. "
    "Subtract each row's maximum logit before np.exp (softmax does not change), "
    "or reuse the stable probabilities computed for the loss."
)


ALIGNED = 1 - 1e-9  # |cosine| with the gradient or a known mistake: any scale
NOT_SOFTMAX = (
    "For logits of size ~1000 dlogits stays finite but is no longer the "
    "probabilities minus the one-hot labels (at any scale): something was "
    "clipped, rounded or replaced. Subtract each row's maximum before np.exp and "
    "compute the same thing as for small logits."
)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log P: (N, C) for logits: (N, C), by log-sum-exp (exact for any logit size)."""
    top = logits.max(axis=1, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))


def mean_cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """L = -(1/N) sum_n log P[n, y_n] for logits: (N, C) and labels y: (N,)."""
    return float(-log_softmax(logits)[np.arange(len(y)), y].mean())


def one_hot(y: np.ndarray, c: int) -> np.ndarray:
    """Y: (N, C) with Y[n, y_n] = 1."""
    return np.eye(c)[y]


def want_dlogits(case: dict[str, np.ndarray], h: float) -> np.ndarray:
    """dL/dlogits: (N, C) by central differences of the exact mean cross-entropy."""
    return central_difference(lambda z: mean_cross_entropy(z, case["y"]), case["logits"], h)


def want_large(case: dict[str, np.ndarray]) -> np.ndarray:
    """The exact dL/dlogits = (P - Y) / N: (N, C), for logits of any size."""
    logits, y = case["logits"], case["y"]
    return (np.exp(log_softmax(logits)) - one_hot(y, logits.shape[1])) / len(y)


def gradient_mistakes(logits: np.ndarray, y: np.ndarray) -> list[Mistake]:
    """The dlogits the known mistakes would return for logits: (N, C), y: (N,)."""
    p, Y, n = np.exp(log_softmax(logits)), one_hot(y, logits.shape[1]), len(y)
    true_set = np.where(Y == 1, -1.0, p)
    return [
        Mistake(
            "missing 1/N",
            "it is N times the right gradient: the loss is the mean over "
            "the batch, so its gradient carries the factor 1/N (Section 8).",
            p - Y,
            "Fix: dlogits /= N, once",
        ),
        Mistake(
            "extra 1/N",
            "it is the right gradient divided by N once more: the factor "
            "1/N belongs in it exactly once.",
            (p - Y) / n**2,
            "Fix: dlogits /= N, once",
        ),
        Mistake(
            "sign flipped",
            "it has the opposite sign: the gradient is the "
            "probabilities minus the one-hot labels, not the reverse.",
            (Y - p) / n,
            ONE_HOT_FIX,
        ),
        Mistake(
            "one-hot not subtracted",
            "it is P / N: the one-hot labels Y (1 at each "
            "row's true class) are not subtracted from the probabilities.",
            p / n,
            ONE_HOT_FIX,
        ),
        Mistake(
            "one-hot built wrong",
            "1 was subtracted in every column, not only at each row's true class.",
            (p - 1.0) / n,
            ONE_HOT_FIX,
        ),
        Mistake(
            "one-hot built wrong",
            "the true-class entries were set to -1 instead of having 1 subtracted.",
            true_set / n,
            ONE_HOT_FIX,
        ),
    ]


def test_softmax_loss_value(submission, config):
    case = softmax_case(config)
    out = probe_with_shapes(submission, "softmax", SHAPES)
    logits, y = case["logits"], case["y"]
    loss = mean_cross_entropy(logits, y)
    per_example = -log_softmax(logits)[np.arange(len(y)), y]
    expect_close(
        "The loss",
        out["loss"],
        np.array(loss),
        config.value_rtol,
        [
            Mistake(
                "loss summed over the batch",
                "it is N times the mean cross-entropy: average over the batch.",
                np.array(loss * len(y)),
            ),
            Mistake(
                "loss not averaged",
                "it is one loss per example, shape (N,): return their mean, a single number.",
                per_example,
            ),
            Mistake(
                "loss sign flipped",
                "it is negative: cross-entropy is -log of the true class's probability.",
                np.array(-loss),
            ),
        ],
    )


def test_softmax_dlogits(submission, config):
    case = softmax_case(config)
    out = probe_with_shapes(submission, "softmax", SHAPES)
    expect_close(
        "dlogits",
        out["dlogits"],
        want_dlogits(case, config.fd_step),
        config.grad_rtol,
        gradient_mistakes(case["logits"], case["y"]),
    )


def test_softmax_large_logits(submission, config):
    out = probe_with_shapes(submission, "softmax_large", SHAPES)
    loss = as_array("The loss", out["loss"])
    if not np.all(np.isfinite(loss)):
        raise CheckFailed(UNSTABLE.format(what="the loss"), "unstable softmax")
    dlogits = as_array("dlogits", out["dlogits"])
    if not np.all(np.isfinite(dlogits)):
        raise CheckFailed(UNSTABLE.format(what="dlogits"), "unstable softmax")
    if not np.any(dlogits):
        raise CheckFailed(
            "For logits of size ~1000 dlogits is all zeros: the gradient of "
            "the loss never vanishes everywhere at once.",
            "gradient all zero",
        )
    case = softmax_large_case(config)
    known = [want_large(case), *(m.output for m in gradient_mistakes(case["logits"], case["y"]))]
    if not points_like_one_of(dlogits, known, ALIGNED):
        raise CheckFailed(NOT_SOFTMAX, "unstable softmax")
