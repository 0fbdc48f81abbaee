"""nbgrader's markup in the master notebook, read with nbgrader's configured delimiters.

The solution and hidden-test delimiters are the ``ClearSolutions`` and
``ClearHiddenTests`` traits, as the course's ``nbgrader_config.py`` sets them. Like
nbgrader's own preprocessors, unbalanced markers are refused: a missing END marker
would otherwise publish hidden tests with the solutions.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.errors import KitError

NBGRADER_CONFIG = "nbgrader_config.py"


@dataclass(frozen=True)
class Delimiters:
    """The four markers, as nbgrader matches them: anywhere in a line."""

    begin_solution: str
    end_solution: str
    begin_hidden: str
    end_hidden: str

    @classmethod
    def configured(cls, config: Config | None = None) -> Delimiters:
        """The delimiters nbgrader's preprocessors use under ``config`` (default: nbgrader's)."""
        solutions = ClearSolutions(config=config or Config())
        hidden = ClearHiddenTests(config=config or Config())
        return cls(
            solutions.begin_solution_delimeter,
            solutions.end_solution_delimeter,
            hidden.begin_test_delimeter,
            hidden.end_test_delimeter,
        )


def nbgrader_config(root: Path) -> Config:
    """The config nbgrader loads from ``root/nbgrader_config.py`` (empty without one).

    Loading it runs the course's ``apply_to_nbgrader``, which puts the kit on the kernels'
    path; that belongs to nbgrader's process, so this one's environment is restored.
    """
    if not (root / NBGRADER_CONFIG).is_file():
        return Config()
    environ, path = dict(os.environ), list(sys.path)
    try:
        return PyFileConfigLoader(NBGRADER_CONFIG, path=str(root)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(environ)
        sys.path[:] = path


def strip_markup(source: str, delimiters: Delimiters, where: str) -> str:
    """``source`` without its hidden-test regions and solution delimiters (solution code kept).

    ``where`` names the notebook and cell in the KitError raised for unbalanced markers.
    """
    source = without_region(source, delimiters.begin_hidden, delimiters.end_hidden, where)
    # a solution region keeps its code: only its two marker lines go
    kept = without_region(
        source, delimiters.begin_solution, delimiters.end_solution, where, keep_inside=True
    )
    return kept.rstrip()


def without_region(source: str, begin: str, end: str, where: str, keep_inside: bool = False) -> str:
    """``source`` without the regions between ``begin`` and ``end`` lines, markers included
    (with ``keep_inside``, only the marker lines go).

    Other lines are kept as they are; KitError naming ``where`` on unbalanced markers, as
    nbgrader's preprocessors raise.
    """
    kept: list[str] = []
    inside = False
    for number, line in enumerate(source.split("\n"), start=1):
        if begin in line:
            if inside:
                raise KitError(f"{where}, line {number}: {begin!r} inside an open region")
            inside = True
        elif end in line:
            if not inside:
                raise KitError(f"{where}, line {number}: {end!r} without {begin!r}")
            inside = False
        elif keep_inside or not inside:
            kept.append(line)
    if inside:
        raise KitError(f"{where}: {begin!r} has no matching {end!r}")
    return "\n".join(kept)
