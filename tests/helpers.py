"""What several of the kit's test files share: the assignment, fixture notebooks, and
the catalog's verdicts through nbgrader's forked hidden-cell path.

Test files import these from here (``from tests.helpers import ...``), never from
``conftest`` or from another test file.
"""

from __future__ import annotations

import ast
import dataclasses
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import nbformat
import numpy as np

from autograder import nbgrader_cell
from autograder.checking import ProbedSubmission, Verdict, probe_timeouts, run_checks
from autograder.config import course_config
from autograder.mlp_backprop import probe_requests
from autograder.paths import samples_dir
from autograder.sandbox import ProbeOutcome
from tests.catalog import ALL_TESTS, Entry

ASSIGNMENT: str = course_config().assignment  # the kit's one assignment, mlp_backprop

DENSE_RETURN = "return grad_out @ self.W.T"
HANG_GUARD = 300.0  # seconds: only a call that never returns takes this long, even under load
T = TypeVar("T")


def returns(call: Callable[[], T], guard: float = HANG_GUARD) -> T:
    """``call()``'s value; fails the test if it has not returned after ``guard`` seconds.

    A guard against a hang (a stop that never comes), not a speed check: ``guard`` is
    far above what the call needs on any machine, so only a hang fails it. Speed is
    measured in benchmarks/.
    """
    done: list[T] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            done.append(call())
        except BaseException as err:
            raised.append(err)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(guard)
    if worker.is_alive():
        raise AssertionError(f"still running after {guard:g} s: it hangs")
    if raised:
        raise raised[0]
    return done[0]


def hanging_notebook(only_in_forks: bool = False) -> nbformat.NotebookNode:
    """The correct sample whose Dense.backward loops forever instead of returning.

    ``only_in_forks``: it loops only in a process forked after the class was defined, as
    hidden checks run it (nbgrader's hidden cells, the kit's probes); the notebook's own
    cells in a kernel, which nbgrader would time out one by one, run as they should.
    """
    nb = nbformat.read(samples_dir(ASSIGNMENT) / "correct.ipynb", as_version=4)
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "dense_backward"
    )
    assert DENSE_RETURN in cell.source
    loop = "while True:\n            pass"
    if only_in_forks:
        loop = f"while os.getpid() != DEFINED_IN:\n            pass\n        {DENSE_RETURN}"
        cell.source = "import os\nDEFINED_IN = os.getpid()\n" + cell.source
    cell.source = cell.source.replace(DENSE_RETURN, loop)
    return nb


def failures(verdicts: dict[str, Verdict]) -> dict[str, str | None]:
    """Test id -> diagnosis of every failed test."""
    return {test: v.diagnosis for test, v in verdicts.items() if not v.passed}


def entry_namespace(entry: Entry) -> dict[str, Any]:
    """The globals of a kernel that ran the entry's source (as a notebook's cells would)."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        exec(compile(entry.source, f"<catalog {entry.name}>", "exec"), namespace)
    return namespace


def patient(config: Any) -> Any:
    """``config`` with time limits no loaded machine reaches: in the tests only a hang may
    time out (probe inputs do not depend on the limits)."""
    return dataclasses.replace(
        config,
        probe_timeout=HANG_GUARD / 10,
        training_timeout=HANG_GUARD / 5,
        cell_timeout=HANG_GUARD,
        submission_timeout=HANG_GUARD * 4,
    )


def forked_outcomes(entry: Entry, config: Any) -> dict[str, ProbeOutcome]:
    """Every probe's outcome on the entry, each run as nbgrader's hidden test cells run it:
    in a fork of the kernel (``nbgrader_cell.ForkedOutcomes``, ``kernel_probe.run_forked``).
    """
    nbgrader_cell._outcomes.clear()  # a new kernel: no outcomes of an earlier notebook
    requests = probe_requests(patient(config))
    forked = nbgrader_cell.ForkedOutcomes(entry_namespace(entry), requests, HANG_GUARD / 10)
    try:
        return {name: forked[name] for name in forked}
    finally:
        nbgrader_cell._outcomes.clear()


def catalog_verdicts(
    outcomes: dict[str, dict[str, ProbeOutcome]], config: Any
) -> dict[str, dict[str, Verdict]]:
    """Verdicts per entry and test id, from one run of the hidden checks on ``outcomes``."""
    timeouts = probe_timeouts(probe_requests(config), config.probe_timeout)
    submissions = [ProbedSubmission(name, found, timeouts) for name, found in outcomes.items()]
    return run_checks(ASSIGNMENT, submissions, config, list(ALL_TESTS))


def imported_modules(path: Path) -> set[str]:
    """The modules a Python file imports (``import a.b`` and ``from a.b import c``: a.b)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules
