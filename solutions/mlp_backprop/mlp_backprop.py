"""Instructor solution, generated from source/mlp_backprop/mlp_backprop.ipynb by `python -m autograder build`.

Do not edit: edit the master notebook and rebuild.
"""
import matplotlib.pyplot as plt
import numpy as np


class Layer:
    """Interface shared by every layer of the network.

    forward computes the output of the layer and caches what backward will need;
    backward receives dL/dy, stores the gradients of the layer's parameters and
    returns dL/dx.
    """

    def forward(self, x, training=True):
        """x: (N, d_in) input batch. Returns (N, d_out) output batch y."""
        raise NotImplementedError

    def backward(self, grad_out):
        """grad_out: (N, d_out) upstream gradient dL/dy. Returns (N, d_in) gradient dL/dx."""
        raise NotImplementedError

    def params(self):
        """The layer's parameter arrays; the optimiser updates them in place."""
        return []

    def grads(self):
        """The gradient arrays, in the same order and shapes as params()."""
        return []

    def zero_grads(self):
        """Reset the stored gradients to zero (nothing to do without parameters)."""


class Dense(Layer):
    """Fully connected layer y = x W + b.

    W: (d_in, d_out) weights, weight_scale times a standard normal sample
    b: (d_out,) bias, zeros at the start
    dW: (d_in, d_out) gradient dL/dW, written by backward
    db: (d_out,) gradient dL/db, written by backward
    """

    def __init__(self, in_features, out_features, weight_scale=0.01):
        self.W = weight_scale * np.random.randn(in_features, out_features)
        self.b = np.zeros(out_features)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.x = None  # input of the last forward pass, cached for backward

    def forward(self, x, training=True):
        """x: (N, d_in) input batch. Returns (N, d_out) output y = x W + b."""
        self.x = x
        return x @ self.W + self.b

    def params(self):
        return [self.W, self.b]

    def grads(self):
        return [self.dW, self.db]

    def zero_grads(self):
        self.dW.fill(0.0)
        self.db.fill(0.0)

    def backward(self, grad_out):
        """Store dL/dW in self.dW and dL/db in self.db; return dL/dx.

        grad_out: (N, d_out) upstream gradient dL/dy
        returns: (N, d_in) gradient dL/dx
        """
        # TODO(student): from the cached input self.x (N, d_in) and grad_out (N, d_out),
        #   set self.dW = dL/dW, shape (d_in, d_out),
        #   set self.db = dL/db, shape (d_out,),
        #   return dL/dx, shape (N, d_in).
        self.dW = self.x.T @ grad_out
        self.db = grad_out.sum(axis=0)
        return grad_out @ self.W.T


class ReLU(Layer):
    """Elementwise rectifier y = max(0, x); it has no parameters."""

    def __init__(self):
        self.mask = None  # x > 0 for the input of the last forward pass

    def forward(self, x, training=True):
        """x: (N, d) input batch. Returns (N, d) output max(0, x)."""
        self.mask = x > 0
        return np.maximum(x, 0.0)

    def backward(self, grad_out):
        """Return dL/dx: the upstream gradient where x > 0, zero elsewhere.

        grad_out: (N, d) upstream gradient dL/dy
        returns: (N, d) gradient dL/dx
        """
        # TODO(student): let grad_out (N, d) through where the forward input was positive
        #   (the cached boolean mask self.mask, shape (N, d)) and block it elsewhere;
        #   return dL/dx, shape (N, d).
        return grad_out * self.mask


def check_gradient_shapes(number, layer, grad_in, input_shape):
    """Raise ValueError, naming the layer and the array, when a gradient has a wrong shape.

    number: position of layer in the network, 1 for the first
    grad_in: what layer.backward returned, dL/dx, which must have input_shape,
             the shape of the layer's input x in the forward pass
    """
    where = f"layer {number} ({type(layer).__name__})"
    attributes = vars(layer)
    for p, g in zip(layer.params(), layer.grads()):
        if np.shape(g) != np.shape(p):
            grad_name = next((k for k, v in attributes.items() if v is g), "a gradient")
            param_name = next((k for k, v in attributes.items() if v is p), "its parameter")
            raise ValueError(
                f"{where}: backward stored {grad_name} with shape {np.shape(g)}, but "
                f"{param_name} has shape {np.shape(p)}. A gradient has the shape of the "
                "array it differentiates.")
    if np.shape(grad_in) != tuple(input_shape):
        raise ValueError(
            f"{where}: backward returned dL/dx with shape {np.shape(grad_in)}, but the "
            f"layer's input x had shape {tuple(input_shape)}.")


class Sequential(Layer):
    """Layers applied one after another: y = f_M(... f_2(f_1(x)) ...)."""

    def __init__(self, *layers):
        self.layers = list(layers)
        self.input_shapes = []  # shape of each layer's input in the last forward pass

    def forward(self, x, training=True):
        """x: (N, d_in) input of the first layer. Returns the output of the last layer."""
        self.input_shapes = []
        for layer in self.layers:
            self.input_shapes.append(np.shape(x))
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad_out):
        """grad_out: (N, d_out) upstream gradient dL/dy of the last layer's output.

        Returns dL/dx for the input of the first layer; on the way, every layer
        stores the gradients of its own parameters, and their shapes are checked.
        """
        for number in range(len(self.layers), 0, -1):
            layer = self.layers[number - 1]
            grad_out = layer.backward(grad_out)
            check_gradient_shapes(number, layer, grad_out, self.input_shapes[number - 1])
        return grad_out

    def params(self):
        return [p for layer in self.layers for p in layer.params()]

    def grads(self):
        return [g for layer in self.layers for g in layer.grads()]

    def zero_grads(self):
        for layer in self.layers:
            layer.zero_grads()


def softmax_cross_entropy_with_logits(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    logits: (N, C) unnormalised class scores Z
    y: (N,) integer labels in {0, ..., C-1}
    returns: (loss, dlogits), loss a float, dlogits: (N, C) gradient dL/dlogits
    """
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)  # largest entry of each row is 0
    exp_shifted = np.exp(shifted)
    probs = exp_shifted / exp_shifted.sum(axis=1, keepdims=True)  # (N, C), rows sum to 1
    loss = -np.log(probs[np.arange(N), y] + 1e-12).mean()

    # TODO(student): compute dlogits = dL/dlogits, shape (N, C), from probs (N, C),
    #   the labels y (N,) and the batch size N (see the boxed formula above),
    #   then return (loss, dlogits).
    dlogits = probs.copy()
    dlogits[np.arange(N), y] -= 1.0
    dlogits /= N
    return loss, dlogits


def accuracy_from_logits(logits, y):
    """Fraction of rows whose largest logit is at the label.

    logits: (N, C) class scores
    y: (N,) integer labels in {0, ..., C-1}
    returns: float in [0, 1]
    """
    return float(np.mean(np.argmax(logits, axis=1) == y))


class SGD:
    """Gradient descent with weight decay: p <- p - lr * (dL/dp + weight_decay * p)."""

    def __init__(self, lr=1e-2, weight_decay=0.0):
        self.lr = lr
        self.weight_decay = weight_decay

    def step(self, model):
        """Update every array of model.params() in place, using model.grads().

        model: a Layer whose params() and grads() list arrays of matching shapes
        """
        # TODO(student): for each parameter array p and its gradient g (same shape),
        #   subtract lr * (g + weight_decay * p) from p IN PLACE, so that the arrays
        #   held by the layers change. Nothing to return.
        for p, g in zip(model.params(), model.grads()):
            p -= self.lr * (g + self.weight_decay * p)


def set_seed(seed):
    """Seed NumPy's global random generator, used by Dense and make_toy_data.

    seed: int
    """
    np.random.seed(seed)


def make_toy_data(n=400, seed=0):
    """Points in the plane labelled by quadrant: class 1 where x1 and x2 have the same sign.

    n: number of points; seed: seed of the global generator
    returns: (X, y), X: (n, 2) standard normal points, y: (n,) integer labels in {0, 1}
    """
    set_seed(seed)
    X = np.random.randn(n, 2)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


def build_model(seed=0):
    """The network of this assignment, 2 -> 64 -> 64 -> 2 with ReLU after each hidden layer.

    seed: seed of the global generator, set just before the weights are drawn
    returns: Sequential model
    """
    set_seed(seed)
    return Sequential(
        Dense(2, 64, weight_scale=0.1),
        ReLU(),
        Dense(64, 64, weight_scale=0.1),
        ReLU(),
        Dense(64, 2, weight_scale=0.1),
    )


def train_step(model, X, y, opt, loss_fn=None):
    """One step of the protocol: forward, loss, zero_grads, backward, step.

    X: (N, d_in) batch; y: (N,) integer labels
    loss_fn: the loss and its gradient, softmax_cross_entropy_with_logits when None
    returns: (loss, logits), both computed before the update
    """
    loss_fn = loss_fn or softmax_cross_entropy_with_logits
    logits = model.forward(X, training=True)
    loss, dlogits = loss_fn(logits, y)
    model.zero_grads()
    model.backward(dlogits)
    opt.step(model)
    return loss, logits


def run_epoch(model, X, y, opt, batch_size, loss_fn=None):
    """One pass over (X, y): a single full-batch step, or shuffled mini-batches.

    returns: (loss, accuracy) of the epoch
    """
    if batch_size is None:
        loss, _ = train_step(model, X, y, opt, loss_fn)
        return float(loss), accuracy_from_logits(model.forward(X, training=False), y)
    order = np.random.permutation(X.shape[0])
    losses, accuracies = [], []
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        loss, logits = train_step(model, X[batch], y[batch], opt, loss_fn)
        losses.append(loss)
        accuracies.append(accuracy_from_logits(logits, y[batch]))
    return float(np.mean(losses)), float(np.mean(accuracies))


def train(model, X, y, opt, epochs, batch_size=None, seed=0, log_every=50, loss_fn=None):
    """Train model on (X, y) for a number of epochs and record the loss and accuracy.

    X: (N, d_in) inputs; y: (N,) integer labels
    batch_size: None for full-batch steps, else the mini-batch size
    seed: seeds the global generator first (it drives the shuffling of mini-batches)
    log_every: print the loss and accuracy every log_every epochs (0: never)
    loss_fn: the loss and its gradient, softmax_cross_entropy_with_logits when None
    returns: history dict of lists 'epoch', 'loss', 'acc', one entry per epoch
    """
    set_seed(seed)
    history = {"epoch": [], "loss": [], "acc": []}
    for epoch in range(1, epochs + 1):
        loss, acc = run_epoch(model, X, y, opt, batch_size, loss_fn)
        history["epoch"].append(epoch)
        history["loss"].append(loss)
        history["acc"].append(acc)
        if log_every and epoch % log_every == 0:
            print(f"epoch={epoch:4d} loss={loss:.4f} acc={acc:.3f}")
    return history
