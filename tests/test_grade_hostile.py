"""Can a hostile or broken notebook hurt anyone else, or earn what it did not?

Each notebook below is the correct sample with one hostile cell added (or one answer
cell changed); all are graded in one batch, with short time limits.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder.grading import grade
from autograder.paths import samples_dir
from autograder.reports import write_all
from tests.helpers import ASSIGNMENT, hanging_notebook

CORRECT = samples_dir(ASSIGNMENT) / "correct.ipynb"
MARKER = "kit-stray-process-marker"
UNREADABLE = {  # name: file content
    "not_json": '{"cells": [',
    "json_not_a_notebook": '{"hello": 1}',
    "json_list": "[1, 2, 3]",
    "empty_file": "",
}
DENSE_TESTS = {"dense_backward_dx", "dense_backward_dw", "dense_backward_db"}


def with_extra_cell(source: str) -> nbformat.NotebookNode:
    """The correct notebook with one more code cell after its imports."""
    nb = nbformat.read(CORRECT, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell(source))
    return nb


def with_answer(grade_id: str, old: str, new: str) -> nbformat.NotebookNode:
    """The correct notebook with ``old`` replaced by ``new`` in one answer cell."""
    nb = nbformat.read(CORRECT, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    return nb


def without_cell(grade_id: str) -> nbformat.NotebookNode:
    nb = nbformat.read(CORRECT, as_version=4)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return nb


def hostile_notebooks(out: Path) -> dict[str, nbformat.NotebookNode]:
    dense_return = "return grad_out @ self.W.T"
    return {
        "os_exit": with_extra_cell("import os\nos._exit(0)"),
        "sys_exit": with_extra_cell("import sys\nsys.exit('bye')"),
        "segfault": with_extra_cell("import ctypes\nctypes.string_at(0)"),
        "memory_hog": with_extra_cell("hog = bytearray(64 * 2**30)"),
        "huge_output": with_extra_cell("print('x' * 10_000_000)"),
        "ipython_syntax": with_extra_cell(
            "%matplotlib inline\n!pip install nothing-at-all\n%time 1"
        ),
        "stray_process": with_extra_cell(
            f"import subprocess\nsubprocess.Popen(['sleep', '300', '{MARKER}'])"
        ),
        "forger": with_extra_cell(
            "import json, pathlib\n"
            "forged = json.dumps({'score': 100, 'tests': []})\n"
            "pathlib.Path('results.json').write_text(forged)\n"
            f"pathlib.Path({str(out / 'correct_peer')!r}).mkdir(parents=True, exist_ok=True)\n"
            f"pathlib.Path({str(out / 'correct_peer' / 'results.json')!r}).write_text(forged)\n"
        ),
        "numpy_patcher": with_answer(
            "dense_backward",
            dense_return,
            "np.allclose = lambda *a, **k: True\n"
            "        np.testing.assert_allclose = lambda *a, **k: None\n"
            f"        return 2 * ({dense_return[len('return ') :]})",
        ),
        "hang_in_dense": hanging_notebook(),
        "swallowed_hang": with_answer(
            "dense_backward",
            dense_return,
            "import time\n        while True:\n            try:\n                time.sleep(1)\n"
            "            except BaseException:\n                pass",
        ),
        "no_relu": without_cell("relu_backward"),
        "correct_peer": nbformat.read(CORRECT, as_version=4),
    }


@pytest.fixture(scope="module")
def results(tmp_path_factory, config) -> dict[str, dict]:
    folder, out = tmp_path_factory.mktemp("hostile"), tmp_path_factory.mktemp("out")
    for name, nb in hostile_notebooks(out).items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    for name, text in UNREADABLE.items():
        (folder / f"{name}.ipynb").write_text(text)
    fast = dataclasses.replace(
        config, cell_timeout=3.0, probe_timeout=2.0, training_timeout=2.5, memory_limit_mb=512
    )
    write_all(grade([folder], ASSIGNMENT, jobs=2, config=fast), out)
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}


def lost(result: dict) -> set[str]:
    return {t["number"] for t in result["tests"] if t["status"] != "passed"}


@pytest.mark.parametrize(
    "name", ["os_exit", "sys_exit", "segfault", "memory_hog", "huge_output", "ipython_syntax"]
)
def test_a_cell_that_dies_or_misbehaves_costs_no_points_it_did_not_touch(results, name):
    assert results[name]["score"] == 100, lost(results[name])


def test_huge_output_is_truncated_and_results_stay_small(results):
    assert len(json.dumps(results["huge_output"])) < 50_000


def test_a_forged_results_file_changes_no_grade(results):
    assert results["correct_peer"]["score"] == 100
    assert len(results["correct_peer"]["tests"]) == 11
    assert results["forger"]["score"] == 100


def test_patching_numpy_cannot_make_a_wrong_gradient_pass(results):
    assert "dense_backward_dx" in lost(results["numpy_patcher"])


@pytest.mark.parametrize("name", ["hang_in_dense", "swallowed_hang"])
def test_a_hang_costs_only_the_piece_it_is_in(results, name):
    assert lost(results[name]) == DENSE_TESTS | {"training_accuracy"}
    assert "did not finish" in results[name]["tests"][0]["output"]


def test_a_missing_definition_is_named_and_costs_only_its_piece(results):
    result = results["no_relu"]
    assert lost(result) == {"relu_backward_dx", "training_accuracy"}
    assert "ReLU is not defined in your notebook" in result["tests"][3]["output"]


def test_no_process_a_student_started_outlives_grading(results):
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if MARKER in (p.info["cmdline"] or [])]
    assert leftovers == []


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_unreadable_file_scores_zero_with_a_reason_and_the_batch_goes_on(results, name):
    assert results[name]["score"] == 0
    assert "could not be graded" in results[name]["output"]
    assert results["correct_peer"]["score"] == 100
