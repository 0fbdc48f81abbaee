"""The training probe: the student's four pieces train the 2-64-64-2 net on hidden data.

Runs inside the sandbox. The student's Dense, ReLU, softmax_cross_entropy_with_logits
and SGD run inside the few lines of given Sequential below (edits to the notebook's
Sequential cannot matter), one mini-batch at a time: forward, loss, zero_grads,
backward, step. The probe returns the final parameters and measures nothing: the
grader computes the accuracy itself, with its own forward pass. This module is copied
into the sandbox: it imports only numpy and ``autograder.inside``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from autograder.inside.probing import plain, student


class GivenSequential:
    """Layers applied in order; backward in reverse; their params and grads in order."""

    def __init__(self, layers: list[Any]) -> None:
        self.layers = layers

    def forward(self, x: Any, training: bool = True) -> Any:
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad_out: Any) -> Any:
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def params(self) -> list[Any]:
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[Any]:
        return [g for layer in self.layers for g in layer.grads()]

    def zero_grads(self) -> None:
        for layer in self.layers:
            layer.zero_grads()


def build_model(ns: dict, inputs: dict) -> GivenSequential:
    """Dense, ReLU, ..., Dense of the student's layers, seeded like the notebook."""
    dense, relu = student(ns, "Dense"), student(ns, "ReLU")
    sizes = inputs["sizes"]
    np.random.seed(inputs["init_seed"])
    layers: list[Any] = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [dense(d_in, d_out, weight_scale=inputs["weight_scale"]), relu()]
    return GivenSequential(layers[:-1])


def batches(inputs: dict, n: int) -> Iterator[np.ndarray]:
    """Index arrays of each mini-batch: ``epochs`` shuffles of 0..n-1, cut in batches."""
    shuffle = np.random.default_rng(inputs["shuffle_seed"])
    size = inputs["batch_size"]
    for _ in range(inputs["epochs"]):
        order = shuffle.permutation(n)
        for start in range(0, n, size):
            yield order[start:start + size]


def train(ns: dict, inputs: dict) -> dict[str, Any]:
    """Train on X: (N, 2), y: (N,); stop early once the loss is nan or inf.

    Returns ``params`` (the final arrays of model.params(), in order), ``finite`` (every
    loss finite) and ``steps`` (how many steps ran).
    """
    x, y = np.asarray(inputs["X"], dtype=float), np.asarray(inputs["y"])
    model = build_model(ns, inputs)
    loss_fn = student(ns, "softmax_cross_entropy_with_logits")
    optimizer = student(ns, "SGD")(lr=inputs["lr"], weight_decay=inputs["weight_decay"])
    finite, steps = True, 0
    for index in batches(inputs, len(y)):
        logits = model.forward(x[index].copy(), training=True)
        loss, dlogits = loss_fn(logits, y[index].copy())
        model.zero_grads()
        model.backward(dlogits)
        optimizer.step(model)
        steps += 1
        if not np.all(np.isfinite(np.asarray(loss, dtype=float))):
            finite = False
            break
    return {"params": [plain(p) for p in model.params()], "finite": finite, "steps": steps}
