"""What probes share: the request and outcome types, finding student names, plain outputs.

A probe is trusted harness code that calls student objects. The sandbox runs it in a
child process; nbgrader's hidden test cells run it in a fork of the student's own kernel.
The types are defined in ``autograder.inside.contract``, below both the sandbox and
grading; this is where grading code takes them from.
"""

from __future__ import annotations

from autograder.inside.contract import ProbeOutcome, ProbeRequest, ProbeStatus
from autograder.inside.probing import MissingDefinition, plain, resolve, student

__all__ = [
    "MissingDefinition",
    "ProbeOutcome",
    "ProbeRequest",
    "ProbeStatus",
    "plain",
    "resolve",
    "student",
]
