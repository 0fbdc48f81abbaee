"""The kit's own copy of the MLP, for probes that need code the student did not write.

``reference()`` is the instructor solution module ``solutions/mlp_backprop/mlp_backprop.py``,
generated from the master notebook by ``python -m autograder build``.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from types import ModuleType

from autograder.errors import KitError
from autograder.paths import solutions_dir

SOLUTION = solutions_dir("mlp_backprop") / "mlp_backprop.py"
MODULE_NAME = "_kit_mlp_backprop_solution"


@cache
def reference() -> ModuleType:
    """The instructor solution module (Layer, Dense, ReLU, Sequential, ...)."""
    spec = importlib.util.spec_from_file_location(MODULE_NAME, SOLUTION)
    if spec is None or spec.loader is None or not SOLUTION.is_file():
        raise KitError(f"{SOLUTION}: missing; run `python -m autograder build`")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
