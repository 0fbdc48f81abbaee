"""Hidden inputs, derived from the seeds in course_config.py and never shown to students.

Symbols: N batch size, d_in / d_out layer widths, C classes. Shapes are chosen non-square
(N != d_in != d_out, N != C) so a transpose shows up as a wrong shape.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from autograder.probing import ProbeRequest

if TYPE_CHECKING:  # the course's config module, loaded by autograder.config
    from course_config import CourseConfig

PROBES = "autograder.mlp_backprop.probes"
TRAINING_PROBE = "autograder.mlp_backprop.training:train"

# The notebook's network on a hidden task with a shorter schedule than the notebook's:
# 80 epochs of shuffled mini-batches of 32 at lr 3e-2 (see test_training.py).
TRAINING_SCHEDULE = {
    "sizes": [2, 64, 64, 2],
    "weight_scale": 0.1,
    "lr": 3e-2,
    "weight_decay": 1e-4,
    "epochs": 80,
    "batch_size": 32,
}
TRAINING_POINTS = 400


def rng(config: CourseConfig, name: str) -> np.random.Generator:
    """A generator of its own for each case, so adding a case changes no other."""
    return np.random.default_rng([config.seed, zlib.crc32(name.encode())])


def away_from_zero(r: np.random.Generator, shape: tuple[int, ...], low: float = 0.1) -> np.ndarray:
    """Values with random signs and magnitudes in [low, 2): never near ReLU's kink."""
    return r.choice([-1.0, 1.0], size=shape) * r.uniform(low, 2.0, size=shape)


def labels_with_every_class(r: np.random.Generator, n: int, c: int) -> np.ndarray:
    """y: (N,) integer labels in [0, C), each class present at least once (needs N >= C)."""
    y = np.concatenate([np.arange(c), r.integers(0, c, size=n - c)])
    return r.permutation(y)


def dense_case(config: CourseConfig) -> dict[str, np.ndarray]:
    """A Dense layer run forward on two batches of different sizes, then backward.

    x_first: (N1, d_in), x: (N, d_in) the batch backward must use, W: (d_in, d_out),
    b: (d_out,), grad_out: (N, d_out); N1 != N and d_in != d_out, so a stale cache or
    a transpose shows up as a wrong shape.
    """
    r = rng(config, "dense")
    n_first, n, d_in, d_out = 3, 6, 5, 4
    return {
        "x_first": r.standard_normal((n_first, d_in)),
        "x": r.standard_normal((n, d_in)),
        "W": r.standard_normal((d_in, d_out)),
        "b": r.standard_normal(d_out),
        "grad_out": r.standard_normal((n, d_out)),
    }


def relu_case(config: CourseConfig) -> dict[str, np.ndarray]:
    """A ReLU run forward on two batches, then backward on the second.

    x_first: (N1, D), x: (N, D) with every |x| >= 0.1 (no kink within a finite-difference
    step), grad_out: (N, D) upstream gradient dL/dy, signs independent of x's.
    """
    r = rng(config, "relu")
    n_first, n, d = 3, 6, 5
    return {
        "x_first": away_from_zero(r, (n_first, d)),
        "x": away_from_zero(r, (n, d)),
        "grad_out": away_from_zero(r, (n, d)),
    }


def softmax_case(config: CourseConfig) -> dict[str, np.ndarray]:
    """Moderate logits: (N, C) with entries of order 1, y: (N,) every class present."""
    r = rng(config, "softmax")
    n, c = 7, 4
    return {"logits": r.standard_normal((n, c)), "y": labels_with_every_class(r, n, c)}


def softmax_large_case(config: CourseConfig) -> dict[str, np.ndarray]:
    """Logits of size ~1000: (N, C), every row has an entry near +1000, y: (N,) all classes.

    Entries sit in tiers -1000, 0, +1000 plus noise of size 3, so a probability is either
    of order 1 (same tier as the row's max) or exactly 0 in float64 (a lower tier).
    """
    r = rng(config, "softmax_large")
    n, c = 6, 4
    tiers = r.choice([-1000.0, 0.0, 1000.0], size=(n, c))
    tiers[np.arange(n), r.integers(0, c, size=n)] = 1000.0
    logits = tiers + r.uniform(-3.0, 3.0, size=(n, c))
    return {"logits": logits, "y": labels_with_every_class(r, n, c)}


def sgd_case(config: CourseConfig, weight_decay: bool) -> dict[str, Any]:
    """One SGD step on the reference model Dense(3, 4) -> ReLU -> Dense(4, 2).

    params / grads: [W1 (3, 4), b1 (4,), W2 (4, 2), b2 (2,)] in ``model.params()`` order,
    every entry nonzero and parameters and gradients different; lr and weight_decay chosen
    so that each known mistake gives a different result.
    """
    r = rng(config, "sgd_weight_decay" if weight_decay else "sgd_plain")
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    return {
        "sizes": [3, 4, 2],
        "params": [away_from_zero(r, s) for s in shapes],
        "grads": [away_from_zero(r, s) for s in shapes],
        "lr": 0.1,
        "weight_decay": 0.05 if weight_decay else 0.0,
    }


def hidden_task(config: CourseConfig, n: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X: (N, 2) Gaussian points, y: (N,) labels of a task the notebook never shows.

    An XOR of two half-planes through a point near the origin, turned by 20 to 70
    degrees (so the notebook's rule 1[x0 * x1 > 0] agrees with it on at most 4 points
    in 5), with the classes possibly swapped; all drawn from ``config.training_seed``.
    ``n`` points, TRAINING_POINTS by default.
    """
    r = np.random.default_rng([config.training_seed, 1])
    angle = np.deg2rad(r.uniform(20.0, 70.0)) + r.integers(0, 4) * np.pi / 2
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = r.uniform(-0.3, 0.3, size=2)
    swap = int(r.integers(0, 2))
    x = r.standard_normal((n or TRAINING_POINTS, 2))
    z = (x - centre) @ rotation
    return x, ((z[:, 0] * z[:, 1] > 0).astype(np.int64) ^ swap)


def training_case(config: CourseConfig) -> dict[str, Any]:
    """The hidden training run: the data of ``hidden_task``, with the seeds of the
    initial weights and of the mini-batch shuffles (drawn from the config's seeds, which
    never reach a sandbox themselves), and the schedule."""
    x, y = hidden_task(config)
    mixed = [config.seed, config.training_seed, zlib.crc32(b"training seeds")]
    seeds = np.random.default_rng(mixed).integers(0, 2**32, size=2)
    return {
        "X": x,
        "y": y,
        "init_seed": int(seeds[0]),
        "shuffle_seed": int(seeds[1]),
        **TRAINING_SCHEDULE,
    }


def probe_requests(config: CourseConfig) -> list[ProbeRequest]:
    """Everything the sandbox runs on a submission, one request per probe."""
    return [
        ProbeRequest("dense_backward", f"{PROBES}:dense_backward", dense_case(config)),
        ProbeRequest("relu_backward", f"{PROBES}:relu_backward", relu_case(config)),
        ProbeRequest("softmax", f"{PROBES}:softmax", softmax_case(config)),
        ProbeRequest(
            "softmax_large", f"{PROBES}:softmax", softmax_large_case(config), requires=("softmax",)
        ),
        ProbeRequest("sgd_plain", f"{PROBES}:sgd_step", sgd_case(config, weight_decay=False)),
        ProbeRequest(
            "sgd_weight_decay",
            f"{PROBES}:sgd_step",
            sgd_case(config, weight_decay=True),
            requires=("sgd_plain",),
        ),
        ProbeRequest(  # a piece that hangs would hang training too: do not pay twice
            "training",
            TRAINING_PROBE,
            training_case(config),
            timeout=config.training_timeout,
            requires=("dense_backward", "relu_backward", "softmax", "sgd_plain"),
        ),
    ]
