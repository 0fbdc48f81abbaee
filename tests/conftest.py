"""Fixtures shared by the kit's tests: the config, and one fresh build of source/."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder.build import build_into
from autograder.config import course_config
from autograder.paths import REPO_ROOT

ASSIGNMENT = "mlp_backprop"


@pytest.fixture(scope="session")
def config():
    return course_config()


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory) -> tuple[Path, Path, Path]:
    """release/, solutions/ and samples/ built from source/ in a scratch course (once)."""
    return build_into(tmp_path_factory.mktemp("course"), ASSIGNMENT)


@pytest.fixture(scope="session")
def master() -> nbformat.NotebookNode:
    return nbformat.read(REPO_ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


@pytest.fixture(scope="session")
def release() -> nbformat.NotebookNode:
    return nbformat.read(REPO_ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
