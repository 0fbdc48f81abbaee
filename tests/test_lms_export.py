"""Does `export` write the files Canvas and Moodle import, matched through a roster that
nbgrader also imports, with a blank for a missing student and a warning for an extra one?

Formats: Canvas's gradebook CSV (its own export's columns Student, ID, SIS User ID,
SIS Login ID, Section, then one column per assignment, and its Points Possible row);
Moodle's CSV grade import, which reads the columns of Moodle's own grade export (First
name, Last name, ID number, Email address, then the grade item) and maps one of them to
a user field.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from autograder.build.release import run_nbgrader
from autograder.cli import main
from autograder.paths import samples_dir
from tests.helpers import ASSIGNMENT

ROSTER = """id,first_name,last_name,email,lms_user_id,sis_user_id,sis_login_id,section
ada,Ada,Lovelace,ada@uni.example,1001,S1001,alovelace,Section 1
bob,Bob,Babbage,bob@uni.example,1002,S1002,bbabbage,Section 2
cat,Cat,Hopper,cat@uni.example,1003,S1003,chopper,Section 1
"""
SUBMITTED = {"ada": "correct", "bob": "dense_dw_transposed", "zed": "stubs"}  # cat: none


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    for student, sample in SUBMITTED.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copyfile(samples_dir(ASSIGNMENT) / f"{sample}.ipynb", folder / "hw.ipynb")
    (root / "roster.csv").write_text(ROSTER)
    assert main(["grade", str(root / "submitted"), "--out", str(root / "graded")]) == 0
    return root / "graded"


def export(graded: Path, fmt: str, capsys) -> tuple[list[list[str]], str]:
    roster = graded.parent / "roster.csv"
    assert main(["export", str(graded), "--format", fmt, "--roster", str(roster)]) == 0
    err = capsys.readouterr().err
    with (graded / f"{fmt}_grades.csv").open(newline="") as f:
        return list(csv.reader(f)), err


def test_canvas_file_has_canvas_columns_a_row_per_roster_student_and_blanks(graded, capsys):
    rows, err = export(graded, "canvas", capsys)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1] == ["    Points Possible", "", "", "", "", "100"]
    assert rows[2] == ["Lovelace, Ada", "1001", "S1001", "alovelace", "Section 1", "100"]
    assert rows[3] == ["Babbage, Bob", "1002", "S1002", "bbabbage", "Section 2", "70"]
    assert rows[4] == ["Hopper, Cat", "1003", "S1003", "chopper", "Section 1", ""]
    assert len(rows) == 5
    assert "warning: 1 graded students are not on the roster and were left out: zed" in err


def test_moodle_file_has_moodle_export_columns_and_blanks(graded, capsys):
    rows, err = export(graded, "moodle", capsys)
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", ASSIGNMENT]
    assert rows[1:] == [
        ["Ada", "Lovelace", "S1001", "ada@uni.example", "100"],
        ["Bob", "Babbage", "S1002", "bob@uni.example", "70"],
        ["Cat", "Hopper", "S1003", "cat@uni.example", ""],
    ]
    assert "zed" in err


def test_plain_csv_keeps_the_roster_and_the_kits_totals(graded, capsys):
    rows, _ = export(graded, "csv", capsys)
    assert rows[0][:5] == ["id", "first_name", "last_name", "email", "lms_user_id"]
    assert rows[0][5:] == [
        "score",
        "max_score",
        "raw_score",
        "hours_late",
        "late_submission_penalty",
    ]
    assert rows[1][:1] + rows[1][5:8] == ["ada", "100", "100", "100"]
    assert rows[3][:1] + rows[3][5:] == ["cat", "", "", "", "", ""]


def test_the_same_roster_imports_into_nbgrader(graded, tmp_path):
    roster = graded.parent / "roster.csv"
    run_nbgrader(["db", "student", "import", str(roster)], tmp_path)
    listed = run_nbgrader(["db", "student", "list"], tmp_path).stdout
    assert "ada (Lovelace, Ada) -- ada@uni.example, 1001" in listed
    assert "cat (Hopper, Cat) -- cat@uni.example, 1003" in listed


def test_a_roster_without_an_id_column_is_a_one_line_error(graded, tmp_path, capsys):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,email\nAda,ada@uni.example\n")
    assert main(["export", str(graded), "--format", "canvas", "--roster", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {bad}: the roster has no 'id' column (nbgrader's student id)\n"


def test_exporting_a_folder_that_was_not_graded_is_a_one_line_error(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "moodle"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'grades.csv'}: no grades here")
