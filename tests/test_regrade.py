"""Can an instructor regrade one student into a graded folder without touching the rest,
and is a student named by their nbgrader folder whichever folder of the layout is given?"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.paths import samples_dir
from tests.helpers import ASSIGNMENT

SAMPLES = samples_dir(ASSIGNMENT)
COHORT = {"ada": "correct", "bob": "stubs", "cy": "dense_dw_transposed"}


def submit(root: Path, student: str, sample: str) -> Path:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / f"{sample}.ipynb", folder / f"{ASSIGNMENT}.ipynb")
    return folder


def rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open(newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def snapshot(out: Path, student: str) -> tuple[str, str]:
    return (out / student / "results.json").read_text(), (
        out / student / "feedback.html"
    ).read_text()


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("course")
    for student, sample in COHORT.items():
        submit(root, student, sample)
    out = root / "graded"
    assert main(["grade", str(root / "submitted"), "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    return root, out


def test_regrading_one_student_replaces_only_their_grades(graded):
    root, out = graded
    before = rows(out)
    kept = {s: snapshot(out, s) for s in ("ada", "cy")}
    report = (out / "report.html").read_text()
    submit(root, "bob", "correct")  # bob fixed his stubs
    assert main(["grade", str(root / "submitted"), "--student", "bob", "--out", str(out)]) == 0
    after = rows(out)
    assert sorted(after) == ["ada", "bob", "cy"]
    assert before["bob"]["score"] == "0" and after["bob"]["score"] == "100"
    assert after["ada"] == before["ada"] and after["cy"] == before["cy"]
    assert {s: snapshot(out, s) for s in ("ada", "cy")} == kept
    assert json.loads((out / "bob" / "results.json").read_text())["score"] == 100
    refreshed = (out / "report.html").read_text()
    assert refreshed != report and "2 with full marks" in refreshed


@pytest.mark.parametrize(
    "named",
    ["submitted/cy/mlp_backprop", "submitted/cy", "submitted/cy/mlp_backprop/mlp_backprop.ipynb"],
)
def test_a_student_is_their_nbgrader_folder_whichever_folder_is_named(graded, named, tmp_path):
    root, out = graded
    path = root / named
    assert main(["grade", str(path), "--student", "cy", "--out", str(out)]) == 0
    assert sorted(rows(out)) == ["ada", "bob", "cy"]
    assert not (out / ASSIGNMENT).exists()


def test_regrading_a_student_with_no_submission_is_a_clear_error(graded, capsys):
    root, out = graded
    assert main(["grade", str(root / "submitted"), "--student", "zed", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == "error: no submission found for student zed"


def test_grading_without_student_replaces_the_whole_folder_csv(graded, tmp_path):
    root, _ = graded
    out = tmp_path / "out"
    assert main(["grade", str(root / "submitted" / "ada"), "--out", str(out)]) == 0
    assert sorted(rows(out)) == ["ada"]
