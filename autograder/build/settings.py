"""Write course_config.py's settings into a master notebook, the one source of them.

The points of every graded test go into its cell's nbgrader metadata, and the minimum
training accuracy into the line ``MIN_TRAIN_ACCURACY = ...`` of the code and every
``$a_{\\min} = ...$`` of the text. The build refuses, with a message naming the cell or
test, when the notebook and the config cannot be made to agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from autograder.errors import KitError

if TYPE_CHECKING:  # the course's config module, loaded by autograder.config
    from course_config import CourseConfig, TestSpec

ACCURACY_CODE = re.compile(r"^MIN_TRAIN_ACCURACY = [0-9.]+$", re.M)
ACCURACY_TEXT = re.compile(r"a_\{\\min\} = [0-9.]+")


def grade_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """Every nbgrader grade cell of ``nb`` by its grade_id."""
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }


def apply_points(nb: nbformat.NotebookNode, tests: Iterable[TestSpec], origin: str) -> None:
    """Set each configured test's points; refuse unknown graded cells and missing tests.

    A grade cell that is not a configured test must be worth 0 points: a visible check,
    which nbgrader's Validate reports when it fails but which never scores.
    """
    cells = grade_cells(nb)
    configured = {t.id: t.points for t in tests}
    missing = sorted(set(configured) - set(cells))
    if missing:
        raise KitError(
            f"{origin}: course_config.py configures tests with no graded cell: "
            f"{', '.join(missing)} (add a cell with that grade_id or remove the test)"
        )
    for grade_id, cell in cells.items():
        if grade_id in configured:
            cell.metadata["nbgrader"]["points"] = configured[grade_id]
        elif cell.metadata["nbgrader"].get("points", 0) != 0:
            raise KitError(
                f"{origin}: graded cell {grade_id!r} is worth "
                f"{cell.metadata['nbgrader']['points']} points but course_config.py has "
                "no test of that id (configure it there, or make it a 0-point visible check)"
            )


def apply_accuracy(nb: nbformat.NotebookNode, minimum: float) -> None:
    """Write the minimum training accuracy into the code line and the text that show it."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = ACCURACY_CODE.sub(f"MIN_TRAIN_ACCURACY = {minimum!r}", cell.source)
        elif cell.cell_type == "markdown":
            cell.source = ACCURACY_TEXT.sub(f"a_{{\\\\min}} = {minimum!r}", cell.source)


def apply_settings(path: Path, tests: Iterable[TestSpec], config: CourseConfig) -> bool:
    """Write the settings into the master notebook at ``path``; whether it changed."""
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    apply_points(nb, tests, str(path))
    apply_accuracy(nb, config.min_train_accuracy)
    after = nbformat.writes(nb) + "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8")
    return True
