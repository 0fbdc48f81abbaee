"""The benchmark's cohort: sample submissions laid out as an nbgrader course."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from autograder.build.release import run_nbgrader
from autograder.config import course_config
from autograder.errors import KitError
from autograder.paths import REPO_ROOT, samples_dir

ASSIGNMENT = course_config().assignment
MISTAKES = (
    "dense_dw_transposed",
    "relu_mask_from_upstream",
    "softmax_missing_mean",
    "sgd_rebinds_parameters",
)
HANG = "hang"  # the honest students are s001-..., so nbgrader's glob "s*" leaves it out
HANG_EDIT = ("return grad_out @ self.W.T", "while True:\n            pass")


def plan_cohort(n: int) -> list[tuple[str, str]]:
    """(student, sample) for the n-1 honest submissions: ~75% correct, ~15% mistakes,
    ~8% stubs; the first student is correct (the 1-submission calls grade it)."""
    mistakes = round(0.15 * n)
    stubs = max(1, round(0.08 * n))
    samples = ["correct"] * (n - 1 - mistakes - stubs)
    samples += [MISTAKES[i % len(MISTAKES)] for i in range(mistakes)] + ["stubs"] * stubs
    return [(f"s{i:03d}-{sample}", sample) for i, sample in enumerate(samples, start=1)]


def hanging_notebook() -> nbformat.NotebookNode:
    """The correct sample with Dense.backward's return replaced by an endless loop."""
    nb = nbformat.read(samples_dir(ASSIGNMENT) / "correct.ipynb", as_version=4)
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "dense_backward"
    )
    if HANG_EDIT[0] not in cell.source:
        raise KitError(f"correct.ipynb: {HANG_EDIT[0]!r} not found in Dense.backward")
    cell.source = cell.source.replace(*HANG_EDIT)
    return nb


def submit(course: Path, student: str, nb: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def kit_view(course: Path, name: str, students: list[str]) -> Path:
    """A submitted/-style folder holding only ``students``, for the kit's PATH."""
    view = course / "kit_in" / name
    for student in students:
        shutil.copytree(course / "submitted" / student, view / student)
    return view


def build_course(course: Path, honest: list[tuple[str, str]]) -> None:
    """source/ for nbgrader, every submission under submitted/, release generated."""
    shutil.copytree(REPO_ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    samples = {
        s: nbformat.read(samples_dir(ASSIGNMENT) / f"{s}.ipynb", as_version=4)
        for s in {sample for _, sample in honest}
    }
    for student, sample in honest:
        submit(course, student, samples[sample])
    submit(course, HANG, hanging_notebook())
    run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course)
