"""Do the student's four pieces train the notebook's net to the minimum accuracy?

The sandbox trains the notebook's 2-64-64-2 (weight_scale 0.1) with the student's
Dense, ReLU, softmax gradient and SGD(lr=3e-2, weight_decay=1e-4) for 80 epochs of
shuffled mini-batches of 32 on a hidden task (``cases.hidden_task``: a turned,
shifted XOR the notebook never shows, N = 400, drawn from ``config.training_seed``) and
sends back only the final parameters. This check computes the training accuracy itself,
with its own forward pass, and needs ``config.min_train_accuracy``.

Margin, measured with the instructor solution over training seeds 0..199 (each seed
draws the task, the data, the initial weights and the shuffles) by
``PYTHONPATH=. .venv/bin/python -m autograder.mlp_backprop.measure_training_margin --seeds 200``
(2026-12-01): training accuracy min 0.9700, 1st percentile 0.9725, median 0.9875, max
1.0000 against the 0.95 bar (the worst seed is 8 points of 400 above it); the configured
training_seed 7331 reaches 0.9925. A run takes about 0.1 s.
"""

from __future__ import annotations

import itertools

import numpy as np

from autograder.checktools import CheckFailed, cosine, probe_with_shapes
from autograder.mlp_backprop import test_dense, test_relu, test_sgd, test_softmax
from autograder.mlp_backprop.cases import (
    TRAINING_SCHEDULE,
    dense_case,
    hidden_task,
    relu_case,
    sgd_case,
    softmax_case,
)

SHAPES = (
    "the net is Dense(2, 64) -> ReLU -> Dense(64, 64) -> ReLU -> Dense(64, 2) on "
    "batches of N points; each dW must have its W's shape (d_in, d_out), "
    "each db its b's shape (d_out,), and dlogits the shape of the logits (N, 2)."
)


def expected_shapes() -> list[tuple[int, ...]]:
    """Shapes of model.params() for the training net: W (d_in, d_out), b (d_out,)."""
    sizes: list[int] = TRAINING_SCHEDULE["sizes"]  # type: ignore[assignment]
    return [
        shape for d_in, d_out in itertools.pairwise(sizes) for shape in ((d_in, d_out), (d_out,))
    ]


def forward(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The grader's own forward pass: Dense, ReLU, ..., Dense; logits (N, C)."""
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = np.maximum(h, 0.0)
    return h


def accuracy(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of x: (N, 2) whose largest logit is its label y: (N,)."""
    with np.errstate(all="ignore"):
        return float(np.mean(np.argmax(forward(params, x), axis=1) == y))


def trained_params(out: dict) -> list[np.ndarray]:
    """The returned parameters, checked against the net's shapes and for finiteness."""
    params = out.get("params")
    shapes = expected_shapes()
    if not isinstance(params, list) or [np.shape(p) for p in params] != shapes:
        got = [np.shape(p) for p in params] if isinstance(params, list) else type(params)
        raise CheckFailed(
            f"After training, model.params() held arrays of shapes {got}; the net needs "
            f"{shapes}. Dense.params() must return [W, b] and SGD.step must keep their shapes.",
            "parameter shapes",
        )
    params = [np.asarray(p, dtype=float) for p in params]
    if not out.get("finite") or not all(np.all(np.isfinite(p)) for p in params):
        raise CheckFailed(
            "The training loss or the weights became nan or inf, so training stopped. Look "
            "at the pieces whose own tests fail; an unstable softmax or a gradient with the "
            "wrong sign or scale can make the loss blow up.",
            "loss became nan",
            f"They stopped being finite after {out.get('steps')} steps.",
        )
    return params


GRADIENT_LIKE = 0.9  # cosine with the right gradient, at any scale: it is one at all
NO_GRADIENTS = (
    "Training was not counted: {pieces} did not give gradients on their own "
    "checks (all zeros, the input passed back unchanged, or an error), so these "
    "weights did not come from backpropagation. Make each piece compute its "
    "gradient; its own test says how far it is."
)


def computes_gradients(submission, config) -> dict[str, bool]:
    """For each piece, whether its own probe gave something that points the way the right
    gradient does (at any scale: a missing 1/N still counts). Training needs all four,
    so weights written by hand, or learnt by other means from the hidden labels, earn
    nothing."""

    def aligned(probe: str, pairs: list) -> bool:
        try:
            out = submission.probe(probe)
        except CheckFailed:
            return False
        return all(cosine(out.get(key), want) >= GRADIENT_LIKE for key, want in pairs)

    h = config.fd_step
    dense, relu, soft = dense_case(config), relu_case(config), softmax_case(config)
    sgd = sgd_case(config, False)
    return {
        "Dense.backward": aligned(
            "dense_backward",
            [(name, test_dense.want(dense, wrt, h)) for name, wrt in (("dx", "x"), ("dW", "W"))],
        ),  # db alone may be missing: its test says so
        "ReLU.backward": aligned("relu_backward", [("dx", test_relu.want(relu, h))]),
        "softmax_cross_entropy_with_logits": aligned(
            "softmax", [("dlogits", test_softmax.want_dlogits(soft, h))]
        ),
        "SGD.step": steps(submission, sgd),
    }


def steps(submission, case: dict) -> bool:
    """Whether SGD.step moved the parameters the way a gradient step does."""
    try:
        params = submission.probe("sgd_plain").get("params")
        return test_sgd.steps_downhill(params, case)
    except (CheckFailed, TypeError, ValueError):  # no probe value, or not a list of arrays
        return False


def test_training_accuracy(submission, config):
    params = trained_params(probe_with_shapes(submission, "training", SHAPES))
    x, y = hidden_task(config)
    reached, required = accuracy(params, x, y), config.min_train_accuracy
    if reached < required:
        raise CheckFailed(  # the figure is a detail: it hints at the hidden task
            f"Training with your Dense, ReLU, softmax_cross_entropy_with_logits and SGD "
            f"did not reach the minimum accuracy of {required:.2f}. A piece that fails its "
            "own test usually explains this one.",
            "accuracy too low",
            f"Final training accuracy on the hidden task: {reached:.3f}.",
        )
    missing = [piece for piece, ok in computes_gradients(submission, config).items() if not ok]
    if missing:  # accurate weights, but not from the student's backpropagation
        raise CheckFailed(NO_GRADIENTS.format(pieces=", ".join(missing)), "pieces compute nothing")
