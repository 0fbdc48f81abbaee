"""Does the kit install like a Python package, and find the course from where it runs?

A fresh venv gets ``pip install -e .`` (build isolation and all); it reuses the kit's
installed dependencies through a ``.pth`` file, so the test runs in seconds and
offline. That the declared dependency ranges admit the pinned lock is checked apart.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from autograder.gradescope.requirements import canonical, pins
from autograder.paths import REPO_ROOT
from tests.helpers import ASSIGNMENT

SAMPLE = REPO_ROOT / "samples" / ASSIGNMENT / "correct.ipynb"


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv with the kit installed by ``pip install -e .``."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    purelib = run(
        env / "bin" / "python",
        "-c",
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        cwd=env,
    ).stdout.strip()
    (Path(purelib) / "kit-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = run(env / "bin" / "python", "-m", "pip", "install", "-q", "-e", REPO_ROOT, cwd=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return env / "bin"


def test_console_script_and_import_work_from_another_directory(installed, tmp_path):
    version = run(installed / "backprop-kit", "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == "backprop-kit 0.1.0"
    where = run(
        installed / "python", "-c", "import autograder; print(autograder.__file__)", cwd=tmp_path
    )
    assert where.stdout.strip() == str(REPO_ROOT / "autograder" / "__init__.py")


def test_outside_a_course_the_cli_says_so_in_one_line(installed, tmp_path):
    done = run(installed / "backprop-kit", "grade", SAMPLE, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {tmp_path}: not a course folder (no course_config.py); run from the course "
        "folder or pass --course DIR"
    ]


def test_the_installed_cli_grades_a_course_named_with_course(installed, tmp_path):
    out = tmp_path / "out"
    command = ("grade", SAMPLE, "--out", out, "--jobs", "1")
    done = run(installed / "backprop-kit", "--course", REPO_ROOT, *command, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "correct,100,100,100" in (out / "grades.csv").read_text()
    module = run(
        installed / "python", "-m", "autograder", "--course", REPO_ROOT, "--version", cwd=tmp_path
    )
    assert module.returncode == 0 and "0.1.0" in module.stdout


def test_the_distribution_holds_only_the_autograder_package():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == [
        "autograder",
        "autograder.*",
    ]
    assert config["project"]["scripts"] == {"backprop-kit": "autograder.cli:run"}


def test_every_declared_dependency_range_admits_the_pinned_lock():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    locked = {
        name: pin.split("==")[1]
        for name, pin in pins((REPO_ROOT / "requirements.txt").read_text()).items()
    }
    extras = [r for group in config["project"]["optional-dependencies"].values() for r in group]
    for line in [*config["project"]["dependencies"], *extras]:
        requirement = Requirement(line)
        if canonical(requirement.name) == "backprop-kit":
            continue
        assert canonical(requirement.name) in locked, f"{requirement.name} is not pinned"
        assert requirement.specifier.contains(locked[canonical(requirement.name)]), line
    assert sys.version_info >= (3, 11)
