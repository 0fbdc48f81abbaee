"""Does a second assignment need no change to the harness?

Each test builds a throwaway course in a temporary folder with a tiny assignment of its
own, ``doubling`` (one stub, ``double(x)``; one check, ``double_x``), whose probes and
checks live in the course's ``checks/doubling/``, and grades submissions with the real
CLI in a fresh process: the sandbox, the kit view, the pytest checks, the reports.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.cli import INTERNAL_ERROR_EXIT
from autograder.internal_errors import LOG_FILE
from autograder.paths import REPO_ROOT

ASSIGNMENT = "doubling"

PACKAGE = '''
"""A tiny assignment: the student writes double(x)."""

import numpy as np

from autograder.probing import ProbeRequest


def probe_requests(config):
    x = np.random.default_rng(config.seed).normal(size=(3, 4))
    return [ProbeRequest("double", "doubling.probes:double", {"x": x})]
'''

PROBES = '''
"""Runs in the sandbox: calls the student's double on the hidden input."""

from autograder.inside.probing import plain, student


def double(namespace, inputs):
    return plain(student(namespace, "double")(inputs["x"].copy()))
'''

CHECK = '''
"""Does double(x) return 2 x?"""

import numpy as np

from autograder.checktools import expect_close


def test_double_x(submission, config):
    x = np.random.default_rng(config.seed).normal(size=(3, 4))
    expect_close("double(x)", submission.probe("double"), 2 * x, config.value_rtol)
'''

BROKEN_CHECK = """
def test_broken_check(submission, config):
    submission.probe("double")
    return 1 / 0  # a bug in the check, not in any submission
"""

TESTS = {
    "double_x": 'TestSpec("double_x", "double", "doubles its input", 2)',
    "broken_check": 'TestSpec("broken_check", "double", "a check with a bug", 1)',
}

STUB = "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
SUBMISSIONS = {
    "correct": "def double(x):\n    return 2 * x\n",
    "plus_two": "def double(x):\n    return x + 2\n",
    "stub": STUB,
}


def make_course(root: Path, checks: dict[str, str]) -> Path:
    """A course whose only assignment is ``doubling``, with ``checks`` (file: source)."""
    config = (REPO_ROOT / "course_config.py").read_text(encoding="utf-8")
    specs = ", ".join(TESTS[name.removeprefix("test_").removesuffix(".py")] for name in checks)
    config += (
        f"\n\nTESTS = {{{ASSIGNMENT!r}: ({specs},)}}\n"
        f"CONFIG = CourseConfig(course_id='second101', assignment={ASSIGNMENT!r}, jobs=1)\n"
    )
    (root / "course_config.py").write_text(config, encoding="utf-8")
    package = root / "checks" / ASSIGNMENT
    package.mkdir(parents=True)
    files = {"__init__.py": PACKAGE, "probes.py": PROBES, **checks}
    for name, source in files.items():
        (package / name).write_text(source.lstrip(), encoding="utf-8")
    for student, source in SUBMISSIONS.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    return root


def grade(course: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """``python -m autograder --course COURSE grade COURSE/submitted --out COURSE/out``."""
    out = course / "out"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "--course", str(course), "grade",
         str(course / "submitted"), "--out", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return done, out


def grades(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    return grade(make_course(tmp_path_factory.mktemp("second"), {"test_double_x.py": CHECK}))


def test_a_second_assignment_is_graded_in_the_sandbox(graded):
    done, out = graded
    assert done.returncode == 0, done.stderr
    assert "graded 3 submissions" in done.stdout and "0 internal errors" in done.stdout
    assert {s: row["score"] for s, row in grades(out).items()} == {
        "correct": "2", "plus_two": "0", "stub": "0"
    }  # fmt: skip
    assert all(results(out, s)["extra_data"]["isolation"] != "none" for s in SUBMISSIONS)


def test_its_check_explains_failures_like_the_kits(graded):
    _, out = graded
    wrong = results(out, "plus_two")["tests"][0]
    assert "tags" not in wrong and "largest relative error" in wrong["output"]
    stub = results(out, "stub")["tests"][0]
    assert stub["tags"] == ["not implemented"] and stub["status"] == "failed"
    assert (out / "correct" / "feedback.html").is_file() and not (out / LOG_FILE).exists()


def test_a_check_that_raises_is_logged_counted_and_fails_the_command(tmp_path):
    course = make_course(
        tmp_path, {"test_double_x.py": CHECK, "test_broken_check.py": BROKEN_CHECK}
    )
    done, out = grade(course)
    assert done.returncode == INTERNAL_ERROR_EXIT
    # the stub's check fails on its probe ("not implemented") before reaching the bug
    assert "2 internal errors" in done.stdout and LOG_FILE in done.stderr
    assert {s: row["score"] for s, row in grades(out).items()} == {
        "correct": "2", "plus_two": "0", "stub": "0"
    }  # fmt: skip
    log = (out / LOG_FILE).read_text(encoding="utf-8")
    assert log.count("ZeroDivisionError") == 2 and "== plus_two: broken_check" in log
    broken = results(out, "correct")["tests"][1]
    assert broken["tags"] == ["internal error"] and "bug in the grader" in broken["output"]
    assert "ZeroDivisionError" not in (out / "correct" / "results.json").read_text()
    assert "ZeroDivisionError" not in (out / "correct" / "feedback.html").read_text()
