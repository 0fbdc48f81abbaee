"""Build ``autograder.zip`` for a Gradescope programming assignment.

The zip holds, at its root (Gradescope unpacks it into /autograder/source):

- ``setup.sh``                            rendered from ``templates/setup.sh.j2``
- ``run_autograder``                      rendered from ``templates/run_autograder.j2``
- ``requirements.txt``, ``constraints.txt`` the grading pins, and the kit's whole pin list
- ``gradescope.json``                      Gradescope's overrides of course_config.py
- ``autograder/``, ``course_config.py``    the modules grading imports, without caches:
                                           no build, nbgrader, report or CLI modules

Never the instructor solution: grading does not need it, and a bundle is not a place
for it.
Entries are sorted and dated 1980-01-01, so the same kit gives the same bytes.
"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import jinja2

from autograder.config import course_config, graded_tests
from autograder.errors import KitError
from autograder.gradescope.requirements import (
    GRADING_PACKAGES,
    grading_requirements,
    import_name,
    minimum_python,
)
from autograder.gradescope.settings import (
    CONTAINER_MB,
    SETTINGS_FILE,
    TIMEOUT_S,
    GradescopeSettings,
    for_container,
)
from autograder.paths import KIT_ROOT, course_root
from autograder.results import not_graded

TEMPLATES = Path(__file__).parent / "templates"
EXECUTABLES = ("setup.sh", "run_autograder")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".ruff_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
# Parts of the package grading never imports (building, nbgrader, reports, the CLI,
# making this bundle), as globs under autograder/; "*" is one folder, e.g. an assignment.
NOT_FOR_GRADING = (
    "__main__.py",
    "cli.py",
    "build/*",
    "nbgrader_cell.py",
    "nbgrader_ext/*",
    "reports/*",
    "reports/templates/*",
    "templates/*/*",
    "gradescope/bundle.py",
    "gradescope/requirements.py",
    "gradescope/templates/*",
    "*/samples.py",
    "*/measure_training_margin.py",
    "templates/*",
    "templates/*/*",
    "offline_math.py",
)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# run_autograder's own results when Python cannot start ($status: the shell fills it in)
COULD_NOT_START = "the autograder could not start (exit status $status)"
NOT_YOUR_FAULT = "This is not your fault: your instructor can see why"


def for_grading(module: Path, package: Path) -> bool:
    """Whether a file of the package belongs in the bundle."""
    inside = module.relative_to(package)
    return not (
        SKIPPED_PARTS & set(inside.parts)
        or module.suffix in SKIPPED_SUFFIXES
        or any(inside.match(pattern) for pattern in NOT_FOR_GRADING)
    )


def kit_files(course: Path | None = None) -> dict[str, Path]:
    """``{name in the zip: file}``: the package's grading modules and the course's config."""
    package = KIT_ROOT / "autograder"
    files = {
        f"autograder/{path.relative_to(package).as_posix()}": path
        for path in sorted(package.rglob("*"))
        if path.is_file() and for_grading(path, package)
    }
    config = (course or course_root()) / "course_config.py"
    if not config.is_file():
        raise KitError(f"{config}: missing; the Gradescope bundle needs it")
    files["course_config.py"] = config
    return files


def script(template: str, **values: str | list[str]) -> str:
    """A shell script from its template in ``templates/``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # shell scripts; every value is checked to be shell-safe text
    )
    return env.get_template(template).render(**values)


def setup_script() -> str:
    """setup.sh from its template: the kit's minimum Python (pyproject.toml, or the
    running one when the kit is installed without it) and the modules to check."""
    pyproject = KIT_ROOT / "pyproject.toml"
    major, minor = minimum_python(pyproject) if pyproject.is_file() else (3, 11)
    return script(
        "setup.sh.j2",
        min_python=f"{major}.{minor}",
        modules=sorted(import_name(p) for p in GRADING_PACKAGES),
    )


def run_script() -> str:
    """run_autograder from its template, with the results.json it writes when Python
    cannot start: ``not_graded``'s, the exit status filled in by the shell."""
    fallback = json.dumps(not_graded(f"{COULD_NOT_START}. {NOT_YOUR_FAULT}", 0.0))
    if any(char in fallback for char in "`\\"):  # an unquoted heredoc would interpret them
        raise KitError(f"run_autograder: the fallback results are not shell-safe: {fallback}")
    return script("run_autograder.j2", fallback_results=fallback)


def generated_files(settings: GradescopeSettings, course: Path | None = None) -> dict[str, bytes]:
    """The files written for the bundle: scripts, pins and Gradescope settings."""
    requirements = (course or course_root()) / "requirements.txt"
    if not requirements.is_file():
        requirements = KIT_ROOT / "requirements.txt"
    return {
        "setup.sh": setup_script().encode(),
        "run_autograder": run_script().encode(),
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
    course: Path | None = None,
) -> Path:
    """Write ``out/autograder.zip`` for ``assignment`` and return its path."""
    config = course_config()
    assignment = assignment or config.assignment
    graded_tests(assignment)  # a KitError for an assignment with no tests configured
    settings = for_container(assignment, config, container_mb, timeout_s)
    entries = {name: path.read_bytes() for name, path in kit_files(course).items()}
    entries.update(generated_files(settings, course))
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_zip(out / "autograder.zip", entries)
    except OSError as err:
        raise KitError(f"{out}: cannot write the Gradescope bundle ({err})") from err
    return out / "autograder.zip"
