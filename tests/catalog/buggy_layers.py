"""Realistic mistakes in Dense.backward and ReLU.backward, one per entry.

Each entry loses exactly its piece's points (plus training_accuracy where the mistake
breaks training) and carries the diagnosis the feedback names.
"""

from __future__ import annotations

from tests.catalog.sources import DENSE, Entry, failing, variant

TRAINING_CRASHES = {"training_accuracy": "exception"}
TRAINING_TOO_LOW = {"training_accuracy": "accuracy too low"}


def dense(name: str, body: str, fails: dict[str, str | None], note: str = "") -> Entry:
    """The reference with Dense.backward's body replaced by ``body``."""
    code = "def backward(self, grad_out):\n" + body
    return variant(name, {"Dense.backward": code}, fails, note)


def relu(
    name: str,
    body: str,
    fails: dict[str, str | None],
    note: str = "",
    unpinned: tuple[str, ...] = (),
) -> Entry:
    """The reference with ReLU.backward's body replaced by ``body``."""
    code = "def backward(self, grad_out):\n" + body
    return variant(name, {"ReLU.backward": code}, fails, note, unpinned)


DENSE_BUGS = [
    dense(
        "dense_dw_transposed",
        """
    self.dW = grad_out.T @ self.x
    self.db = grad_out.sum(axis=0)
    return grad_out @ self.W.T
""",
        {"dense_backward_dw": "transposed dW", **TRAINING_CRASHES},
        "SGD then subtracts a (d_out, d_in) gradient from a (d_in, d_out) W",
    ),
    dense(
        "dense_dw_extra_1_over_n",
        """
    N = grad_out.shape[0]
    self.dW = self.x.T @ grad_out / N
    self.db = grad_out.sum(axis=0)
    return grad_out @ self.W.T
""",
        {"dense_backward_dw": "extra 1/N", **TRAINING_TOO_LOW},
    ),
    dense(
        "dense_dx_extra_1_over_n",
        """
    N = grad_out.shape[0]
    self.dW = self.x.T @ grad_out
    self.db = grad_out.sum(axis=0)
    return grad_out @ self.W.T / N
""",
        {"dense_backward_dx": "extra 1/N", **TRAINING_TOO_LOW},
    ),
    dense(
        "dense_db_averaged",
        """
    self.dW = self.x.T @ grad_out
    self.db = grad_out.mean(axis=0)
    return grad_out @ self.W.T
""",
        {"dense_backward_db": "db averaged over the batch"},
    ),
    dense(
        "dense_db_not_summed",
        """
    self.dW = self.x.T @ grad_out
    self.db = grad_out
    return grad_out @ self.W.T
""",
        {"dense_backward_db": "db not summed over the batch", **TRAINING_CRASHES},
    ),
    dense(
        "dense_db_wrong_axis",
        """
    self.dW = self.x.T @ grad_out
    self.db = grad_out.sum(axis=1)
    return grad_out @ self.W.T
""",
        {"dense_backward_db": "db summed over the wrong axis", **TRAINING_CRASHES},
    ),
    variant(
        "dense_dw_extra_factor_n",
        {
            "Dense.backward": """
    def backward(self, grad_out):
        N = grad_out.shape[0]
        self.dW = N * (self.x.T @ grad_out)
        self.db = grad_out.sum(axis=0)
        return grad_out @ self.W.T
"""
        },
        {"dense_backward_dw": "extra factor N"},
        "trains on 10 of 12 training seeds (0-11), so its training verdict is luck",
        unpinned=("training_accuracy",),
    ),
    dense(
        "dense_dw_local_variable",
        """
    dW = self.x.T @ grad_out
    self.db = grad_out.sum(axis=0)
    return grad_out @ self.W.T
""",
        {"dense_backward_dw": "dW left at zero", **TRAINING_TOO_LOW},
    ),
    dense(
        "dense_db_local_variable",
        """
    self.dW = self.x.T @ grad_out
    db = grad_out.sum(axis=0)
    return grad_out @ self.W.T
""",
        {"dense_backward_db": "db left at zero"},
        "biases stay 0; the quadrant data needs none",
    ),
    dense(
        "dense_dx_transposed",
        """
    self.dW = self.x.T @ grad_out
    self.db = grad_out.sum(axis=0)
    return self.W @ grad_out.T
""",
        {"dense_backward_dx": "dx transposed", **TRAINING_CRASHES},
    ),
    dense(
        "dense_dx_uses_w_not_transposed",
        """
    self.dW = self.x.T @ grad_out
    self.db = grad_out.sum(axis=0)
    return grad_out @ self.W
""",
        {"dense_backward_dx": "exception", **TRAINING_CRASHES},
        "grad_out @ W raises a shape error since d_in != d_out, on the return line: dW and "
        "db were stored right before it and keep their points",
    ),
    variant(
        "dense_weights_stored_transposed",
        {
            "Dense.__init__": """
    def __init__(self, in_features, out_features, weight_scale=0.01):
        self.W = weight_scale * np.random.randn(out_features, in_features)
        self.b = np.zeros(out_features)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.x = None
""",
            "Dense.forward": """
    def forward(self, x, training=True):
        self.x = x
        return x @ self.W.T + self.b
""",
            "Dense.backward": """
    def backward(self, grad_out):
        self.dW = grad_out.T @ self.x
        self.db = grad_out.sum(axis=0)
        return grad_out @ self.W
""",
        },
        {**failing(DENSE, "exception"), "training_accuracy": "parameter shapes"},
        "W stored as (d_out, d_in), PyTorch's convention: consistent in itself, but the "
        "notebook's Dense has W of shape (d_in, d_out)",
    ),
    variant(
        "dense_stale_cache",
        {
            "Dense.forward": """
    def forward(self, x, training=True):
        if self.x is None:
            self.x = x
        return x @ self.W + self.b
"""
        },
        {**failing(DENSE, "stale cache"), **TRAINING_CRASHES},
        "caches only the first batch; mini-batches of 64 then clash with it",
    ),
]

RELU_BUGS = [
    relu(
        "relu_mask_from_upstream",
        """
    return grad_out * (grad_out > 0)
""",
        {"relu_backward_dx": "mask from upstream gradient", **TRAINING_TOO_LOW},
    ),
    relu(
        "relu_forgot_upstream",
        """
    return self.mask.astype(float)
""",
        {"relu_backward_dx": "forgot upstream gradient", **TRAINING_TOO_LOW},
    ),
    relu(
        "relu_mask_inverted",
        """
    return grad_out * (~self.mask)
""",
        {"relu_backward_dx": "mask inverted", **TRAINING_TOO_LOW},
    ),
    relu(
        "relu_grad_unchanged",
        """
    return grad_out
""",
        {"relu_backward_dx": "mask not applied"},
        "trains on 3 of 12 training seeds (0.85-0.96), so its training verdict is luck",
        unpinned=("training_accuracy",),
    ),
    variant(
        "relu_returns_forward_output",
        {
            "ReLU.forward": """
    def forward(self, x, training=True):
        self.x = x
        self.mask = x > 0
        return np.maximum(0, x)
""",
            "ReLU.backward": """
    def backward(self, grad_out):
        return np.maximum(0, self.x)
""",
        },
        {"relu_backward_dx": "returns relu(x)", **TRAINING_TOO_LOW},
    ),
    variant(
        "relu_stale_mask",
        {
            "ReLU.forward": """
    def forward(self, x, training=True):
        if self.mask is None:
            self.mask = x > 0
        return np.maximum(0, x)
"""
        },
        {"relu_backward_dx": "stale mask", **TRAINING_CRASHES},
    ),
]
