"""Correct implementations that differ from the reference: each must earn full marks."""

from __future__ import annotations

from tests.catalog.sources import variant

SOFTMAX_HEAD = """
def softmax_cross_entropy_with_logits(logits, y):
    N, C = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y] + 1e-12).mean()
"""


def method(qualname: str, signature: str, body: str) -> dict[str, str]:
    """{qualname: the def with ``signature`` and ``body``}."""
    return {qualname: f"def {signature}:\n{body}"}


CORRECT = [
    variant(
        "dense_einsum",
        method(
            "Dense.backward",
            "backward(self, grad_out)",
            """
    self.dW = np.einsum("ni,no->io", self.x, grad_out)
    self.db = np.einsum("no->o", grad_out)
    return np.einsum("no,io->ni", grad_out, self.W)
""",
        ),
        {},
    ),
    variant(
        "dense_explicit_loops",
        method(
            "Dense.backward",
            "backward(self, grad_out)",
            """
    dW = np.zeros_like(self.W)
    db = np.zeros_like(self.b)
    dx = np.zeros_like(self.x, dtype=float)
    for n in range(grad_out.shape[0]):
        dW += np.outer(self.x[n], grad_out[n])
        db += grad_out[n]
        dx[n] = self.W @ grad_out[n]
    self.dW, self.db = dW, db
    return dx
""",
        ),
        {},
    ),
    variant(
        "dense_accumulates_after_zero_grads",
        method(
            "Dense.backward",
            "backward(self, grad_out)",
            """
    self.dW += self.x.T @ grad_out
    self.db += np.sum(grad_out, axis=0)
    return np.dot(grad_out, self.W.T)
""",
        ),
        {},
    ),
    variant(
        "dense_matmul_out",
        method(
            "Dense.backward",
            "backward(self, grad_out)",
            """
    np.matmul(self.x.T, grad_out, out=self.dW)
    np.sum(grad_out, axis=0, out=self.db)
    return grad_out.dot(self.W.T)
""",
        ),
        {},
    ),
    variant(
        "relu_np_where",
        method(
            "ReLU.backward",
            "backward(self, grad_out)",
            """
    return np.where(self.mask, grad_out, 0.0)
""",
        ),
        {},
    ),
    variant(
        "relu_maximum_mask",
        {
            "ReLU.forward": """
    def forward(self, x, training=True):
        self.x = x
        self.mask = x > 0
        return np.maximum(0, x)
""",
            "ReLU.backward": """
    def backward(self, grad_out):
        return grad_out * np.sign(np.maximum(self.x, 0))
""",
        },
        {},
    ),
    variant(
        "relu_copy_and_zero",
        method(
            "ReLU.backward",
            "backward(self, grad_out)",
            """
    dx = np.array(grad_out, dtype=float, copy=True)
    dx[~self.mask] = 0.0
    return dx
""",
        ),
        {},
    ),
    variant(
        "softmax_log_sum_exp",
        {
            "softmax_cross_entropy_with_logits": """
def softmax_cross_entropy_with_logits(logits, y):
    N = logits.shape[0]
    top = logits.max(axis=1, keepdims=True)
    log_probs = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1
    return loss, dlogits / N
"""
        },
        {},
    ),
    variant(
        "softmax_one_hot_eye",
        {
            "softmax_cross_entropy_with_logits": SOFTMAX_HEAD
            + """
    Y = np.eye(C)[y]
    dlogits = (probs - Y) / N
    return loss, dlogits
"""
        },
        {},
    ),
    variant(
        "softmax_row_loop",
        {
            "softmax_cross_entropy_with_logits": SOFTMAX_HEAD
            + """
    dlogits = np.empty_like(probs)
    for n in range(N):
        for c in range(C):
            dlogits[n, c] = (probs[n, c] - (1.0 if c == y[n] else 0.0)) / N
    return loss, dlogits
"""
        },
        {},
    ),
    variant(
        "sgd_subtract_out",
        method(
            "SGD.step",
            "step(self, model)",
            """
    for p, g in zip(model.params(), model.grads()):
        np.subtract(p, self.lr * (g + self.weight_decay * p), out=p)
""",
        ),
        {},
    ),
    variant(
        "sgd_decoupled_weight_decay",
        method(
            "SGD.step",
            "step(self, model)",
            """
    for p, g in zip(model.params(), model.grads()):
        p *= 1.0 - self.lr * self.weight_decay
        p -= self.lr * g
""",
        ),
        {},
    ),
    variant(
        "sgd_iterates_layers",
        method(
            "SGD.step",
            "step(self, model)",
            """
    for layer in model.layers:
        for name in ("W", "b"):
            if hasattr(layer, name):
                p, g = getattr(layer, name), getattr(layer, "d" + name)
                p -= self.lr * (g + self.weight_decay * p)
""",
        ),
        {},
    ),
    variant(
        "sgd_slice_assignment",
        method(
            "SGD.step",
            "step(self, model)",
            """
    grads = model.grads()
    for i, p in enumerate(model.params()):
        p[...] = p - self.lr * grads[i] - self.lr * self.weight_decay * p
""",
        ),
        {},
    ),
]
