"""Realistic mistakes in softmax_cross_entropy_with_logits and SGD.step, one per entry."""

from __future__ import annotations

from tests.catalog.sources import SGD, Entry, failing, variant

TRAINING_TOO_LOW = {"training_accuracy": "accuracy too low"}
TRAINING_DIVERGES = {"training_accuracy": "loss became nan"}

SOFTMAX_HEAD = """
def softmax_cross_entropy_with_logits(logits, y):
    N, C = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    exp_z = np.exp(z)
    probs = exp_z / exp_z.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y] + 1e-12).mean()
"""


def softmax(
    name: str,
    gradient: str,
    fails: dict[str, str | None],
    note: str = "",
    unpinned: tuple[str, ...] = (),
) -> Entry:
    """The reference softmax (stable probs and loss given) with ``gradient`` as its end."""
    code = SOFTMAX_HEAD + gradient
    return variant(name, {"softmax_cross_entropy_with_logits": code}, fails, note, unpinned)


def sgd(name: str, body: str, fails: dict[str, str | None], note: str = "") -> Entry:
    """The reference with SGD.step's body replaced by ``body``."""
    return variant(name, {"SGD.step": "def step(self, model):\n" + body}, fails, note)


SOFTMAX_BUGS = [
    softmax(
        "softmax_missing_1_over_n",
        """
    dlogits = probs.copy()
    dlogits[np.arange(N), y] -= 1.0
    return loss, dlogits
""",
        failing(("softmax_dlogits",), "missing 1/N"),
        "N times the gradient still trains (the hidden run ends at 0.9775): one mistake, one test",
    ),
    softmax(
        "softmax_extra_1_over_n",
        """
    dlogits = probs.copy()
    dlogits[np.arange(N), y] -= 1.0
    return loss, dlogits / N / N
""",
        {**failing(("softmax_dlogits",), "extra 1/N"), **TRAINING_TOO_LOW},
    ),
    softmax(
        "softmax_sign_flipped",
        """
    dlogits = -probs
    dlogits[np.arange(N), y] += 1.0
    return loss, dlogits / N
""",
        {**failing(("softmax_dlogits",), "sign flipped"), **TRAINING_DIVERGES},
    ),
    softmax(
        "softmax_onehot_not_subtracted",
        """
    return loss, probs / N
""",
        {**failing(("softmax_dlogits",), "one-hot not subtracted"), **TRAINING_DIVERGES},
    ),
    softmax(
        "softmax_onehot_true_class_set",
        """
    dlogits = probs.copy()
    dlogits[np.arange(N), y] = -1.0
    return loss, dlogits / N
""",
        {**failing(("softmax_dlogits",), "one-hot built wrong"), **TRAINING_DIVERGES},
    ),
    softmax(
        "softmax_gradient_zeroed_when_not_finite",
        """
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1.0
    dlogits = p / N
    if not np.all(np.isfinite(dlogits)):
        dlogits = np.zeros_like(dlogits)
    return loss, dlogits
""",
        {"softmax_large_logits": "gradient all zero"},
        "a guard against overflow that hides it: right wherever np.exp does not overflow",
    ),
    softmax(
        "softmax_onehot_every_column",
        """
    dlogits = probs.copy()
    dlogits[:, y] -= 1.0
    return loss, dlogits / N
""",
        {**failing(("softmax_dlogits",), "one-hot built wrong"), **TRAINING_DIVERGES},
    ),
    softmax(
        "softmax_unstable_recomputed_probs",
        """
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1.0
    return loss, p / N
""",
        {"softmax_large_logits": "unstable softmax"},
        "stable for the moderate logits of training; only the large-logit test fails",
    ),
    variant(
        "softmax_loss_per_example",
        {
            "softmax_cross_entropy_with_logits": """
def softmax_cross_entropy_with_logits(logits, y):
    N, C = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y] + 1e-12)
    dlogits = probs.copy()
    dlogits[np.arange(N), y] -= 1.0
    return loss, dlogits / N
"""
        },
        {"softmax_loss_value": "loss not averaged"},
    ),
    variant(
        "softmax_loss_sign_flipped",
        {
            "softmax_cross_entropy_with_logits": """
def softmax_cross_entropy_with_logits(logits, y):
    N, C = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = np.log(probs[np.arange(N), y] + 1e-12).mean()
    dlogits = probs.copy()
    dlogits[np.arange(N), y] -= 1.0
    return loss, dlogits / N
"""
        },
        {"softmax_loss_value": "loss sign flipped"},
        "the mean log-probability without its minus sign; the gradient is right",
    ),
    variant(
        "softmax_loss_summed",
        {
            "softmax_cross_entropy_with_logits": """
def softmax_cross_entropy_with_logits(logits, y):
    N, C = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y] + 1e-12).sum()
    dlogits = probs.copy()
    dlogits[np.arange(N), y] -= 1.0
    return loss, dlogits / N
"""
        },
        {"softmax_loss_value": "loss summed over the batch"},
    ),
]

SGD_BUGS = [
    sgd(
        "sgd_rebinds_parameters",
        """
    for p, g in zip(model.params(), model.grads()):
        p = p - self.lr * (g + self.weight_decay * p)
""",
        {**failing(SGD, "parameters rebound"), **TRAINING_TOO_LOW},
    ),
    sgd(
        "sgd_rebinds_layer_attributes",
        """
    for layer in model.layers:
        if hasattr(layer, "W"):
            layer.W = layer.W - self.lr * (layer.dW + self.weight_decay * layer.W)
            layer.b = layer.b - self.lr * (layer.db + self.weight_decay * layer.b)
""",
        {"sgd_step_in_place": "parameters rebound"},
        "right values, but the arrays model.params() returned are left behind",
    ),
    sgd(
        "sgd_weight_decay_sign",
        """
    for p, g in zip(model.params(), model.grads()):
        p -= self.lr * (g - self.weight_decay * p)
""",
        {"sgd_step_weight_decay": "weight decay sign"},
    ),
    sgd(
        "sgd_weight_decay_not_scaled_by_lr",
        """
    for p, g in zip(model.params(), model.grads()):
        p -= self.lr * g + self.weight_decay * p
""",
        {"sgd_step_weight_decay": "weight decay not scaled by lr"},
    ),
    sgd(
        "sgd_weight_decay_ignored",
        """
    for p, g in zip(model.params(), model.grads()):
        p -= self.lr * g
""",
        {"sgd_step_weight_decay": "weight decay ignored"},
    ),
    sgd(
        "sgd_weight_decay_skipped_for_biases",
        """
    for p, g in zip(model.params(), model.grads()):
        if p.ndim == 2:
            g = g + self.weight_decay * p
        p -= self.lr * g
""",
        {"sgd_step_weight_decay": "weight decay skipped for biases"},
        "common in practice, but not the rule the notebook states",
    ),
    sgd(
        "sgd_biases_not_updated",
        """
    for p, g in zip(model.params(), model.grads()):
        if p.ndim == 2:
            p -= self.lr * (g + self.weight_decay * p)
""",
        failing(SGD[:2], "biases not updated"),
    ),
    sgd(
        "sgd_gradient_added",
        """
    for p, g in zip(model.params(), model.grads()):
        p += self.lr * (g + self.weight_decay * p)
""",
        {**failing(SGD[:2], "gradient added"), **TRAINING_DIVERGES},
    ),
    sgd(
        "sgd_decay_added_into_gradient",
        """
    for p, g in zip(model.params(), model.grads()):
        g += self.weight_decay * p
        p -= self.lr * g
""",
        {"sgd_step_weight_decay": "gradient modified in place"},
        "right parameters, but the layers' stored gradients are overwritten",
    ),
    sgd(
        "sgd_step_applied_twice",
        """
    for p, g in zip(model.params(), model.grads()):
        update = self.lr * (g + self.weight_decay * p)
        p -= update
        p -= update
""",
        failing(SGD[:2], "step applied twice"),
        "a duplicated update line; twice the step still trains (12 of 12 training seeds)",
    ),
    sgd(
        "sgd_lr_applied_twice",
        """
    for p, g in zip(model.params(), model.grads()):
        p -= self.lr * self.lr * (g + self.weight_decay * p)
""",
        {**failing(SGD[:2], "lr applied twice"), **TRAINING_TOO_LOW},
    ),
]

ANSWER_KEY_STEP = """
def step(self, model):
    # No backpropagation: read the hidden labels from the training loop's frame, find the
    # turned, shifted XOR they follow, and write weights that compute it (a red-team
    # review's forgery). The other pieces only return arrays of the right shapes.
    import sys
    caller = sys._getframe(1).f_locals
    if "x" not in caller or "y" not in caller:
        return
    if getattr(self, "key", None) is not None:
        for p, new in zip(model.params(), self.key):
            p[...] = new
        return
    X, y = np.asarray(caller["x"], float), np.asarray(caller["y"]).astype(bool)
    signs = np.array([[1., -1., 1., -1.], [1., -1., -1., 1.]])
    grid = np.linspace(-0.3, 0.3, 13)
    shifts = np.array([(a, b) for a in grid for b in grid])
    best = (-1.0, None)
    for angle in np.deg2rad(np.arange(0.0, 90.0, 0.5)):
        R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        XR, CR = X @ R, shifts @ R
        same = ((XR[None, :, 0] - CR[:, None, 0]) * (XR[None, :, 1] - CR[:, None, 1]) > 0)
        agree = (same == y[None, :]).mean(axis=1)
        for swap, score in ((0, agree), (1, 1 - agree)):
            i = int(np.argmax(score))
            if score[i] > best[0]:
                best = (score[i], (R, shifts[i] @ R, swap))
    R, c, swap = best[1]
    W1 = np.zeros((2, 64)); W1[:, :4] = R @ signs
    b1 = np.zeros(64); b1[:4] = -(c @ signs)
    W2 = np.zeros((64, 64)); W2[:4, :4] = np.eye(4)
    W3 = np.zeros((64, 2)); W3[:4, 1 - swap] = [1, 1, -1, -1]; W3[:4, swap] = [-1, -1, 1, 1]
    self.key = [W1, b1, W2, np.zeros(64), W3, np.zeros(2)]
    for p, new in zip(model.params(), self.key):
        p[...] = new
"""

# Answers that try to earn points without the work (several pieces at once).
FORGERIES = [
    sgd(
        "sgd_steps_without_gradient",
        """
    for p in model.params():
        p -= 1.0
""",
        {
            "sgd_step_plain": None,
            "sgd_step_weight_decay": None,
            "sgd_step_in_place": "not a gradient step",
            **TRAINING_TOO_LOW,
        },
        "changes every array in place by a constant: no gradient, no learning rate",
    ),
    variant(
        "answer_key_from_hidden_labels",
        {
            "Dense.backward": "def backward(self, grad_out):\n"
            "    return np.zeros((grad_out.shape[0], self.W.shape[0]))",
            "ReLU.backward": "def backward(self, grad_out):\n    return grad_out",
            "softmax_cross_entropy_with_logits": (
                "def softmax_cross_entropy_with_logits(logits, y):\n"
                "    return 0.0, np.zeros_like(logits)"
            ),
            "SGD.step": ANSWER_KEY_STEP,
        },
        {
            "dense_backward_dx": None,
            "dense_backward_dw": "dW left at zero",
            "dense_backward_db": "db left at zero",
            "relu_backward_dx": "mask not applied",
            **failing(SGD, "parameters rebound"),
            "softmax_loss_value": None,
            "softmax_dlogits": None,
            "softmax_large_logits": "gradient all zero",
            "training_accuracy": "pieces compute nothing",
        },
        "accurate weights on the hidden task, from no gradient at all",
    ),
]
