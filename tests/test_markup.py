"""Is nbgrader's markup read with nbgrader's delimiters, and unbalanced markup refused?"""

from __future__ import annotations

import re

import nbformat
import pytest
from traitlets.config import Config

from autograder.build.markup import Delimiters, strip_markup
from autograder.build.solutions import build_solutions
from autograder.errors import KitError
from autograder.nbgrader_ext.feedback import ScrubTestCells

SOLVED = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
HIDDEN = "assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() != 2  # secret\n"


def master(*sources: str) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(s, metadata={"tags": ["module"]}) for s in sources]
    return nbformat.v4.new_notebook(cells=cells)


def test_is_a_missing_end_marker_refused_and_nothing_published(tmp_path):
    src = tmp_path / "master.ipynb"
    nbformat.write(master(SOLVED, HIDDEN), src)
    out = tmp_path / "solutions"
    with pytest.raises(
        KitError,
        match=r"master\.ipynb, cell 2: 'BEGIN HIDDEN TESTS' has no "
        r"matching 'END HIDDEN TESTS'",
    ):
        build_solutions("demo", out, src)
    assert not out.exists()


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("### BEGIN SOLUTION\nx = 1", ": 'BEGIN SOLUTION' has no matching 'END SOLUTION'"),
        ("x = 1\n### END SOLUTION", ", line 2: 'END SOLUTION' without 'BEGIN SOLUTION'"),
        (
            "### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS",
            ", line 2: 'BEGIN HIDDEN TESTS' inside an open region",
        ),
    ],
)
def test_is_unbalanced_markup_refused_with_the_cell_named(source, problem):
    with pytest.raises(KitError, match=re.escape(f"nb, cell 4{problem}")):
        strip_markup(source, Delimiters.configured(), "nb, cell 4")


def test_does_markup_keep_solution_code_and_drop_hidden_tests():
    source = f"{SOLVED}\n{HIDDEN}### END HIDDEN TESTS\n"
    assert strip_markup(source, Delimiters.configured(), "nb") == (
        "def f():\n    return 1\nassert f() == 1"
    )


def test_are_the_configured_delimiters_used():
    config = Config()
    config.ClearHiddenTests.begin_test_delimeter = "BEGIN SECRET"
    config.ClearHiddenTests.end_test_delimeter = "END SECRET"
    delimiters = Delimiters.configured(config)
    source = "a = 1\n# BEGIN SECRET\nb = 2\n# END SECRET"
    assert strip_markup(source, delimiters, "nb") == "a = 1"
    with pytest.raises(KitError, match="'BEGIN SECRET' has no matching 'END SECRET'"):
        strip_markup("# BEGIN SECRET\nb = 2", delimiters, "nb")


def test_does_feedback_refuse_a_test_cell_with_a_missing_end_marker():
    cell = nbformat.v4.new_code_cell(
        HIDDEN, metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 1}}
    )
    with pytest.raises(KitError, match="cell 3: 'BEGIN HIDDEN TESTS' has no matching"):
        ScrubTestCells().preprocess_cell(cell, {}, 2)
