"""Run an assignment's hidden pytest checks on what the sandbox brought back.

The checks are ordinary pytest files, ``autograder/<assignment>/test_<test id>*.py``;
each test function is named ``test_<test id>`` and takes the ``submission`` fixture
(parametrized over every student in one pytest run) and the ``config`` fixture. A test
reads what student code produced with ``submission.probe(name)``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pytest

from autograder.checktools import CheckFailed
from autograder.errors import KitError
from autograder.paths import KIT_ROOT, checks_dir
from autograder.probing import MissingDefinition, ProbeStatus

if TYPE_CHECKING:  # the course's config module, loaded by autograder.config
    from course_config import CourseConfig


class Outcome(Protocol):
    """What running one probe gave: ``ok`` with a value, or why not."""

    status: ProbeStatus
    value: Any
    error: str | None


@dataclass(frozen=True)
class Verdict:
    """One test's result for one student: passed, or the student-facing message."""

    passed: bool
    message: str = ""
    diagnosis: str | None = None
    details: str = ""  # the fix line or hidden-run figures: shown only when revealed
    internal: str | None = None  # the check itself broke (a kit bug): its traceback, for
    # the instructor's log only (it may quote hidden inputs), never for the student


def probe_failure(outcome: Outcome, limit: float) -> CheckFailed:
    """Why a probe gave no value, in a student's terms."""
    error = outcome.error or ""
    if outcome.status == "timeout":
        return CheckFailed(
            f"Your code did not finish within {limit:g} s (an endless loop?).", "timeout"
        )
    if outcome.status == "crashed":
        return CheckFailed(f"Your code stopped the Python process: {error}", "crashed")
    if "NotImplementedError" in error:
        stub = error.rsplit("NotImplementedError", 1)[-1].lstrip(": ").strip()
        if "not implemented" not in stub.lower():
            stub = "Not implemented yet: the stub still raises NotImplementedError."
        return CheckFailed(stub, "not implemented")
    if f"{MissingDefinition.__name__}: " in error:
        return CheckFailed(error.split(f"{MissingDefinition.__name__}: ")[-1], "missing definition")
    return CheckFailed(f"Your code raised an exception:\n{error.rstrip()}", "exception")


class ProbedSubmission:
    """One student's probe outcomes, as the checks see them."""

    def __init__(
        self, student: str, outcomes: Mapping[str, Outcome], timeouts: Mapping[str, float]
    ) -> None:
        self.student = student
        self._outcomes = outcomes
        self._timeouts = timeouts  # each probe's time limit, for the feedback

    def probe(self, name: str) -> Any:
        """The plain data probe ``name`` returned, or ``CheckFailed`` saying why there is none."""
        if name not in self._outcomes:
            raise KitError(f"the checks asked for probe {name!r}, which was not requested")
        outcome = self._outcomes[name]
        if outcome.status != "ok":
            raise probe_failure(outcome, self._timeouts[name])
        return outcome.value

    def __repr__(self) -> str:
        return self.student


class KitPlugin:
    """Parametrizes the checks over submissions and records one verdict per test."""

    def __init__(
        self, submissions: list[ProbedSubmission], config: CourseConfig, wanted: set[str]
    ) -> None:
        self.submissions = submissions
        self.course = config
        self.wanted = wanted
        self.verdicts: dict[str, dict[str, Verdict]] = {s.student: {} for s in submissions}
        self.collected: set[str] = set()

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Run only the wanted tests; note which tests exist."""
        self.collected |= {kit_test_id(item) for item in items}
        items[:] = [item for item in items if kit_test_id(item) in self.wanted]

    @pytest.fixture
    def config(self) -> CourseConfig:
        return self.course

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "submission" in metafunc.fixturenames:
            ids = [s.student for s in self.submissions]
            metafunc.parametrize("submission", self.submissions, ids=ids)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        tid = kit_test_id(item)
        student = item.callspec.params["submission"].student  # type: ignore[attr-defined]
        if call.when == "call" or (report.failed and tid not in self.verdicts[student]):
            self.verdicts[student][tid] = verdict(call)
        return report


def kit_test_id(item: pytest.Item) -> str:
    """The kit's test id of a pytest item: its function name without ``test_``."""
    return item.originalname.removeprefix("test_")  # type: ignore[attr-defined]


def verdict(call: pytest.CallInfo) -> Verdict:
    """Turn how a test ended into a ``Verdict``."""
    if call.excinfo is None:
        return Verdict(True)
    error = call.excinfo.value
    if isinstance(error, CheckFailed):
        return Verdict(False, error.message, error.diagnosis, error.details)
    return Verdict(False, INTERNAL_ERROR, "internal error", internal=kit_traceback(error))


INTERNAL_ERROR = (
    "The grader could not check this part: the check itself failed (a bug in the grader, "
    "not in your code). Please tell your instructor."
)


def kit_traceback(error: BaseException) -> str:
    """The whole traceback of an exception a check raised (kit frames included)."""
    return "".join(traceback.format_exception(error)).rstrip()


def assignment_package(assignment: str) -> ModuleType:
    """The package of ``assignment``'s probes and checks (``probe_requests`` and the
    probe modules the sandbox's kit view copies by module name).

    The kit's own is ``autograder.<assignment>``; a course's own, in its
    ``checks/<assignment>/``, is imported as ``<assignment>`` from ``checks/``, as pytest
    imports its check files. KitError when that name is already another module's.
    """
    folder = checks_dir(assignment)
    if folder == KIT_ROOT / "autograder" / assignment:
        return importlib.import_module(f"autograder.{assignment}")
    if str(folder.parent) not in sys.path:
        sys.path.insert(0, str(folder.parent))
    package = importlib.import_module(assignment)
    if Path(package.__file__ or "").parent != folder:
        raise KitError(
            f"{folder}: the assignment's checks cannot be imported as {assignment!r}, which "
            f"is already the module {package.__file__}; rename the assignment"
        )
    return package


def check_files(assignment: str, test_ids: list[str]) -> list[str]:
    """The check files that define any of ``test_ids`` (pytest collects only these)."""
    wanted = {f"def test_{test_id}(" for test_id in test_ids}
    files = sorted(checks_dir(assignment).glob("test_*.py"))
    found = [str(f) for f in files if any(w in f.read_text(encoding="utf-8") for w in wanted)]
    return found or [str(checks_dir(assignment))]


def probe_timeouts(requests: list, default: float) -> dict[str, float]:
    """Each probe's time limit: its own, or the configured default."""
    return {request.name: request.timeout or default for request in requests}


def run_checks(
    assignment: str, submissions: list[ProbedSubmission], config: CourseConfig, test_ids: list[str]
) -> dict[str, dict[str, Verdict]]:
    """Verdicts per student for each of ``test_ids``, from one in-process pytest run."""
    if not submissions:
        return {}
    plugin = KitPlugin(submissions, config, set(test_ids))
    args = [
        *check_files(assignment, test_ids),
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:unraisableexception",  # its forced gc.collect() costs 0.2 s a run
        "--no-header",
        "-o",
        "python_files=test_*.py",
        "-o",
        "python_functions=test_*",
        "--rootdir",
        str(checks_dir(assignment)),
        "-c",
        os.devnull,
    ]
    with quiet():
        code = pytest.main(args, plugins=[plugin])
    missing = sorted(set(test_ids) - plugin.collected)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or missing:
        raise KitError(
            f"the checks of {assignment} did not run (pytest exit {code}; "
            f"tests without a check: {', '.join(missing) or 'none'})"
        )
    return plugin.verdicts


@contextlib.contextmanager
def quiet():
    """Nothing reaches stdout or stderr, and numpy warns nobody (nbgrader zeroes stderr)."""
    sink = io.StringIO()
    with (
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
    ):
        warnings.simplefilter("ignore")
        yield sink
