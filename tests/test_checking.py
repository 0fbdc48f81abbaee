"""Does a check's ending become the right verdict, and does a kit bug keep its traceback?"""

from __future__ import annotations

import pytest

from autograder.checking import INTERNAL_ERROR, verdict
from autograder.checktools import CheckFailed


def ending(call) -> pytest.CallInfo:
    return pytest.CallInfo.from_call(call, when="call")


def test_a_check_that_returns_passes():
    assert verdict(ending(lambda: None)).passed


def test_a_check_failed_is_the_students_verdict_with_its_diagnosis():
    def fails() -> None:
        raise CheckFailed("dW is transposed.", "transposed dW", "Fix: x.T @ g")

    got = verdict(ending(fails))
    assert (got.passed, got.message, got.diagnosis, got.details, got.internal) == (
        False, "dW is transposed.", "transposed dW", "Fix: x.T @ g", None
    )  # fmt: skip


def test_any_other_exception_is_a_kit_bug_with_its_traceback_kept_for_the_instructor():
    def broken_check() -> float:
        return {}["hidden input"]

    got = verdict(ending(broken_check))
    assert not got.passed and got.diagnosis == "internal error"
    assert got.message == INTERNAL_ERROR and "hidden input" not in got.message
    assert "in broken_check" in got.internal and "KeyError: 'hidden input'" in got.internal
