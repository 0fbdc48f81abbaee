"""The training probe: the student's four pieces train the 2-64-64-2 net on hidden data.

Runs inside the sandbox. The student's Dense, ReLU, softmax_cross_entropy_with_logits
and SGD run inside the few lines of given Sequential below (edits to the notebook's
Sequential cannot matter), one mini-batch at a time: forward, loss, zero_grads,
backward, step. The probe returns the final parameters and measures nothing: the
grader computes the accuracy itself, with its own forward pass. This module is copied
into the sandbox: it imports only numpy and ``autograder.inside``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograder.inside.probing import plain, student
from autograder.mlp_backprop.probes import GivenModel


class GivenSequential(GivenModel):
    """Layers applied in order; backward in reverse; their params and grads in order."""

    def __init__(self, layers: list[Any]) -> None:
        super().__init__(layers)
        self.input_shapes: list[tuple[int, ...]] = []

    def forward(self, x: Any, training: bool = True) -> Any:
        self.input_shapes = []
        for layer in self.layers:
            self.input_shapes.append(np.shape(x))
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad_out: Any) -> Any:
        """Backward through the layers; a gradient of the wrong shape is named where it is
        made (as the notebook's Sequential does), not later in SGD.step."""
        for number in range(len(self.layers), 0, -1):
            layer = self.layers[number - 1]
            grad_out = layer.backward(grad_out)
            check_shapes(number, layer, grad_out, self.input_shapes[number - 1])
        return grad_out


def check_shapes(number: int, layer: Any, grad_in: Any, input_shape: tuple[int, ...]) -> None:
    """ValueError naming the layer and the array when a gradient has the wrong shape."""
    where = f"layer {number} ({type(layer).__name__})"
    names = {id(value): name for name, value in vars(layer).items()}
    for p, g in zip(layer.params(), layer.grads(), strict=False):
        if np.shape(g) != np.shape(p):
            raise ValueError(
                f"{where}: backward stored {names.get(id(g), 'a gradient')} with shape "
                f"{np.shape(g)}, but {names.get(id(p), 'its parameter')} has shape "
                f"{np.shape(p)}. A gradient has the shape of the array it differentiates."
            )
    if np.shape(grad_in) != tuple(input_shape):
        raise ValueError(
            f"{where}: backward returned dL/dx with shape {np.shape(grad_in)}, but the "
            f"layer's input x had shape {tuple(input_shape)}."
        )


def build_model(ns: dict, inputs: dict) -> GivenSequential:
    """Dense, ReLU, ..., Dense of the student's layers, seeded like the notebook."""
    dense, relu = student(ns, "Dense"), student(ns, "ReLU")
    sizes = inputs["sizes"]
    np.random.seed(inputs["init_seed"])
    layers: list[Any] = []
    for d_in, d_out in itertools.pairwise(sizes):
        layers += [dense(d_in, d_out, weight_scale=inputs["weight_scale"]), relu()]
    return GivenSequential(layers[:-1])


def batches(inputs: dict, n: int) -> Iterator[np.ndarray]:
    """Index arrays of each mini-batch: ``epochs`` shuffles of 0..n-1, cut in batches."""
    shuffle = np.random.default_rng(inputs["shuffle_seed"])
    size = inputs["batch_size"]
    for _ in range(inputs["epochs"]):
        order = shuffle.permutation(n)
        for start in range(0, n, size):
            yield order[start : start + size]


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
