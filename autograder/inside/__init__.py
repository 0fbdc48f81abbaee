"""The code that runs inside the sandbox, next to student code.

Nothing here judges or holds a secret: it runs the student's cells, calls their objects
on the inputs a probe was sent, and ships plain data back. It imports only the standard
library, numpy, psutil and itself (and, at the fallback level, landlock and pyseccomp),
because a sandbox sees only this package and the probe modules of the assignment
(``autograder.sandbox.kit_view``). The grading process also uses its protocol codec.

- boot.py        the sandbox's first code: confine, then start the worker
- confine.py     uid switch, Landlock, seccomp
- worker.py      one submission: its cells and probes, streamed to the pool
- supervisor.py  forks, deadlines, kills, process and memory caps
- steps.py       one cell or probe as the worker sees it, and how its ending is worded
- child.py       code that runs in the forks: checkpoints, cells and probes
- notebook.py    what a cell sees (get_ipython stub, __main__) and how tracebacks read
- lazy_import.py matplotlib loaded on first use
- probing.py     what probe functions share
- protocol.py    length-prefixed JSON frames and the plain-data codec (never pickle)
- capture.py     captured output with a length cap
- procs.py       subreaper, process-tree kills, reaping, memory and process counts
- limits.py      the limits of one submission
"""
