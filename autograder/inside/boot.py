"""The sandbox's first code: confine this process, then run the worker.

Started as ``python -I -S -c <BOOTSTRAP> SETTINGS KIT_VIEW SITE_DIR...`` with only the
kit view (``autograder/inside`` and the probe modules) and the packages' site folders
on ``sys.path``. SETTINGS is JSON: ``uid`` to switch to (or null), ``landlock`` (paths
to ``read`` and ``write``, or null), ``seccomp`` (the file names of the C libraries
pyseccomp loads, by ctypes name, or false) and ``aliases`` (folders
the uid cannot reach by path, each with an inherited descriptor that reaches it).
"""

from __future__ import annotations

import json
import sys

from autograder.inside import confine

BOOTSTRAP = (
    "import sys; sys.path[:0] = sys.argv[2:]; "
    "from autograder.inside.boot import main; sys.exit(main(sys.argv[1]))"
)
EXIT_CONFINEMENT = 71


def main(settings_json: str) -> int:
    """Confine as SETTINGS say; a failure ends the process before any student code runs."""
    settings = json.loads(settings_json)
    try:
        if settings.get("uid") is not None:
            confine.drop_privileges(int(settings["uid"]))
        if settings.get("aliases"):
            confine.reach_through(settings["aliases"])
        if settings.get("landlock"):
            confine.restrict_files(settings["landlock"]["read"], settings["landlock"]["write"])
        if settings.get("seccomp"):
            confine.restrict_syscalls(settings["seccomp"])
    except confine.ConfinementError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return EXIT_CONFINEMENT
    from autograder.inside import worker  # numpy and the rest, once confined

    return worker.main()
