"""Does SGD.step apply theta <- theta - lr * (g + weight_decay * theta), in place?

The step runs on the kit's reference model, whose parameters and gradients the case sets;
the truth is that formula in float64, compared parameter by parameter (biases included).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checktools import (
    CheckFailed,
    Mistake,
    as_array,
    expect_close,
    points_like_one_of,
    probe_with_shapes,
    recognise,
)
from autograder.mlp_backprop.cases import sgd_case

NAMES = (
    "W of the first Dense",
    "b of the first Dense",
    "W of the second Dense",
    "b of the second Dense",
)
SHAPES = "each gradient in model.grads() has the shape of its parameter in model.params()."
REBOUND = (
    "an assignment such as `p = p - ...` builds a new array and rebinds a name to it, "
    "so the model's own arrays keep their old values. Update each array in place "
    "(Section 9, 'The update must happen in place')."
)
IN_PLACE_FIX = "Fix: p -= self.lr * (g + self.weight_decay * p)"


ATTRIBUTE_REBOUND = (
    "After SGD.step some layer's W or b is a new array, not the one model.params() returned "
    "before the step: `layer.W = layer.W - ...` (like `p = p - ...`) builds a new array, and "
    "whatever still holds the old one never sees the update. Update the arrays in place."
)
GRADIENTS_CHANGED = (
    "SGD.step changed the gradient arrays stored in the layers (model.grads()); {names} "
    "no longer hold(s) dL/dtheta after the step. Adding the weight-decay term into g in "
    "place overwrites the gradient the layer stored: compute g + weight_decay * p as a "
    "new array."
)


def update(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    lr: float,
    wd: float,
    which: range | None = None,
) -> list[np.ndarray]:
    """Every theta - lr * (g + wd * theta); parameters outside ``which`` stay as they are."""
    which = range(len(params)) if which is None else which
    return [
        p - lr * (g + wd * p) if i in which else p.copy()
        for i, (p, g) in enumerate(zip(params, grads, strict=True))
    ]


def want_params(case: dict[str, Any]) -> list[np.ndarray]:
    """The parameters after one exact step, in ``model.params()`` order."""
    return update(case["params"], case["grads"], case["lr"], case["weight_decay"])


def flat(arrays: list[np.ndarray]) -> np.ndarray:
    """Every parameter's entries in one vector, in ``model.params()`` order."""
    return np.concatenate([np.ravel(a) for a in arrays])


def mistakes(case: dict[str, Any]) -> list[Mistake]:
    """The parameters after one step under each known mistake, flattened."""
    p, g, lr, wd = case["params"], case["grads"], case["lr"], case["weight_decay"]
    weights = range(0, len(p), 2)
    found = [
        Mistake(
            "parameters rebound",
            "the model's parameters did not change: " + REBOUND,
            flat(p),
            IN_PLACE_FIX,
        ),
        Mistake(
            "gradient added",
            "the parameters moved along the gradient: subtract lr * g to go downhill.",
            flat(update(p, [-x for x in g], lr, -wd)),
        ),
        Mistake(
            "biases not updated",
            "the weights are right but the biases b kept their "
            "values: model.params() holds the biases too; update every parameter.",
            flat(update(p, g, lr, wd, weights)),
        ),
        Mistake(
            "lr applied twice",
            "the step is lr times too small: multiply by lr once.",
            flat(update(p, g, lr * lr, wd)),
        ),
        Mistake(
            "step applied twice",
            "every parameter moved twice as far: apply the update once per parameter.",
            flat(update(p, g, 2 * lr, wd)),
        ),
    ]
    if wd:
        found += wd_mistakes(p, g, lr, wd)
    return found


def wd_mistakes(p: list[np.ndarray], g: list[np.ndarray], lr: float, wd: float) -> list[Mistake]:
    """The known weight-decay mistakes (each invisible when weight_decay is 0)."""
    return [
        Mistake(
            "weight decay sign",
            "weight decay pushed the parameters away from zero; it must shrink them towards zero.",
            flat(update(p, g, lr, -wd)),
            IN_PLACE_FIX,
        ),
        Mistake(
            "weight decay not scaled by lr",
            "the decay term weight_decay * p was "
            "subtracted without the factor lr; the learning rate multiplies the whole "
            "bracket (gradient plus decay).",
            flat([q - lr * d - wd * q for q, d in zip(p, g, strict=True)]),
            IN_PLACE_FIX,
        ),
        Mistake(
            "weight decay ignored",
            "the step is right for weight_decay = 0 but ignores "
            "self.weight_decay: add weight_decay * p to the gradient.",
            flat(update(p, g, lr, 0.0)),
        ),
        Mistake(
            "weight decay skipped for biases",
            "the biases were updated without weight "
            "decay; the rule here applies it to every parameter, biases included.",
            flat(
                [
                    q - lr * (d + (wd * q if i % 2 == 0 else 0.0))
                    for i, (q, d) in enumerate(zip(p, g, strict=True))
                ]
            ),
        ),
    ]


def expect_step(got: list[Any], case: dict[str, Any], rtol: float) -> None:
    """Pass when every parameter equals the exact update; otherwise say which and how."""
    want = want_params(case)
    if len(got) != len(want):
        raise CheckFailed(
            f"model.params() has {len(got)} arrays after the step, expected "
            f"{len(want)}: keep the model's list of parameters as it is."
        )
    got = [as_array(f"{name} after SGD.step", p) for name, p in zip(NAMES, got, strict=True)]
    if all(a.shape == w.shape for a, w in zip(got, want, strict=True)):
        known = recognise(flat(got), mistakes(case), rtol)
        if known:
            raise CheckFailed(f"After one SGD.step: {known.hint}", known.name)
    for name, a, w in zip(NAMES, got, want, strict=True):
        expect_close(f"{name} after SGD.step", a, w, rtol)


def test_sgd_step_plain(submission, config):
    out = probe_with_shapes(submission, "sgd_plain", SHAPES)
    expect_step(out["params"], sgd_case(config, False), config.value_rtol)


def expect_gradients_kept(got: list[Any], case: dict[str, Any]) -> None:
    """Pass when the step left every gradient array of the model as it was."""
    changed = [
        name
        for name, a, g in zip(NAMES, got, case["grads"], strict=True)
        if not np.array_equal(as_array(f"the gradient of {name}", a), g)
    ]
    if changed:
        raise CheckFailed(
            GRADIENTS_CHANGED.format(names=", ".join(f"d({n})" for n in changed)),
            "gradient modified in place",
            "Fix: p -= self.lr * (g + self.weight_decay * p), without g += ...",
        )


def test_sgd_step_weight_decay(submission, config):
    out = probe_with_shapes(submission, "sgd_weight_decay", SHAPES)
    case = sgd_case(config, True)
    expect_step(out["params"], case, config.value_rtol)
    expect_gradients_kept(out["grads"], case)


DOWNHILL = 0.999  # |cosine| between the change and that of the step or a known mistake
NOT_DOWNHILL = (
    "SGD.step changed the arrays of model.params() in place, but not along the "
    "gradient: each parameter must move by -lr times its gradient."
)


def steps_downhill(after: list[Any], case: dict[str, Any]) -> bool:
    """Whether the parameters moved the way the right step or a known mistake moves them
    (at any scale): a step that ignores the gradient does not."""
    start = flat(case["params"])
    change = flat([np.asarray(a, dtype=float) for a in after]) - start
    moves = [flat(want_params(case)) - start]
    moves += [m.output - start for m in mistakes(case) if m.name != "parameters rebound"]
    return points_like_one_of(change, moves, DOWNHILL)


def test_sgd_step_in_place(submission, config):
    out = probe_with_shapes(submission, "sgd_plain", SHAPES)
    initial = sgd_case(config, False)["params"]
    if not all(out["same_objects"]):
        raise CheckFailed(ATTRIBUTE_REBOUND, "parameters rebound", IN_PLACE_FIX)
    if all(
        np.array_equal(np.asarray(a), b) for a, b in zip(out["originals"], initial, strict=True)
    ):
        raise CheckFailed(
            "SGD.step left the arrays of model.params() unchanged: " + REBOUND,
            "parameters rebound",
            IN_PLACE_FIX,
        )
    if not steps_downhill(out["originals"], sgd_case(config, False)):
        raise CheckFailed(NOT_DOWNHILL, "not a gradient step")
