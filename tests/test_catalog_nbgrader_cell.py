"""Do nbgrader's hidden test cells give catalog submissions the catalog's verdicts?

A hidden test cell calls ``autograder.nbgrader_cell.hidden_check(test_id, globals())``
in the student's kernel. Here a few entries (the reference, the stubs, a correct
variant, a mistake in each piece) run in this process as a kernel would run them, and
every hidden check is called on them exactly as the cell calls it: the points it
returns and the text it prints must agree with the catalog's verdicts
(``tests/test_catalog.py``; every entry's probes there run through the same forks).
"""

from __future__ import annotations

import contextlib
import io

import pytest

from autograder import nbgrader_cell
from autograder.config import graded_tests
from tests.catalog import ENTRIES
from tests.helpers import ASSIGNMENT, entry_namespace

SAMPLED = (
    "reference",
    "untouched_stubs",
    "dense_einsum",
    "dense_dw_transposed",
    "relu_mask_from_upstream",
    "softmax_missing_1_over_n",
    "sgd_rebinds_parameters",
)
BY_NAME = {entry.name: entry for entry in ENTRIES}


def test_the_sampled_entries_exist():
    assert set(SAMPLED) <= set(BY_NAME)


@pytest.mark.parametrize("name", SAMPLED)
def test_hidden_cells_give_the_catalogs_points_and_words(name, verdicts):
    namespace = entry_namespace(BY_NAME[name])
    nbgrader_cell._outcomes.clear()  # a fresh kernel
    try:
        for spec in graded_tests(ASSIGNMENT):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                points = nbgrader_cell.hidden_check(spec.id, namespace)
            verdict = verdicts[name][spec.id]
            assert points == (spec.points if verdict.passed else 0.0), spec.id
            assert ("passed" if verdict.passed else verdict.message) in printed.getvalue()
    finally:
        nbgrader_cell._outcomes.clear()
