"""The training probe: the student's four pieces train the notebook's net on hidden data.

The student's Dense, ReLU, softmax_cross_entropy_with_logits and SGD run inside the
kit's reference Sequential (so edits to the given Sequential cannot matter); accuracy is
measured by the kit. Protocol per step: forward, loss, zero_grads, backward, step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.mlp_backprop.reference_model import reference
from autograder.probing import student


def build_model(ns: dict, inputs: dict) -> Any:
    """Sequential(Dense, ReLU, ..., Dense) of the student's layers, seeded like the notebook."""
    dense, relu = student(ns, "Dense"), student(ns, "ReLU")
    sizes = inputs["sizes"]
    np.random.seed(inputs["init_seed"])
    layers: list[Any] = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [dense(d_in, d_out, weight_scale=inputs["weight_scale"]), relu()]
    return reference().Sequential(*layers[:-1])


class Trainer:
    """The student's loss and optimizer applied to ``model``, one mini-batch at a time."""

    def __init__(self, ns: dict, model: Any, inputs: dict) -> None:
        self.model = model
        self.loss_fn = student(ns, "softmax_cross_entropy_with_logits")
        self.optimizer = student(ns, "SGD")(lr=inputs["lr"], weight_decay=inputs["weight_decay"])
        self.finite = True

    def step(self, x: np.ndarray, y: np.ndarray) -> None:
        """One step on x: (B, 2), y: (B,): forward, loss, zero_grads, backward, step."""
        logits = self.model.forward(x, training=True)
        loss, dlogits = self.loss_fn(logits, y)
        self.model.zero_grads()
        self.model.backward(dlogits)
        self.optimizer.step(self.model)
        self.finite = self.finite and bool(np.all(np.isfinite(np.asarray(loss, dtype=float))))

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of x: (N, 2) whose argmax logit is its label y: (N,)."""
        logits = np.asarray(self.model.forward(x, training=False), dtype=float)
        return float(np.mean(np.argmax(logits, axis=1) == y))


def epochs(inputs: dict, x: np.ndarray, y: np.ndarray):
    """Each epoch's mini-batches: full-batch epochs first, then shuffled mini-batches."""
    for _ in range(inputs["full_batch_epochs"]):
        yield [(x, y)]
    shuffle = np.random.default_rng(inputs["shuffle_seed"])
    size, n = inputs["batch_size"], len(y)
    for _ in range(inputs["mini_batch_epochs"]):
        order = shuffle.permutation(n)
        yield [(x[order[i:i + size]], y[order[i:i + size]]) for i in range(0, n, size)]


def train(ns: dict, inputs: dict) -> dict[str, Any]:
    """Train on X: (N, 2), y: (N,); stop early once the loss is nan or inf.

    Returns ``history`` ([epoch, training accuracy] every ``record_every`` epochs and at
    the end), ``final_accuracy``, ``finite`` (every loss finite) and ``epochs_run``.
    """
    x, y = np.asarray(inputs["X"], dtype=float), np.asarray(inputs["y"])
    trainer = Trainer(ns, build_model(ns, inputs), inputs)
    history: list[list[float]] = []
    epoch = 0
    for epoch, batches in enumerate(epochs(inputs, x, y), start=1):
        for xb, yb in batches:
            trainer.step(xb, yb)
        if not trainer.finite:
            break
        if epoch % inputs["record_every"] == 0:
            history.append([epoch, trainer.accuracy(x, y)])
    final = trainer.accuracy(x, y)
    if not history or history[-1][0] != epoch:
        history.append([epoch, final])
    return {"history": history, "final_accuracy": final, "finite": trainer.finite,
            "epochs_run": epoch}
