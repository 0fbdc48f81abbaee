"""Is course_config.py the only place points and the accuracy bar live: does a build write
them into the notebooks, and refuse when the notebook and the config cannot agree?"""

from __future__ import annotations

import dataclasses
import re
import shutil

import nbformat
import pytest

from autograder.build.release import build_release
from autograder.build.settings import apply_settings, grade_cells
from autograder.config import graded_tests
from autograder.errors import KitError
from autograder.paths import REPO_ROOT, source_notebook
from tests.helpers import ASSIGNMENT


@pytest.fixture
def course(tmp_path):
    shutil.copytree(REPO_ROOT / "source" / ASSIGNMENT, tmp_path / "source" / ASSIGNMENT)
    return tmp_path


def accuracy_bar(nb) -> tuple[set[str], set[str]]:
    """The values of MIN_TRAIN_ACCURACY in the code and of a_min in the text."""
    code = {
        m
        for c in nb.cells
        if c.cell_type == "code"
        for m in re.findall(r"^MIN_TRAIN_ACCURACY = ([0-9.]+)$", c.source, re.M)
    }
    text = {
        m
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in re.findall(r"a_\{\\min\} = ([0-9.]+)", c.source)
    }
    return code, text


def test_the_committed_master_already_agrees_with_the_config(course, config):
    path = source_notebook(ASSIGNMENT, course)
    assert not apply_settings(path, graded_tests(ASSIGNMENT), config)
    assert accuracy_bar(nbformat.read(path, as_version=4)) == ({"0.95"}, {"0.95"})


def test_editing_points_and_the_accuracy_bar_changes_the_release(course, config):
    tests = [
        dataclasses.replace(t, points=7) if t.id == "relu_backward_dx" else t
        for t in graded_tests(ASSIGNMENT)
    ]
    changed = dataclasses.replace(config, min_train_accuracy=0.9)
    release = build_release(ASSIGNMENT, course, changed, tests)
    nb = nbformat.read(release / f"{ASSIGNMENT}.ipynb", as_version=4)
    points = {i: c.metadata["nbgrader"]["points"] for i, c in grade_cells(nb).items()}
    assert points["relu_backward_dx"] == 7
    assert {i: p for i, p in points.items() if p} == {t.id: t.points for t in tests}
    assert accuracy_bar(nb) == ({"0.9"}, {"0.9"})


def test_a_configured_test_without_a_cell_stops_the_build(course, config):
    tests = [
        *graded_tests(ASSIGNMENT),
        dataclasses.replace(graded_tests(ASSIGNMENT)[0], id="dense_backward_extra"),
    ]
    with pytest.raises(KitError, match="dense_backward_extra"):
        build_release(ASSIGNMENT, course, config, tests)


def test_a_graded_cell_the_config_does_not_know_stops_the_build(course, config):
    tests = [t for t in graded_tests(ASSIGNMENT) if t.id != "sgd_step_in_place"]
    with pytest.raises(KitError, match="sgd_step_in_place"):
        build_release(ASSIGNMENT, course, config, tests)
