"""What probe functions share: finding the student's names and returning plain data.

A probe function, ``fn(namespace, inputs) -> plain data``, calls student objects on the
inputs the checks chose and returns what came out. It runs inside the sandbox (or in a
fork of nbgrader's kernel) and judges nothing: comparing, scoring and wording happen in
the grading process. Probe modules import only the standard library, numpy and this.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np


class MissingDefinition(NameError):
    """The notebook does not define a name the probe needs."""


def student(namespace: dict, name: str) -> Any:
    """The student's object called ``name``, or ``MissingDefinition`` naming it."""
    if name not in namespace:
        raise MissingDefinition(
            f"{name} is not defined in your notebook: run its cell, and keep its name."
        )
    return namespace[name]


def plain(value: Any) -> Any:
    """A student's return value as plain data: arrays stay arrays, the rest becomes text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        return f"<{type(value).__name__}>"
    return array


def resolve(function: str) -> Callable[[dict, dict], Any]:
    """The probe function named ``"package.module:name"``."""
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(module), name)
