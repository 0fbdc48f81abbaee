"""Do the kit's feedback pages reach students through nbgrader's own exchange, and as a
zip or a folder per student for courses without one?

The nbgrader test runs the whole loop with the real CLI and a temporary exchange:
release_assignment, fetch_assignment and submit (as the student), collect, the kit's
grade and feedback, release_feedback, and fetch_feedback (as the student).
"""

from __future__ import annotations

import getpass
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder.build.release import run_nbgrader
from autograder.cli import main
from autograder.paths import samples_dir, source_notebook
from tests.helpers import ASSIGNMENT


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict[str, Path]:
    """A course whose one student submitted the correct sample through the exchange, and
    which the kit graded into ``graded/``."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(source_notebook(ASSIGNMENT).parent, root / "source" / ASSIGNMENT)
    home, exchange, cache = root / "home", root / "exchange", root / "cache"
    home.mkdir()
    where = [
        f"--Exchange.root={exchange}",
        f"--Exchange.cache={cache}",
        f"--Exchange.assignment_dir={home}",
    ]

    def nbgrader(*args: str) -> str:
        done = run_nbgrader([*args, *where], root)
        return done.stdout + done.stderr

    nbgrader("generate_assignment", ASSIGNMENT, "--force")
    nbgrader("release_assignment", ASSIGNMENT)
    nbgrader("fetch_assignment", ASSIGNMENT)
    answer = samples_dir(ASSIGNMENT) / "correct.ipynb"
    shutil.copyfile(answer, home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader("submit", ASSIGNMENT)
    nbgrader("collect", ASSIGNMENT)
    graded = root / "graded"
    assert main(["grade", str(root / "submitted"), "--out", str(graded)]) == 0
    return {"root": root, "home": home, "graded": graded, "nbgrader": nbgrader}


def test_release_feedback_delivers_the_kits_page_to_the_student(course):
    student = getpass.getuser()  # nbgrader submit records the login name
    graded, root = course["graded"], course["root"]
    assert main(["feedback", str(graded), "--to", "nbgrader", "--dest", str(root)]) == 0
    page = graded / student / "feedback.html"
    placed = root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert placed.read_bytes() == page.read_bytes()
    log = course["nbgrader"]("release_feedback", ASSIGNMENT)
    assert f"Releasing feedback for student '{student}'" in log
    course["nbgrader"]("fetch_feedback", ASSIGNMENT)
    fetched = list((course["home"] / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(fetched) == 1 and fetched[0].read_bytes() == page.read_bytes()


def test_a_second_delivery_needs_force(course, capsys):
    graded, root = course["graded"], course["root"]
    command = ["feedback", str(graded), "--to", "nbgrader", "--dest", str(root)]
    main(command)
    capsys.readouterr()
    assert main(command) == 2
    assert "already exists; pass --force to replace it" in capsys.readouterr().err
    assert main([*command, "--force"]) == 0


def test_a_student_not_collected_by_nbgrader_is_skipped_with_a_warning(course, tmp_path, capsys):
    graded = tmp_path / "graded"
    shutil.copytree(course["graded"], graded)
    shutil.copytree(graded / getpass.getuser(), graded / "walkin")
    assert main(["feedback", str(graded), "--to", "nbgrader", "--dest", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "skipped walkin: no notebook in" in err and "not collected by nbgrader" in err


def test_one_zip_or_one_folder_per_student_ready_to_upload(course, tmp_path):
    graded = course["graded"]
    student = getpass.getuser()
    page = (graded / student / "feedback.html").read_bytes()
    assert main(["feedback", str(graded), "--to", "zip", "--dest", str(tmp_path / "z")]) == 0
    with zipfile.ZipFile(tmp_path / "z" / f"{student}.zip") as bundle:
        assert bundle.namelist() == [f"{ASSIGNMENT}-feedback.html"]
        assert bundle.read(f"{ASSIGNMENT}-feedback.html") == page
    assert main(["feedback", str(graded), "--to", "folders", "--dest", str(tmp_path / "f")]) == 0
    assert (tmp_path / "f" / student / f"{ASSIGNMENT}-feedback.html").read_bytes() == page
