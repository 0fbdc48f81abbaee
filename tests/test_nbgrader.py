"""Does the real nbgrader CLI, run from the repository root with course_config.py, grade
like `python -m autograder grade`, survive a hang, and leak no hidden test?"""

from __future__ import annotations

import csv
import functools
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from autograder.build.release import nbgrader_env, run_nbgrader
from autograder.paths import REPO_ROOT, samples_dir
from tests.helpers import ASSIGNMENT, hanging_notebook

# full, partial and no marks (every catalog mistake meets nbgrader's hidden-cell path in
# test_catalog_nbgrader_cell.py; a real autograde costs seconds per student)
HONEST = ["correct", "dense_dw_transposed", "stubs"]
HIDDEN_TEXT = ["BEGIN HIDDEN TESTS", "hidden_check(", "nbgrader_cell import"]
TIMEOUT = 2  # seconds per cell for this test, so the hanging notebook stays cheap


def dead_kernel_notebook() -> nbformat.NotebookNode:
    nb = nbformat.read(samples_dir(ASSIGNMENT) / "correct.ipynb", as_version=4)
    nb.cells.insert(12, nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    return nb


def forging_notebook() -> nbformat.NotebookNode:
    """The stubs, with a cell that makes every hidden test cell report full points."""
    nb = nbformat.read(samples_dir(ASSIGNMENT) / "stubs.ipynb", as_version=4)
    nb.cells.insert(
        12,
        nbformat.v4.new_code_cell(
            "import autograder.nbgrader_cell as cell\n"
            "from autograder.config import graded_tests\n"
            f"points = {{t.id: float(t.points) for t in graded_tests({ASSIGNMENT!r})}}\n"
            "cell.hidden_check = lambda test_id, namespace, assignment=None: points[test_id]\n"
            "def require_implemented(piece):\n    pass"
        ),
    )
    return nb


def solution_importing_notebook() -> nbformat.NotebookNode:
    """The stubs, with a cell that swaps in the instructor solution if it can import it."""
    nb = nbformat.read(samples_dir(ASSIGNMENT) / "stubs.ipynb", as_version=4)
    nb.cells.insert(
        12,
        nbformat.v4.new_code_cell(
            "for module in ('solutions.mlp_backprop.mlp_backprop', "
            "'autograder.mlp_backprop.reference_model'):\n"
            "    try:\n        exec(f'from {module} import *')\n    except ImportError:\n"
            "        pass"
        ),
    )
    return nb


VALIDATED = {  # what `nbgrader validate` is asked about: name -> folder of the notebook
    "release": "release",
    "complete": "submitted/correct",
    "transposed": "submitted/dense_dw_transposed",
}
SPECIAL = {
    "hang": functools.partial(hanging_notebook, only_in_forks=True),
    "dead_kernel": dead_kernel_notebook,
    "forger": forging_notebook,
    "solution_importer": solution_importing_notebook,
}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Iterator[dict]:
    """nbgrader's autograde, feedback and export of the submissions beside the kit's
    grades, validate on three notebooks, and the kit's gradebook sync (in a copy of the
    course), each started as soon as what it reads exists."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO_ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], root)
    for student in [*HONEST, *SPECIAL]:
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        if student in SPECIAL:
            nb = SPECIAL[student]()
        else:
            nb = nbformat.read(samples_dir(ASSIGNMENT) / f"{student}.ipynb", as_version=4)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    # meanwhile (nbgrader runs one kernel at a time): nbgrader validate, and the kit
    notebook = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    validating = ThreadPoolExecutor(max_workers=1)
    validated = {
        name: validating.submit(run_nbgrader, ["validate", str(root / where / notebook)], root)
        for name, where in VALIDATED.items()
    }
    kit = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", f"{root}/submitted", "--out", f"{root}/kit"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    autograde = subprocess.run(  # exits 1: the dead kernel is an error for that student
        [
            sys.executable,
            "-m",
            "nbgrader",
            "autograde",
            ASSIGNMENT,
            "--force",
            f"--Execute.timeout={TIMEOUT}",
            f"--CourseDirectory.root={root}",
        ],
        cwd=REPO_ROOT,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    assert "for student 'dead_kernel'" in autograde.stderr
    # meanwhile: the kit's gradebook sync, in a copy of the course (its own gradebook)
    synced_root = root.with_name(f"{root.name}-synced")
    shutil.copytree(root, synced_root, ignore=shutil.ignore_patterns("kit"))  # still writing
    sync_command = ["gradebook", "--assignment", ASSIGNMENT, "--nbgrader-root", str(synced_root)]
    sync = subprocess.Popen(
        [sys.executable, "-m", "autograder", *sync_command],
        cwd=REPO_ROOT,
        env=nbgrader_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    feedback = run_nbgrader(["generate_feedback", ASSIGNMENT, "--force"], root)
    run_nbgrader(["export", f"--to={root / 'nbgrader_grades.csv'}"], root)
    kit_log = kit.communicate()[0]
    assert kit.returncode == 0, kit_log
    sync_log, sync_errors = sync.communicate()
    assert sync.returncode == 0, sync_errors
    run_nbgrader(["export", f"--to={synced_root / 'grades.csv'}"], synced_root)
    yield {
        "root": root,
        "autograde_log": autograde.stderr,
        "feedback_log": feedback.stderr,
        "validate": {name: done.result().stdout for name, done in validated.items()},
        "synced": {"stdout": sync_log, "grades": rows(synced_root / "grades.csv")},
    }
    validating.shutdown()


@pytest.fixture(scope="module")
def synced(course) -> dict:
    """The gradebook after `python -m autograder gradebook`, exported again."""
    return course["synced"]


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open() as f:
        return {row.get("student_id") or row["student"]: row for row in csv.DictReader(f)}


def test_gradebook_scores_equal_the_cli_scores_per_test_and_in_total(course):
    nbgrader = rows(course["root"] / "nbgrader_grades.csv")
    kit = rows(course["root"] / "kit" / "grades.csv")
    assert sorted(nbgrader) == sorted(kit) == sorted([*HONEST, *SPECIAL])
    for student, row in kit.items():
        if student in ("dead_kernel", "forger"):  # the kernel died / lied
            continue
        for column in row:
            if column != "student" and row[column] != nbgrader[student][column]:
                assert float(nbgrader[student][column]) == float(row[column]), (student, column)
    assert kit["correct"]["score"] == "100" and kit["stubs"]["score"] == "0"


def test_a_hanging_notebook_loses_only_its_hanging_piece_and_stops_no_one(course):
    """The notebook hangs where it is graded (in forks of the kernel). How long nbgrader
    takes on a hang is the benchmark's business
    (benchmarks/grading_speed.py --with-hang-nbgrader), not a test's."""
    kit = rows(course["root"] / "kit" / "grades.csv")
    nbgrader = rows(course["root"] / "nbgrader_grades.csv")
    graded = course["root"] / "autograded" / "hang" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    timed_out = [
        cell.metadata["nbgrader"]["grade_id"]
        for cell in nbformat.read(graded, as_version=4).cells
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))
    ]
    assert timed_out == ["dense_backward_dx"]  # the first hidden cell to run the probes
    for grades in (kit, nbgrader):
        assert float(grades["hang"]["dense_backward_dx"]) == 0
        assert float(grades["hang"]["relu_backward_dx"]) == 15
        assert float(grades["correct"]["score"]) == 100


def test_a_dead_kernel_loses_only_its_own_grade(course):
    nbgrader = rows(course["root"] / "nbgrader_grades.csv")
    kit = rows(course["root"] / "kit" / "grades.csv")
    assert nbgrader["dead_kernel"]["score"] == "0"  # nbgrader cannot grade it at all
    assert kit["dead_kernel"]["score"] == "100"  # the kit loses only the cell that exited
    assert nbgrader["correct"]["score"] == "100"


def test_generate_feedback_warns_about_nothing_the_kit_configures(course):
    assert "not recognized by" not in course["feedback_log"]


def test_autograde_warns_only_of_nbgrader_restoring_each_hidden_test_cell(course):
    """nbgrader puts a cell's hidden tests back by overwriting it and warns each time
    (jupyter/nbgrader#1961): once per hidden-test cell, no other warning per student."""
    tests_with_hidden_parts = 11
    log = course["autograde_log"]
    checksum = [line for line in log.splitlines() if "Attribute 'checksum' for cell" in line]
    assert len(checksum) == tests_with_hidden_parts * len([*HONEST, *SPECIAL])
    assert "not recognized by" not in log


def test_feedback_shows_the_kits_messages_but_no_hidden_test(course):
    pages = sorted((course["root"] / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert len(pages) == len(HONEST) + 3  # the dead kernel has no autograded notebook
    for page in pages:
        text = page.read_text()
        assert not [hidden for hidden in HIDDEN_TEXT if hidden in text], page
    mistake = (course["root"] / "feedback" / "dense_dw_transposed" / ASSIGNMENT).glob("*.html")
    assert "transpose of dL/dW" in next(mistake).read_text()


def test_validate_names_the_four_missing_pieces_in_the_release(course):
    report = course["validate"]["release"]
    # the four piece checks, the whole-network check and the accuracy verdict
    assert "VALIDATION FAILED ON 6 CELL(S)" in report
    for piece in (
        "Dense.backward",
        "ReLU.backward",
        "softmax_cross_entropy_with_logits",
        "SGD.step",
    ):
        assert f"{piece} is not implemented yet" in report


def test_validate_passes_a_complete_notebook(course):
    assert "Success!" in course["validate"]["complete"]


def test_a_kernel_that_forges_its_hidden_cells_fools_nbgrader_but_not_the_gradebook_sync(
    course, synced
):
    nbgrader = rows(course["root"] / "nbgrader_grades.csv")
    assert float(nbgrader["forger"]["score"]) == 100  # what a kernel can do to nbgrader
    assert float(synced["grades"]["forger"]["score"]) == 0
    assert (
        "nbgrader gave more: forger: 100 in nbgrader's autograde, 0 in the sandbox"
        in (synced["stdout"])
    )
    assert (
        "isolation: namespaces" in synced["stdout"] or "isolation: landlock" in (synced["stdout"])
    )


def test_the_gradebook_sync_keeps_every_honest_grade(course, synced):
    nbgrader = rows(course["root"] / "nbgrader_grades.csv")
    for student in HONEST:
        assert synced["grades"][student] == nbgrader[student], student
    assert float(synced["grades"]["dead_kernel"]["score"]) == 100  # the kernel died; the kit
    assert synced["stdout"].count("nbgrader gave more") == 1
    assert float(synced["grades"]["solution_importer"]["score"]) == 0


def test_the_solution_is_not_importable_from_a_kernel_nbgrader_starts(course):
    nbgrader = rows(course["root"] / "nbgrader_grades.csv")
    assert float(nbgrader["solution_importer"]["score"]) == 0  # the stubs stayed stubs


def test_validate_fails_when_a_visible_check_fails(course):
    report = course["validate"]["transposed"]
    assert "Success!" not in report and "VALIDATION FAILED" in report
    assert "Dense.backward: some checks FAIL" in report


def test_the_grades_export_has_a_column_per_test_and_none_for_visible_checks(course):
    with (course["root"] / "nbgrader_grades.csv").open() as f:
        header = next(csv.reader(f))
    assert "dense_backward_dw" in header and "dense-check" not in header


def test_feedback_math_renders_offline(course):
    from tests.browser import rendered_math

    page = next((course["root"] / "feedback" / "correct" / ASSIGNMENT).glob("*.html"))
    assert "window.MathJax" in page.read_text() and "mathjax/2.7.7" not in page.read_text()
    rendered, failed = rendered_math(page)
    assert rendered > 300 and failed == 0
