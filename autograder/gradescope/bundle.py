"""Build ``autograder.zip`` for a Gradescope programming assignment.

The zip holds, at its root (Gradescope unpacks it into /autograder/source):

- ``setup.sh``, ``run_autograder``        from ``templates/``, the Python version filled in
- ``requirements.txt``, ``constraints.txt`` the grading pins, and the kit's whole pin list
- ``gradescope.json``                      Gradescope's overrides of course_config.py
- ``autograder/``, ``course_config.py``    the kit, without caches
- ``solutions/<a>/<a>.py``                 the reference model the hidden checks load

Entries are sorted and dated 1980-01-01, so the same kit gives the same bytes.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from autograder.config import course_config, graded_tests
from autograder.errors import KitError
from autograder.gradescope.requirements import grading_requirements, minimum_python
from autograder.gradescope.settings import (
    CONTAINER_MB,
    SETTINGS_FILE,
    TIMEOUT_S,
    GradescopeSettings,
    for_container,
)
from autograder.paths import REPO_ROOT, solutions_dir

TEMPLATES = Path(__file__).parent / "templates"
EXECUTABLES = ("setup.sh", "run_autograder")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".ruff_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def kit_files(assignment: str, root: Path = REPO_ROOT) -> dict[str, Path]:
    """``{name in the zip: file}`` for the kit's package, config and reference solution."""
    files = {
        path.relative_to(root).as_posix(): path
        for path in sorted((root / "autograder").rglob("*"))
        if path.is_file()
        and not SKIPPED_PARTS & set(path.parts)
        and path.suffix not in SKIPPED_SUFFIXES
    }
    solution = solutions_dir(assignment, root) / f"{assignment}.py"
    for path in (root / "course_config.py", solution):
        if not path.is_file():
            raise KitError(f"{path}: missing; the Gradescope bundle needs it")
        files[path.relative_to(root).as_posix()] = path
    return files


def setup_script(root: Path = REPO_ROOT) -> str:
    """setup.sh with the kit's minimum Python version filled in from pyproject.toml."""
    major, minor = minimum_python(root / "pyproject.toml")
    template = (TEMPLATES / "setup.sh").read_text(encoding="utf-8")
    return template.replace("@MIN_PYTHON@", f"{major}.{minor}")


def generated_files(settings: GradescopeSettings, root: Path = REPO_ROOT) -> dict[str, bytes]:
    """The files written for the bundle: scripts, pins and Gradescope settings."""
    requirements = root / "requirements.txt"
    return {
        "setup.sh": setup_script(root).encode(),
        "run_autograder": (TEMPLATES / "run_autograder").read_bytes(),
        "requirements.txt": grading_requirements(requirements).encode(),
        "constraints.txt": requirements.read_bytes(),
        SETTINGS_FILE: settings.to_json().encode(),
    }


def write_zip(path: Path, entries: dict[str, bytes]) -> None:
    """A zip of ``entries`` in name order, scripts executable, with fixed dates."""
    partial = path.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3  # Unix, so that unzip keeps the modes below
            info.external_attr = (stat.S_IFREG | (0o755 if name in EXECUTABLES else 0o644)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, entries[name])
    partial.replace(path)


def build_bundle(
    out: Path,
    assignment: str | None = None,
    container_mb: int = CONTAINER_MB,
    timeout_s: float = TIMEOUT_S,
    root: Path = REPO_ROOT,
) -> Path:
    """Write ``out/autograder.zip`` for ``assignment`` and return its path."""
    config = course_config()
    assignment = assignment or config.assignment
    graded_tests(assignment)  # a KitError for an assignment with no tests configured
    settings = for_container(assignment, config, container_mb, timeout_s)
    entries = {name: path.read_bytes() for name, path in kit_files(assignment, root).items()}
    entries.update(generated_files(settings, root))
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_zip(out / "autograder.zip", entries)
    except OSError as err:
        raise KitError(f"{out}: cannot write the Gradescope bundle ({err})") from err
    return out / "autograder.zip"
