"""The sandbox that runs untrusted student notebook code for the autograder.

`SandboxPool(jobs, limits).run(cells, probes)` runs a notebook's cells in order, then
each probe (trusted harness code that calls the student's objects) on the final state,
and returns plain data only. A hang, crash, exit or memory hog costs only its own cell
or probe; nothing that ran student code can make the grader unpickle or execute data.

How it is built, one file per idea:

- models.py      limits, probe requests, outcomes, SandboxError
- pool.py        SandboxPool: hands submissions to warm workers, survives their death
- spawn.py       one worker process as the pool sees it: start, talk, kill
- worker.py      the warm worker (numpy and matplotlib imported once), one request at a time
- supervisor.py  the worker's side of a submission: forks, deadlines, kills, cleanup
- steps.py       one cell or probe as the worker sees it, and how its ending is worded
- child.py       code that runs in the forks: isolation, checkpoints, cells and probes
- notebook.py    what a cell sees (get_ipython stub, __main__) and how tracebacks read
- protocol.py    length-prefixed JSON frames and the plain-data codec (never pickle)
- capture.py     captured output with a length cap
- procs.py       subreaper, process-tree kills, reaping, memory and process counts
"""

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
    "Limits",
    "ProbeOutcome",
    "ProbeRequest",
    "SandboxError",
    "SandboxPool",
    "SandboxRun",
]
