"""Probes: code that runs inside the sandbox, calls student code and returns plain data.

Each probe calls only the piece it grades plus the few lines of given code below, so
one broken piece never costs points on another; it judges nothing. Inputs arrive as
plain data from ``cases.py``. Student layers are built right after seeding
``np.random`` (their constructors draw from it), and every input array is copied before
student code sees it. This module is copied into the sandbox: it imports only numpy
and ``autograder.inside``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.inside.notebook import student_traceback
from autograder.inside.probing import plain, student


def backward_after_two_forwards(
    make_layer: Callable[[], Any], inputs: dict
) -> tuple[Any, Any, Any]:
    """(layer, y, dx): forward on ``x_first``, forward on ``x``, zero_grads, backward.

    x_first: (N1, d_in), x: (N, d_in), grad_out: (N, d_out) upstream gradient dL/dy.
    """
    layer = make_layer()
    layer.forward(inputs["x_first"].copy())
    y = layer.forward(inputs["x"].copy())
    layer.zero_grads()
    return layer, y, layer.backward(inputs["grad_out"].copy())


def works_after_one_forward(make_layer: Callable[[], Any], inputs: dict) -> bool:
    """Whether forward on ``x`` then backward runs without error on a fresh layer."""
    try:
        layer = make_layer()
        layer.forward(inputs["x"].copy())
        layer.zero_grads()
        layer.backward(inputs["grad_out"].copy())
    except Exception:
        return False
    return True


def backward_or_stale(make_layer: Callable[[], Any], inputs: dict) -> tuple[Any, Any, Any] | None:
    """``backward_after_two_forwards``, or None when only the second forward breaks it.

    A backward that works after one forward pass but raises after two (with different
    batch sizes) uses a cache left by the earlier pass; any other error is re-raised.
    """
    try:
        return backward_after_two_forwards(make_layer, inputs)
    except Exception:
        if works_after_one_forward(make_layer, inputs):
            return None
        raise


def dense_backward(ns: dict, inputs: dict) -> dict[str, Any]:
    """The student's Dense: forward twice (two batches), then backward on the second.

    When backward raises after it stored dW or db (a crash on its return line), the
    stored gradients come back with the error text (``error``), so they are still judged.
    """
    d_in, d_out = inputs["W"].shape
    dense = student(ns, "Dense")
    made: list[tuple[Any, np.ndarray, np.ndarray]] = []  # (layer, its initial dW, db)

    def make_layer() -> Any:
        np.random.seed(0)
        layer = dense(d_in, d_out)
        layer.W, layer.b = inputs["W"].copy(), inputs["b"].copy()
        layer.dW, layer.db = np.zeros_like(layer.W), np.zeros_like(layer.b)
        made.append((layer, layer.dW, layer.db))
        return layer

    try:
        ran = backward_or_stale(make_layer, inputs)
    except Exception as err:
        return gradients_stored_before(err, *made[0])
    if ran is None:
        return {"stale_cache": True}
    layer, y, dx = ran
    return {
        "stale_cache": False,
        "y": plain(y),
        "dx": plain(dx),
        "dW": plain(layer.dW),
        "db": plain(layer.db),
    }


def stored(value: Any, initial: np.ndarray) -> Any:
    """The gradient backward stored, or None if it is still the untouched initial zeros."""
    untouched = value is initial and not np.any(initial)
    return None if untouched else plain(value)


def gradients_stored_before(
    err: Exception, layer: Any, initial_dW: np.ndarray, initial_db: np.ndarray
) -> dict[str, Any]:
    """dW / db stored before backward raised ``err`` (None where not stored), with the error.

    Re-raises ``err`` when backward stored neither (nothing to judge but the error).
    """
    dW, db = stored(layer.dW, initial_dW), stored(layer.db, initial_db)
    if dW is None and db is None:
        raise err
    return {"stale_cache": False, "error": student_traceback(err), "dW": dW, "db": db}


def relu_backward(ns: dict, inputs: dict) -> dict[str, Any]:
    """The student's ReLU: forward twice (two batches), then backward on the second."""
    relu = student(ns, "ReLU")
    ran = backward_or_stale(relu, inputs)
    if ran is None:
        return {"stale_cache": True}
    _, y, dx = ran
    return {"stale_cache": False, "y": plain(y), "dx": plain(dx)}


def softmax(ns: dict, inputs: dict) -> dict[str, Any]:
    """softmax_cross_entropy_with_logits on logits: (N, C) and labels y: (N,)."""
    loss_and_grad = student(ns, "softmax_cross_entropy_with_logits")
    loss, dlogits = loss_and_grad(inputs["logits"].copy(), inputs["y"].copy())
    return {"loss": plain(loss), "dlogits": plain(dlogits)}


class GivenDense:
    """A parameter holder shaped like the student's Dense: W, b, dW, db (no maths)."""

    def __init__(self, W: np.ndarray, b: np.ndarray, dW: np.ndarray, db: np.ndarray) -> None:
        self.W, self.b, self.dW, self.db = W, b, dW, db

    def params(self) -> list[np.ndarray]:
        return [self.W, self.b]

    def grads(self) -> list[np.ndarray]:
        return [self.dW, self.db]


class GivenModel:
    """What SGD.step sees of a model: its layers and their params() and grads() lists."""

    def __init__(self, layers: list[Any]) -> None:
        self.layers = layers

    def params(self) -> list[Any]:
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[Any]:
        return [g for layer in self.layers for g in layer.grads()]

    def zero_grads(self) -> None:
        for layer in self.layers:
            layer.zero_grads()


def sgd_step(ns: dict, inputs: dict) -> dict[str, Any]:
    """One student SGD step on a model whose params and grads the case sets.

    Returns the model's parameters after the step (``params``), the values now held by
    the arrays ``model.params()`` returned before it (``originals``), whether each
    layer attribute W / b is still that same array (``same_objects``), and the gradients
    the model holds after the step (``grads``: a step must not change them).
    """
    params, grads = inputs["params"], inputs["grads"]
    layers = [
        GivenDense(*(a.copy() for a in (params[i], params[i + 1], grads[i], grads[i + 1])))
        for i in range(0, len(params), 2)
    ]
    model = GivenModel(layers)
    before = model.params()
    optimizer = student(ns, "SGD")(lr=inputs["lr"], weight_decay=inputs["weight_decay"])
    optimizer.step(model)
    attributes = [p for layer in layers for p in (layer.W, layer.b)]
    return {
        "params": [plain(p) for p in model.params()],
        "originals": [plain(p) for p in before],
        "same_objects": [a is p for a, p in zip(attributes, before, strict=True)],
        "grads": [plain(g) for g in model.grads()],
    }
