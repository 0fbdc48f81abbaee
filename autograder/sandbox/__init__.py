"""The grader's side of the sandbox that runs untrusted student notebook code.

`SandboxPool(jobs, limits, level).run(cells, probes)` runs a notebook's cells in order,
then each probe (a function of the assignment's probe module that calls the student's
objects) on the final state, in a fresh sandbox of its own, and returns plain data only.
What runs inside the sandbox is the package `autograder.inside`; this package starts
sandboxes, talks to them and tears them down.

- isolation.py  the isolation levels (bubblewrap namespaces, Landlock fallback, none)
                and the command that starts a sandbox at each
- kit_view.py   the only files of the kit a sandbox sees
- pool.py       SandboxPool: fresh sandboxes started ahead, time budget, one retry
- spawn.py      one sandbox: start, talk, kill every process it started
- models.py     cell outcomes, the whole run, SandboxError (the probe requests, outcomes
                and statuses both sides share are in autograder/inside/contract.py)
"""

from autograder.sandbox.isolation import Isolation, choose
from autograder.sandbox.models import (
    CellOutcome,
    Limits,
    ProbeOutcome,
    ProbeRequest,
    SandboxError,
    SandboxRun,
)
from autograder.sandbox.pool import SandboxPool

__all__ = [
    "CellOutcome",
    "Isolation",
    "Limits",
    "ProbeOutcome",
    "ProbeRequest",
    "SandboxError",
    "SandboxPool",
    "SandboxRun",
    "choose",
]
