"""Does `python -m autograder grade` grade the samples right, the same way every time,
and survive hostile notebooks without losing anyone else's grade?"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.paths import samples_dir
from tests.helpers import ASSIGNMENT

SAMPLES = samples_dir(ASSIGNMENT)
MISTAKES = {  # sample: {failed test: diagnosis}, training_accuracy aside
    "dense_dw_transposed": {"dense_backward_dw": "transposed dW"},
    "relu_mask_from_upstream": {"relu_backward_dx": "mask from upstream gradient"},
    "softmax_missing_mean": {"softmax_dlogits": "missing 1/N"},
    "sgd_rebinds_parameters": {
        "sgd_step_plain": "parameters rebound",
        "sgd_step_weight_decay": "parameters rebound",
        "sgd_step_in_place": "parameters rebound",
    },
}


def read_results(out: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}


def failed(results: dict) -> dict[str, str | None]:
    return {
        t["number"]: (t.get("tags") or [None])[0]
        for t in results["tests"]
        if t["status"] != "passed"
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graded")
    assert main(["grade", str(SAMPLES), "--out", str(out), "--jobs", "2"]) == 0
    return out


def test_correct_sample_earns_full_marks(graded):
    results = read_results(graded)["correct"]
    assert results["score"] == results["max_score"] == 100


def test_stubs_earn_nothing_and_each_piece_says_not_implemented(graded):
    results = read_results(graded)["stubs"]
    assert results["score"] == 0
    assert set(failed(results).values()) == {"not implemented"}
    for test in results["tests"]:
        piece = test["name"].split(":")[0]
        if piece != "Training":
            assert f"{piece} is not implemented yet" in test["output"]


@pytest.mark.parametrize("sample", sorted(MISTAKES))
def test_each_mistake_loses_only_its_piece_with_its_diagnosis(graded, sample):
    lost = failed(read_results(graded)[sample])
    lost.pop("training_accuracy", None)
    assert lost == MISTAKES[sample]


def test_broken_notebook_scores_zero_with_a_reason(graded):
    results = read_results(graded)["broken"]
    assert results["score"] == 0
    assert "not valid JSON" in results["output"]


def test_grades_csv_has_a_row_per_student_and_a_column_per_test(graded, config):
    rows = list(csv.DictReader((graded / "grades.csv").open()))
    assert sorted(r["student"] for r in rows) == sorted(p.stem for p in SAMPLES.glob("*.ipynb"))
    by_student = {r["student"]: r for r in rows}
    assert by_student["correct"]["score"] == "100"
    assert by_student["dense_dw_transposed"]["dense_backward_dw"] == "0"
    assert by_student["dense_dw_transposed"]["dense_backward_dx"] == "10"


def test_feedback_page_exists_for_every_student(graded):
    for folder in graded.iterdir():
        if folder.is_dir():
            page = (folder / "feedback.html").read_text()
            assert folder.name in page and "</html>" in page


def test_grading_twice_serially_or_in_parallel_gives_identical_output(graded, tmp_path):
    assert main(["grade", str(SAMPLES), "--out", str(tmp_path), "--jobs", "1"]) == 0
    for student, results in read_results(tmp_path).items():
        first = read_results(graded)[student]
        first.pop("execution_time"), results.pop("execution_time")
        assert results == first
        assert (tmp_path / student / "feedback.html").read_text() == (
            graded / student / "feedback.html"
        ).read_text()
    assert (tmp_path / "grades.csv").read_text() == (graded / "grades.csv").read_text()


def test_nbgrader_submitted_layout_names_students_by_folder(tmp_path):
    for student in ("ada", "bob"):
        folder = tmp_path / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_bytes((SAMPLES / "correct.ipynb").read_bytes())
    assert main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out")]) == 0
    assert sorted(read_results(tmp_path / "out")) == ["ada", "bob"]


def test_a_missing_path_is_a_clear_error_with_exit_code_2(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path / "out")]) == 2
    assert "nope.ipynb" in capsys.readouterr().err


def test_a_missing_1_over_n_loses_exactly_one_test_in_the_sandbox(graded):
    assert failed(read_results(graded)["softmax_missing_mean"]) == {
        "softmax_dlogits": "missing 1/N"
    }


def test_a_transposed_dw_stops_training_with_the_layer_and_array_named(graded):
    training = read_results(graded)["dense_dw_transposed"]["tests"][-1]["output"]
    assert "layer 5 (Dense): backward stored dW with shape (2, 64), but W has shape (64, 2)" in (
        training
    )


def test_a_crash_on_the_return_line_keeps_dw_and_db_and_names_the_cell(tmp_path):
    nb = nbformat.read(SAMPLES / "correct.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    dense = next(c for c in code if "return grad_out @ self.W.T" in c.source)
    dense.source = dense.source.replace("return grad_out @ self.W.T", "return grad_out @ self.W")
    nbformat.write(nb, tmp_path / "crash_on_return.ipynb")
    assert (
        main(["grade", str(tmp_path / "crash_on_return.ipynb"), "--out", str(tmp_path / "out")])
        == 0
    )
    results = read_results(tmp_path / "out")["crash_on_return"]
    assert failed(results) == {"dense_backward_dx": "exception", "training_accuracy": "exception"}
    output = results["tests"][0]["output"]
    number = int(output.split('File "code cell ')[1].split('"')[0])
    assert "return grad_out @ self.W" in code[number - 1].source and "<cell" not in output
