"""Build everything from ``source/`` and tell whether the committed products match."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from autograder.build.release import build_release
from autograder.build.samples import build_samples
from autograder.build.solutions import build_solutions
from autograder.paths import release_dir, samples_dir, solutions_dir, source_notebook


def build_all(assignment: str) -> list[Path]:
    """Regenerate ``release/<assignment>/`` and ``solutions/<assignment>/`` in the repo."""
    release = build_release(assignment)
    return [
        *sorted(release.iterdir()),
        *build_solutions(assignment, solutions_dir(assignment)),
        *build_samples(assignment, release, samples_dir(assignment)),
    ]


def build_into(course: Path, assignment: str) -> tuple[Path, Path, Path]:
    """Build release, solutions and samples of ``assignment`` in a scratch course folder."""
    shutil.copytree(source_notebook(assignment).parent, course / "source" / assignment)
    release = build_release(assignment, course)
    solutions, samples = course / "solutions" / assignment, course / "samples" / assignment
    build_solutions(assignment, solutions, source_notebook(assignment, course))
    build_samples(assignment, release, samples)
    return release, solutions, samples


def differing_files(built: Path, committed: Path) -> list[str]:
    """Files that are missing, extra or different between two folders (recursively)."""
    if not committed.is_dir():
        return [f"{committed} is missing"]
    found: list[str] = []
    _collect(filecmp.dircmp(built, committed), committed, found)
    return found


def _collect(cmp: filecmp.dircmp, committed: Path, found: list[str]) -> None:
    for name in cmp.left_only:
        found.append(f"{committed / name} is missing")
    for name in cmp.right_only:
        found.append(f"{committed / name} should not exist")
    for name in cmp.common_files:
        if (Path(cmp.left) / name).read_bytes() != (Path(cmp.right) / name).read_bytes():
            found.append(f"{committed / name} is out of date")
    for name, sub in cmp.subdirs.items():
        _collect(sub, committed / name, found)


def out_of_sync(assignment: str, release: Path, solutions: Path, samples: Path) -> list[str]:
    """What differs between the committed release/solutions/samples and freshly built ones."""
    return [
        *differing_files(release, release_dir(assignment)),
        *differing_files(solutions, solutions_dir(assignment)),
        *differing_files(samples, samples_dir(assignment)),
    ]
