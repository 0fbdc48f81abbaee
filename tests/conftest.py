"""Fixtures shared by the kit's tests: the config, one fresh build of source/, and the
catalog's probe outcomes and verdicts. Shared helpers live in ``tests/helpers.py``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder.build import build_into
from autograder.checking import Verdict
from autograder.config import course_config
from autograder.paths import REPO_ROOT
from autograder.sandbox import ProbeOutcome
from tests.catalog import ENTRIES
from tests.helpers import ASSIGNMENT, catalog_verdicts, forked_outcomes


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden copies (tests/catalog/messages.json) from this run",
    )


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


@pytest.fixture(scope="session")
def outcomes(config) -> dict[str, dict[str, ProbeOutcome]]:
    """Probe outcomes per catalog entry, each probe in a fork of this process, as
    nbgrader's hidden test cells run them in the student's kernel."""
    return {entry.name: forked_outcomes(entry, config) for entry in ENTRIES}


@pytest.fixture(scope="session")
def verdicts(outcomes, config) -> dict[str, dict[str, Verdict]]:
    """Verdicts per entry and test id, from one run of the hidden checks."""
    return catalog_verdicts(outcomes, config)
