"""Does the instructor's solution module pass its own finite-difference checks and train?"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from autograder.checktools import central_difference, relative_error
from autograder.paths import solutions_dir
from tests.helpers import ASSIGNMENT


@pytest.fixture(scope="module")
def mlp():
    path = solutions_dir(ASSIGNMENT) / f"{ASSIGNMENT}.py"
    spec = importlib.util.spec_from_file_location("solution_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_gradient(analytic, numeric, rtol=1e-6):
    assert analytic.shape == numeric.shape
    err, where = relative_error(analytic, numeric)
    assert err < rtol, f"relative error {err:.2e} at {where}"


def test_dense_backward_matches_finite_differences(mlp):
    rng = np.random.default_rng(0)
    layer = mlp.Dense(5, 3)
    x, grad_out = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer.forward(x)
    dx = layer.backward(grad_out)

    def loss_of(W=layer.W, b=layer.b, x=x):
        return float(np.sum((x @ W + b) * grad_out))

    assert_gradient(dx, central_difference(lambda v: loss_of(x=v), x, 1e-6))
    assert_gradient(layer.dW, central_difference(lambda v: loss_of(W=v), layer.W, 1e-6))
    assert_gradient(layer.db, central_difference(lambda v: loss_of(b=v), layer.b, 1e-6))


def test_relu_backward_matches_finite_differences(mlp):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6))
    x = np.where(np.abs(x) < 0.1, 0.5, x)
    grad_out = rng.standard_normal(x.shape)
    relu = mlp.ReLU()
    relu.forward(x)
    numeric = central_difference(lambda v: float(np.sum(np.maximum(v, 0) * grad_out)), x, 1e-6)
    assert_gradient(relu.backward(grad_out), numeric)


def test_softmax_gradient_matches_finite_differences(mlp):
    rng = np.random.default_rng(2)
    logits, y = rng.standard_normal((5, 3)), np.array([0, 1, 2, 1, 0])
    _, dlogits = mlp.softmax_cross_entropy_with_logits(logits, y)
    numeric = central_difference(
        lambda z: float(mlp.softmax_cross_entropy_with_logits(z, y)[0]), logits, 1e-6
    )
    assert_gradient(dlogits, numeric, rtol=1e-5)


def test_sgd_step_updates_every_parameter_in_place(mlp):
    model = mlp.Sequential(mlp.Dense(3, 2), mlp.ReLU(), mlp.Dense(2, 2))
    rng = np.random.default_rng(3)
    for g in model.grads():
        g[...] = rng.standard_normal(g.shape)
    params = model.params()
    before = [p.copy() for p in params]
    mlp.SGD(lr=0.1, weight_decay=0.01).step(model)
    for p, p0, g, after in zip(params, before, model.grads(), model.params(), strict=True):
        assert after is p
        np.testing.assert_allclose(p, p0 - 0.1 * (g + 0.01 * p0), rtol=1e-12)


def test_minibatch_training_reaches_the_configured_accuracy(mlp, config):
    X, y = mlp.make_toy_data(400, seed=0)
    model = mlp.build_model()
    opt = mlp.SGD(lr=1e-2, weight_decay=1e-4)
    mlp.train(model, X, y, opt, epochs=300, log_every=0)
    history = mlp.train(model, X, y, opt, epochs=300, batch_size=64, seed=0, log_every=0)
    assert history["acc"][-1] >= config.min_train_accuracy
