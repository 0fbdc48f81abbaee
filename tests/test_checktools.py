"""Do the helpers every hidden check trusts compute what they say?

``autograder/checktools.py``: central differences, the relative error with its 1e-8
floor, matching an output against the known mistakes, and the verdicts built from them.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checktools import (
    CheckFailed,
    Mistake,
    as_array,
    central_difference,
    expect_close,
    matches,
    probe_with_shapes,
    raised,
    recognise,
    relative_error,
)


def test_equal_arrays_have_no_error_even_at_zero():
    assert relative_error(np.zeros((2, 3)), np.zeros((2, 3))) == (0.0, (0, 0))
    assert relative_error(np.array([1.5, -2.0]), np.array([1.5, -2.0]))[0] == 0.0


def test_the_error_is_relative_to_both_magnitudes():
    err, where = relative_error(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 1.0]))
    assert err == pytest.approx(2.0 / 4.0) and where == (2,)


def test_near_zero_the_floor_of_1e_minus_8_is_what_divides():
    """|got - want| / max(|got| + |want|, 1e-8): a difference of 1e-9 between tiny values
    is 0.1 (a floor of 1.0 would make it 1e-9), one of 1e-3 from zero is a full 1.0."""
    assert relative_error(np.array([1e-9]), np.array([0.0]))[0] == pytest.approx(0.1)
    assert relative_error(np.array([1e-3]), np.array([0.0]))[0] == pytest.approx(1.0)
    assert relative_error(np.array([2e-9]), np.array([1e-9]))[0] == pytest.approx(0.1)


def test_the_largest_error_is_found_with_its_index():
    want = np.ones((3, 4))
    got = want.copy()
    got[1, 2], got[2, 0] = 1.5, 1.1
    err, where = relative_error(got, want)
    assert where == (1, 2) and err == pytest.approx(0.5 / 2.5)


def test_nan_counts_as_an_infinite_error_and_empty_arrays_as_none():
    assert relative_error(np.array([1.0, np.nan]), np.array([1.0, 1.0])) == (np.inf, (1,))
    assert relative_error(np.array([]), np.array([])) == (0.0, ())


def test_matches_needs_the_same_shape_and_every_element_within_rtol():
    want = np.arange(1.0, 7.0).reshape(2, 3)
    assert matches(want * (1 + 1e-9), want, 1e-7)
    assert not matches(want * (1 + 1e-5), want, 1e-7)
    assert not matches(want.T, want.T.T, 1e-7)  # (3, 2) against (2, 3)


def test_central_difference_gives_the_derivative_and_leaves_x_alone():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    before = x.copy()
    grad = central_difference(lambda v: float(np.sum(v**3)), x, 1e-6)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-7)
    np.testing.assert_array_equal(x, before)


MISTAKES = [
    Mistake("unknown output", "never matches", None),
    Mistake("doubled", "it is twice the right value.", np.array([2.0, 4.0]), "Fix: halve it"),
    Mistake("negated", "it has the wrong sign.", np.array([-1.0, -2.0])),
]
WANT = np.array([1.0, 2.0])


def test_recognise_names_the_first_mistake_the_output_reproduces():
    assert recognise(np.array([2.0, 4.0]), MISTAKES, 1e-7).name == "doubled"
    assert recognise(np.array([-1.0, -2.0 + 1e-12]), MISTAKES, 1e-7).name == "negated"
    assert recognise(np.array([3.0, 4.0]), MISTAKES, 1e-7) is None
    twice = [MISTAKES[1], Mistake("also doubled", "", np.array([2.0, 4.0]))]
    assert recognise(np.array([2.0, 4.0]), twice, 1e-7).name == "doubled"


def verdict_on(got: object, mistakes: list[Mistake] = MISTAKES) -> CheckFailed:
    with pytest.raises(CheckFailed) as failed:
        expect_close("dx", got, WANT, 1e-7, mistakes)
    return failed.value


def test_a_right_answer_passes():
    expect_close("dx", [1.0, 2.0 + 1e-12], WANT, 1e-7, MISTAKES)


def test_a_known_mistake_is_named_with_its_hint_and_its_fix_as_a_detail():
    failed = verdict_on(np.array([2.0, 4.0]))
    assert (failed.diagnosis, failed.message) == ("doubled", "dx: it is twice the right value.")
    assert failed.details == "Fix: halve it"


def test_an_unknown_error_gives_shape_or_largest_error_and_no_name():
    shape = verdict_on(np.ones(3))
    assert shape.diagnosis is None and shape.message == "dx has shape (3,), expected (2,)."
    wrong = verdict_on(np.array([1.0, 3.0]))
    assert wrong.diagnosis is None
    assert wrong.message == (
        "dx has the right shape (2,) but wrong values: the largest "
        "relative error is 2.00e-01 at index (1,) (allowed 1e-07)."
    )
    assert "non-finite" in verdict_on(np.array([1.0, np.inf])).message


def test_none_or_text_is_not_an_array():
    assert "did you forget to return it" in verdict_on(None).message
    with pytest.raises(CheckFailed, match="should be a numpy array of numbers, got str"):
        as_array("dx", "abc")


class Raising:
    def probe(self, name: str) -> None:
        raise CheckFailed(
            "Your code raised an exception:\nValueError: shapes (2,3) and (2,3) not aligned",
            "exception",
        )


def test_a_shape_error_also_lists_the_shapes_involved():
    assert (
        "The shapes involved: x is (N, D)"
        in raised("ValueError: shape mismatch", "x is (N, D)").message
    )
    assert "shapes involved" not in raised("KeyError: 'W'", "x is (N, D)").message
    with pytest.raises(CheckFailed) as failed:
        probe_with_shapes(Raising(), "dense", "x is (N, D)")
    assert failed.value.message.endswith("The shapes involved: x is (N, D)")
    assert failed.value.diagnosis == "exception"
