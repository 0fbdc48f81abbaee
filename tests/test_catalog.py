"""Do the hidden checks give every catalog submission exactly the verdicts it should?

Every entry of ``tests/catalog`` runs through the real probes, each in a fork of this
process as nbgrader's hidden test cells run them in the student's kernel, and the real
checks (one ``run_checks`` call for the whole catalog). Correct variants must score full marks, each
buggy one must lose exactly the tests its registry entry names with the named diagnosis,
and the untouched stubs must fail everything as "not implemented".
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from autograder.checking import Verdict
from autograder.checktools import relative_error
from autograder.config import graded_tests
from autograder.mlp_backprop import cases, probe_requests
from autograder.mlp_backprop import test_dense as dense
from autograder.mlp_backprop import test_relu as relu
from autograder.mlp_backprop import test_sgd as sgd
from autograder.mlp_backprop import test_softmax as softmax
from autograder.mlp_backprop import test_training as training
from tests.catalog import ALL_TESTS, BUGGY, CORRECT, ENTRIES, STUBS, Entry
from tests.helpers import ASSIGNMENT, failures


def score(verdicts: dict[str, Verdict]) -> float:
    return sum(spec.points for spec in graded_tests(ASSIGNMENT) if verdicts[spec.id].passed)


def test_the_registry_names_every_graded_test():
    assert set(ALL_TESTS) == {spec.id for spec in graded_tests(ASSIGNMENT)}
    assert all(set(entry.fails) <= set(ALL_TESTS) for entry in ENTRIES)
    assert len({entry.name for entry in ENTRIES}) == len(ENTRIES)


def test_the_catalog_is_big_enough():
    assert len(BUGGY) >= 20
    assert len(CORRECT) >= 10


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_entry_gets_exactly_its_expected_verdicts(entry: Entry, verdicts):
    got = verdicts[entry.name]
    assert set(got) == set(ALL_TESTS)
    assert not any(v.internal for v in got.values()), failures(got)
    pinned = {t: d for t, d in failures(got).items() if t not in entry.unpinned}
    assert pinned == entry.fails, {t: got[t].message for t in failures(got)}


@pytest.mark.parametrize("entry", CORRECT, ids=[entry.name for entry in CORRECT])
def test_correct_variant_scores_full_marks(entry: Entry, verdicts):
    assert score(verdicts[entry.name]) == sum(spec.points for spec in graded_tests(ASSIGNMENT))


def test_untouched_stubs_fail_every_test_as_not_implemented(verdicts):
    got = verdicts[STUBS.name]
    assert score(got) == 0
    assert failures(got) == dict.fromkeys(ALL_TESTS, "not implemented")


def test_every_check_can_fail():
    assert {test for entry in BUGGY for test in entry.fails} == set(ALL_TESTS)


def test_each_buggy_entry_loses_points_only_on_its_piece_and_training():
    pieces = {spec.id: spec.piece for spec in graded_tests(ASSIGNMENT)}
    for entry in BUGGY:
        lost = {pieces[test] for test in entry.fails} - {"Training"}
        assert len(lost) == 1, (entry.name, lost)


def largest_errors(out: dict[str, Any], config: Any) -> dict[str, float]:
    """Largest relative error of each compared output, as a fraction of its tolerance."""
    d, h = cases.dense_case(config), config.fd_step
    grads = {
        "dense_backward_dx": (out["dense_backward"]["dx"], dense.want(d, "x", h)),
        "dense_backward_dw": (out["dense_backward"]["dW"], dense.want(d, "W", h)),
        "dense_backward_db": (out["dense_backward"]["db"], dense.want(d, "b", h)),
        "relu_backward_dx": (out["relu_backward"]["dx"], relu.want(cases.relu_case(config), h)),
        "softmax_dlogits": (
            out["softmax"]["dlogits"],
            softmax.want_dlogits(cases.softmax_case(config), h),
        ),
        "softmax_large_logits": (
            out["softmax_large"]["dlogits"],
            softmax.want_large(cases.softmax_large_case(config)),
        ),
    }
    case = cases.softmax_case(config)
    values = {
        "softmax_loss_value": (
            out["softmax"]["loss"],
            np.array(softmax.mean_cross_entropy(case["logits"], case["y"])),
        ),
        "sgd_step_plain": (
            sgd.flat(out["sgd_plain"]["params"]),
            sgd.flat(sgd.want_params(cases.sgd_case(config, False))),
        ),
        "sgd_step_weight_decay": (
            sgd.flat(out["sgd_weight_decay"]["params"]),
            sgd.flat(sgd.want_params(cases.sgd_case(config, True))),
        ),
    }
    errors = {k: relative_error(*pair)[0] / config.grad_rtol for k, pair in grads.items()}
    errors |= {k: relative_error(*pair)[0] / config.value_rtol for k, pair in values.items()}
    return errors


def test_the_reference_passes_with_a_wide_margin(outcomes, config):
    out = {name: found.value for name, found in outcomes["reference"].items()}
    errors = largest_errors(out, config)
    assert max(errors.values()) <= 1e-3, errors
    x, y = cases.hidden_task(config)
    assert training.accuracy(out["training"]["params"], x, y) >= config.min_train_accuracy + 0.02


def leaves(value: Any) -> list[np.ndarray]:
    """The arrays inside a probe input (lists of arrays included), as float arrays."""
    if isinstance(value, (list, tuple)) and any(np.ndim(v) for v in value):
        return [leaf for v in value for leaf in leaves(v)]
    return [np.asarray(value, dtype=float)]


def hidden_numbers(config: Any) -> set[str]:
    """Every hidden input value written to 5 significant digits (training data included)."""
    found: set[str] = set()
    for request in probe_requests(config):
        for array in (leaf for value in request.inputs.values() for leaf in leaves(value)):
            found |= {f"{abs(v):.5g}" for v in array.ravel() if abs(v) >= 1e-3}
    return {text for text in found if len(text.replace(".", "").lstrip("0")) >= 5}


def test_feedback_keeps_hidden_inputs_out(verdicts, config):
    secrets = hidden_numbers(config)
    for name, got in verdicts.items():
        for test, v in got.items():
            shown = set(re.findall(r"\d+\.\d+", v.message))
            assert not shown & secrets, (name, test, v.message)


def test_hidden_inputs_are_deterministic(config):
    first, second = probe_requests(config), probe_requests(config)
    for a, b in zip(first, second, strict=True):
        assert a.name == b.name and a.inputs.keys() == b.inputs.keys()
        for key in a.inputs:
            for x, y in zip(leaves(a.inputs[key]), leaves(b.inputs[key]), strict=True):
                np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("entry", "lost"),
    [
        ("softmax_missing_1_over_n", {"softmax_dlogits"}),
        ("sgd_decay_added_into_gradient", {"sgd_step_weight_decay"}),
        ("dense_dx_uses_w_not_transposed", {"dense_backward_dx", "training_accuracy"}),
    ],
)
def test_one_mistake_costs_only_the_tests_it_breaks(entry, lost, verdicts):
    """Missing 1/N loses softmax_dlogits only (the large-logits test judges stability, not
    scale); `g += wd * p` loses SGD points; a crash on Dense.backward's return line keeps
    the dW and db it stored right."""
    assert set(failures(verdicts[entry])) == lost


def test_feedback_gives_the_fix_line_only_when_details_are_revealed(verdicts):
    from autograder.feedback_text import test_output

    verdict = verdicts["dense_dw_transposed"]["dense_backward_dw"]
    hidden, shown = test_output(verdict, 4000), test_output(verdict, 4000, reveal_details=True)
    assert "self.x.T @ grad_out" not in hidden and "self.x.T @ grad_out" in shown
    assert "transpose of dL/dW" in hidden
    for got in verdicts.values():  # the training figures hint at schedule and data
        v = got["training_accuracy"]
        assert "epoch" not in v.message and not re.search(r"\d\.\d{3}", v.message), v.message
    for name, got in verdicts.items():  # a traceback quotes the student's own line
        for test, v in got.items():
            if v.diagnosis != "exception":
                assert "@" not in v.message and "-=" not in v.message, (name, test, v.message)
