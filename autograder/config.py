"""The one place the kit reads ``course_config.py``."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from autograder.errors import KitError
from autograder.paths import COURSE_FILE, course_root

if TYPE_CHECKING:  # the course's config module, loaded by autograder.config
    from course_config import CourseConfig, TestSpec


def load_course_module(path: Path | None = None) -> ModuleType:
    """Import the course's ``course_config.py`` (validated by its own dataclasses).

    ``path`` defaults to the one in the course root (``autograder.paths.course_root``).
    """
    return _load((path or course_root() / COURSE_FILE).resolve())


@cache
def _load(path: Path) -> ModuleType:
    if not path.is_file():
        raise KitError(
            f"{path}: course config not found; run from the course folder or pass --course DIR"
        )
    spec = importlib.util.spec_from_file_location("course_config", path)
    if spec is None or spec.loader is None:
        raise KitError(f"{path}: course config not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules["course_config"] = module
    try:
        spec.loader.exec_module(module)
    except (TypeError, ValueError) as err:
        del sys.modules["course_config"]
        raise KitError(f"{path}: {err}") from err
    return module


def course_config() -> CourseConfig:
    """The validated settings of the course."""
    return load_course_module().CONFIG


def graded_tests(assignment: str) -> tuple[TestSpec, ...]:
    """Every graded test of ``assignment`` with its piece, title and points, in order."""
    tests = load_course_module().TESTS
    if assignment not in tests:
        raise KitError(f"course_config.py: no tests configured for assignment {assignment!r}")
    return tests[assignment]
