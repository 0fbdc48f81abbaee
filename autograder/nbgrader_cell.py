"""The hidden part of nbgrader's test cells: one hidden check on the live notebook.

A test cell's hidden part is

    from autograder.nbgrader_cell import hidden_check
    hidden_check("<test id>", globals())

It prints the check's verdict for the student (never the hidden inputs), writes nothing
to stderr, and evaluates to the points earned, which nbgrader records as partial credit.
The checks are the same pytest checks ``python -m autograder grade`` runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from autograder.checking import (
    ProbedSubmission,
    assignment_package,
    probe_timeouts,
    quiet,
    run_checks,
)
from autograder.config import course_config, graded_tests
from autograder.kernel_probe import run_forked
from autograder.probing import ProbeOutcome, ProbeRequest

_outcomes: dict[str, ProbeOutcome] = {}  # probe outcomes of this kernel, in cell order


class ForkedOutcomes(Mapping):
    """Probe outcomes computed on first use, each in a fork of the kernel."""

    def __init__(self, namespace: dict, requests: list[ProbeRequest], default_timeout: float):
        self.namespace = namespace
        self.requests = {r.name: r for r in requests}
        self.default_timeout = default_timeout

    def __getitem__(self, name: str) -> ProbeOutcome:
        if name not in _outcomes:
            request = self.requests[name]
            hung = [
                n for n in request.requires if n in _outcomes and _outcomes[n].status == "timeout"
            ]
            if hung:
                _outcomes[name] = ProbeOutcome(name, "timeout", None, "Not run.", "")
            else:
                timeout = request.timeout or self.default_timeout
                try:
                    _outcomes[name] = run_forked(self.namespace, request, timeout)
                except KeyboardInterrupt:  # nbgrader's cell timeout came first
                    _outcomes[name] = ProbeOutcome(name, "timeout", None, "Interrupted.", "")
                    raise
        return _outcomes[name]

    def __contains__(self, name: object) -> bool:
        return name in self.requests

    def __iter__(self) -> Iterator[str]:
        return iter(self.requests)

    def __len__(self) -> int:
        return len(self.requests)


def hidden_check(test_id: str, namespace: dict, assignment: str | None = None) -> float:
    """Run hidden test ``test_id`` on the notebook's ``namespace``; the points earned."""
    config = course_config()
    assignment = assignment or config.assignment
    spec = {t.id: t for t in graded_tests(assignment)}[test_id]
    with quiet():
        requests = assignment_package(assignment).probe_requests(config)
        outcomes = ForkedOutcomes(namespace, requests, config.probe_timeout)
        submission = ProbedSubmission(
            "notebook", outcomes, probe_timeouts(requests, config.probe_timeout)
        )
        verdict = run_checks(assignment, [submission], config, [test_id])["notebook"][test_id]
    if verdict.passed:
        print(f"{spec.piece}: {spec.title}: passed ({spec.points:g} points).")
        return float(spec.points)
    print(
        f"{spec.piece}: {spec.title}: not passed (0 of {spec.points:g} points).\n{verdict.message}"
    )
    return 0.0
