"""What the hidden checks of every assignment share: finite differences, errors, verdicts.

Each helper exists once here. A check fails by raising ``CheckFailed`` with a message
written for the student; hidden inputs never appear in it. A verdict has two parts: the
``message`` (what is wrong, in the student's terms) and optional ``details`` (the exact
fix line, figures of the hidden run) that feedback shows only when the caller reveals
details, e.g. after the due date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


class CheckFailed(AssertionError):
    """A check's verdict: what went wrong in the student's terms, and the mistake if known."""

    def __init__(self, message: str, diagnosis: str | None = None, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.diagnosis = diagnosis
        self.details = details


@dataclass(frozen=True)
class Mistake:
    """A known mistake: its name, a hint, the output it would produce, and the fix line.

    ``hint`` says what is wrong without giving the code; ``fix`` is the exact line (shown
    only when details are revealed).
    """

    name: str
    hint: str
    output: np.ndarray | None
    fix: str = ""


def central_difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float) -> np.ndarray:
    """d f / d x by central differences in float64: (f(x + h e_i) - f(x - h e_i)) / 2h."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        up = f(x)
        x[i] = saved - h
        down = f(x)
        x[i] = saved
        grad[i] = (up - down) / (2.0 * h)
    return grad


def relative_error(got: np.ndarray, want: np.ndarray) -> tuple[float, tuple[int, ...]]:
    """The largest elementwise |got - want| / max(|got| + |want|, 1e-8), and where it is."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    with np.errstate(all="ignore"):
        err = np.abs(got - want) / np.maximum(np.abs(got) + np.abs(want), 1e-8)
    err = np.where(np.isnan(err), np.inf, err)
    where = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
    return (float(err[where]) if err.size else 0.0), tuple(int(i) for i in where)


def matches(got: np.ndarray, want: np.ndarray, rtol: float) -> bool:
    """Same shape and every element within ``rtol`` relative error."""
    got, want = np.asarray(got), np.asarray(want)
    return got.shape == want.shape and relative_error(got, want)[0] <= rtol


def recognise(got: np.ndarray, mistakes: Sequence[Mistake], rtol: float) -> Mistake | None:
    """The first known mistake whose output ``got`` reproduces."""
    for mistake in mistakes:
        if mistake.output is not None and matches(got, mistake.output, rtol):
            return mistake
    return None


def as_array(what: str, value: object) -> np.ndarray:
    """The student's value as a float64 array, or a verdict saying why it is not one."""
    if value is None:
        raise CheckFailed(f"{what} is None: did you forget to return it or to assign it?")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int like 10**400
        raise CheckFailed(
            f"{what} should be a numpy array of numbers, got {type(value).__name__}"
        ) from None


def cosine(got: object, want: np.ndarray) -> float:
    """The cosine of the angle between ``got`` and ``want`` as flat vectors: 1 for the
    same direction at any scale, -1 for the opposite one; 0 when they cannot be compared
    (another shape, a value that is not finite, a zero vector)."""
    try:
        a = np.asarray(got, dtype=np.float64).ravel()
    except (TypeError, ValueError, OverflowError):
        return 0.0
    b = np.asarray(want, dtype=np.float64).ravel()
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return 0.0
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norms if norms > 0 else 0.0


def points_like_one_of(got: object, candidates: Sequence[np.ndarray], min_cosine: float) -> bool:
    """Whether ``got`` points (at any scale, either sign) the way one of ``candidates``
    does: the right answer or a known mistake. A check of one property (stability, in
    place) uses it so that a known mistake costs only its own test, while an answer made
    of constants or noise earns nothing."""
    return any(abs(cosine(got, want)) >= min_cosine for want in candidates)


def expect_close(
    what: str, got: object, want: np.ndarray, rtol: float, mistakes: Sequence[Mistake] = ()
) -> None:
    """Pass when ``got`` equals ``want``; otherwise explain shapes, error, known mistake."""
    got = as_array(what, got)
    known = recognise(got, mistakes, rtol)
    if known:
        raise CheckFailed(f"{what}: {known.hint}", known.name, known.fix)
    if got.shape != want.shape:
        raise CheckFailed(f"{what} has shape {got.shape}, expected {want.shape}.")
    if not np.all(np.isfinite(got)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        raise CheckFailed(f"{what} contains {bad} non-finite value(s) (nan or inf).")
    err, where = relative_error(got, want)
    if err > rtol:
        raise CheckFailed(
            f"{what} has the right shape {want.shape} but wrong values: the largest "
            f"relative error is {err:.2e} at index {where} (allowed {rtol:.0e})."
        )


SHAPE_ERROR = re.compile(r"mismatch|could not be broadcast|not aligned|shape", re.IGNORECASE)


def raised(error: str, shapes: str) -> CheckFailed:
    """The verdict on student code that raised ``error`` (traceback text); a shape error
    also lists the shapes involved (``shapes``, in the student's symbols)."""
    message = f"Your code raised an exception:\n{error.rstrip()}"
    if SHAPE_ERROR.search(error):
        message += f"\n\nThe shapes involved: {shapes}"
    return CheckFailed(message, "exception")


def probe_with_shapes(submission: Any, name: str, shapes: str) -> Any:
    """``submission.probe(name)``; when student code raised a shape error, the verdict
    also lists the shapes involved (``shapes``, in the student's symbols)."""
    try:
        return submission.probe(name)
    except CheckFailed as err:
        if err.diagnosis == "exception" and SHAPE_ERROR.search(err.message):
            raise CheckFailed(
                f"{err.message}\n\nThe shapes involved: {shapes}", err.diagnosis, err.details
            ) from None
        raise
