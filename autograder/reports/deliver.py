"""Feedback back to students: the kit's pages where nbgrader, or an upload, expects them.

- ``nbgrader``: ``<course>/feedback/<student>/<assignment>/<notebook>.html``, with the
  ``timestamp.txt`` and ``submission_secret.txt`` that ``nbgrader collect`` left in
  ``submitted/<student>/<assignment>/``; ``nbgrader release_feedback`` then delivers
  them through the exchange like its own feedback;
- ``zip``: ``<dest>/<student>.zip`` holding ``<assignment>-feedback.html``;
- ``folders``: ``<dest>/<student>/<assignment>-feedback.html``.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from autograder.errors import KitError

Target = Literal["nbgrader", "zip", "folders"]
TARGETS: tuple[str, ...] = get_args(Target)
PAGE = "feedback.html"
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # release_feedback reads both


@dataclass
class Delivery:
    """What was written, and the students whose pages could not be placed."""

    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "student: why"


def pages(graded: Path) -> dict[str, Path]:
    """``{student: feedback page}`` of a folder written by ``grade``."""
    found = {page.parent.name: page for page in sorted(graded.glob(f"*/{PAGE}"))}
    if not found:
        raise KitError(f"{graded}: no <student>/{PAGE} in it; grade first with --out {graded}")
    return found


def fresh(path: Path, force: bool) -> Path:
    """``path``, unless it exists and ``force`` is off (then a ``KitError``)."""
    if path.exists() and not force:
        raise KitError(f"{path}: already exists; pass --force to replace it")
    return path


def to_nbgrader(graded: Path, course: Path, assignment: str, force: bool) -> Delivery:
    """Each page into ``course/feedback/<student>/<assignment>/``, named as the notebook."""
    done = Delivery()
    for student, page in pages(graded).items():
        submitted = course / "submitted" / student / assignment
        notebooks = sorted(submitted.glob("*.ipynb"))
        missing = [name for name in NBGRADER_FILES if not (submitted / name).is_file()]
        if not notebooks or missing:
            why = "no notebook" if not notebooks else f"no {' or '.join(missing)}"
            done.skipped.append(f"{student}: {why} in {submitted} (not collected by nbgrader)")
            continue
        dest = course / "feedback" / student / assignment
        targets = [fresh(dest / f"{nb.stem}.html", force) for nb in notebooks]
        dest.mkdir(parents=True, exist_ok=True)
        for target in targets:
            shutil.copyfile(page, target)
        for name in NBGRADER_FILES:
            shutil.copyfile(submitted / name, dest / name)
        done.written += targets
    return done


def to_zips(graded: Path, dest: Path, assignment: str, force: bool) -> Delivery:
    """One ``<student>.zip`` per student, holding the feedback page."""
    done = Delivery()
    dest.mkdir(parents=True, exist_ok=True)
    for student, page in pages(graded).items():
        target = fresh(dest / f"{student}.zip", force)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.write(page, f"{assignment}-feedback.html")
        done.written.append(target)
    return done


def to_folders(graded: Path, dest: Path, assignment: str, force: bool) -> Delivery:
    """One folder per student, holding the feedback page."""
    done = Delivery()
    for student, page in pages(graded).items():
        target = fresh(dest / student / f"{assignment}-feedback.html", force)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
        done.written.append(target)
    return done


def deliver(
    graded: Path, target: Target, dest: Path, assignment: str, force: bool = False
) -> Delivery:
    """Put the pages of ``graded`` where ``target`` wants them (``dest``: the course root
    for ``nbgrader``, else the output folder)."""
    writers = {"nbgrader": to_nbgrader, "zip": to_zips, "folders": to_folders}
    if target not in writers:
        raise KitError(f"unknown feedback target {target!r}; use one of {', '.join(TARGETS)}")
    try:
        return writers[target](graded, dest, assignment, force)
    except OSError as err:
        raise KitError(f"{dest}: cannot write the feedback ({err})") from err
