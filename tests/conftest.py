"""Fixtures shared by the kit's tests: the config, and one fresh build of source/."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from autograder.build import build_into
from autograder.checking import ProbedSubmission, Verdict, probe_timeouts, run_checks
from autograder.config import course_config
from autograder.inside.notebook import outside_kit, student_traceback
from autograder.mlp_backprop import probe_requests
from autograder.paths import REPO_ROOT
from autograder.probing import ProbeOutcome, ProbeRequest, resolve
from tests.catalog import ALL_TESTS, ENTRIES, Entry

ASSIGNMENT = course_config().assignment  # the assignment the tests grade


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


def run_in_process(namespace: dict, requests: list[ProbeRequest]) -> dict[str, ProbeOutcome]:
    """Run every probe here, on ``namespace`` (no isolation: tests of the checks only)."""
    outcomes: dict[str, ProbeOutcome] = {}
    for request in requests:
        try:
            value = resolve(request.function)(namespace, request.inputs)
            outcomes[request.name] = ProbeOutcome(request.name, "ok", value, None, "")
        except Exception as err:
            error = student_traceback(err, outside_kit)
            outcomes[request.name] = ProbeOutcome(request.name, "error", None, error, "")
    return outcomes


def probe_entry(entry: Entry, config: Any) -> dict[str, ProbeOutcome]:
    """Run the entry's source in a fresh namespace, then every probe on it."""
    namespace: dict[str, Any] = {"__name__": f"catalog_{entry.name}"}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        exec(compile(entry.source, f"<catalog {entry.name}>", "exec"), namespace)
        return run_in_process(namespace, probe_requests(config))


@pytest.fixture(scope="session")
def outcomes(config) -> dict[str, dict[str, ProbeOutcome]]:
    """Probe outcomes per catalog entry."""
    return {entry.name: probe_entry(entry, config) for entry in ENTRIES}


@pytest.fixture(scope="session")
def verdicts(outcomes, config) -> dict[str, dict[str, Verdict]]:
    """Verdicts per entry and test id, from one run of the hidden checks."""
    submissions = [
        ProbedSubmission(name, found, probe_timeouts(probe_requests(config), config.probe_timeout))
        for name, found in outcomes.items()
    ]
    return run_checks(ASSIGNMENT, submissions, config, list(ALL_TESTS))
