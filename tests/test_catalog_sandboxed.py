"""Does the sandboxed grader give every catalog submission the same verdicts as the
in-process path that nbgrader's hidden test cells use?

Each catalog entry becomes a one-cell notebook; the whole catalog is graded in one
batch by ``autograder.grading.grade`` (sandbox, --jobs 2) and compared, test by test and
diagnosis by diagnosis, with ``tests/test_catalog.py``'s in-process verdicts.
"""

from __future__ import annotations

import nbformat
import pytest
from test_catalog import failures

from autograder.config import course_config
from autograder.grading import grade
from tests.catalog import ENTRIES

ASSIGNMENT = course_config().assignment


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("catalog")
    for entry in ENTRIES:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(entry.source)])
        nbformat.write(nb, folder / f"{entry.name}.ipynb")
    return {result.student: result for result in grade([folder], ASSIGNMENT, jobs=2)}


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_sandbox_and_in_process_agree(entry, sandboxed, verdicts):
    result = sandboxed[entry.name]
    got = {t.id: t.diagnosis for t in result.tests if t.status != "passed"}
    assert got == failures(verdicts[entry.name])
