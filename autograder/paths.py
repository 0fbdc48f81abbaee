"""Where the kit's files live: the package itself, and the course it grades.

The *kit* is the installed ``autograder`` package (its hidden checks and templates).
The *course* is a folder holding ``course_config.py``, ``source/``, ``release/``,
``solutions/`` and ``samples/``, and optionally ``checks/<assignment>/`` for an
assignment whose checks the kit does not ship: the current directory, or ``--course DIR`` on the
command line, which the CLI passes on to every process it starts through the
``AUTOGRADER_COURSE`` variable.
"""

from __future__ import annotations

import os
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent  # the folder that holds the package
REPO_ROOT = KIT_ROOT  # the name older code and tests use for a source checkout
COURSE_VARIABLE = "AUTOGRADER_COURSE"
COURSE_FILE = "course_config.py"
COURSE_CHECKS = "checks"  # a course's own assignments: checks/<assignment>/


def is_course(folder: Path) -> bool:
    """Whether ``folder`` is a course root (it has a ``course_config.py``)."""
    return (folder / COURSE_FILE).is_file()


def course_root() -> Path:
    """The course being graded.

    ``AUTOGRADER_COURSE`` when set, else the current directory when it is a course,
    else the folder that holds the package when that is a course (a source checkout or
    the Gradescope bundle, whose processes run elsewhere), else the current directory.
    """
    named = os.environ.get(COURSE_VARIABLE)
    if named:
        return Path(named)
    here = Path.cwd()
    if not is_course(here) and is_course(KIT_ROOT):
        return KIT_ROOT
    return here


def source_notebook(assignment: str, root: Path | None = None) -> Path:
    """The master notebook of ``assignment``."""
    return (root or course_root()) / "source" / assignment / f"{assignment}.ipynb"


def release_dir(assignment: str, root: Path | None = None) -> Path:
    """The folder of the student release of ``assignment``."""
    return (root or course_root()) / "release" / assignment


def solutions_dir(assignment: str, root: Path | None = None) -> Path:
    """The folder of the instructor's solution module and executed notebook."""
    return (root or course_root()) / "solutions" / assignment


def checks_dir(assignment: str) -> Path:
    """The package of the probes and hidden pytest checks of ``assignment``.

    The course's own ``checks/<assignment>/`` when it has one (a package: an
    ``__init__.py`` with ``probe_requests``), else the kit's ``autograder/<assignment>/``.
    """
    own = course_root() / COURSE_CHECKS / assignment
    if (own / "__init__.py").is_file():
        return own
    return KIT_ROOT / "autograder" / assignment


def samples_dir(assignment: str, root: Path | None = None) -> Path:
    """The folder of the bundled sample submissions of ``assignment``."""
    return (root or course_root()) / "samples" / assignment
