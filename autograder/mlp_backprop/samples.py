"""Sample submissions with realistic mistakes: text edits of the correct answer cells.

Each entry is ``name: [(old, new), ...]``; ``python -m autograder build`` writes
``samples/mlp_backprop/<name>.ipynb`` and fails if an ``old`` text is not found.
"""

MUTATIONS: dict[str, list[tuple[str, str]]] = {
    "dense_dw_transposed": [("self.dW = self.x.T @ grad_out", "self.dW = grad_out.T @ self.x")],
    "relu_mask_from_upstream": [
        ("return grad_out * self.mask", "return grad_out * (grad_out > 0)")
    ],
    "softmax_missing_mean": [("    dlogits /= N\n", "")],
    "sgd_rebinds_parameters": [
        (
            "p -= self.lr * (g + self.weight_decay * p)",
            "p = p - self.lr * (g + self.weight_decay * p)",
        )
    ],
}
