"""Grades into an LMS: the kit's grades.csv mapped through a roster to an import file.

The roster is the CSV that ``nbgrader db student import`` reads (``id`` required;
``first_name``, ``last_name``, ``email``, ``lms_user_id``), plus the columns Canvas
needs to match students (``sis_user_id``, ``sis_login_id``, ``section``), which
nbgrader ignores. ``id`` is the kit's (and nbgrader's) student id.

- ``canvas``: Canvas's gradebook CSV (Gradebook > Import): ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, one column for the assignment, and the
  ``Points Possible`` row Canvas writes in its own export;
- ``moodle``: Moodle's CSV grade import (Grades > Import > CSV file), in the columns of
  Moodle's own grade export: ``First name``, ``Last name``, ``ID number``,
  ``Email address``, then the assignment; map "Email address" to ``useremail``;
- ``csv``: the roster with the kit's totals, one row per student.

A student on the roster without a submission gets a blank grade; a submission whose
student is not on the roster is left out and named in ``Export.not_on_roster``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from autograder.errors import KitError
from autograder.reports.write import GRADES_FILE, TOTALS

Format = Literal["canvas", "moodle", "csv"]
FORMATS: tuple[str, ...] = get_args(Format)
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email", "lms_user_id")
CANVAS_EXTRA = ("sis_user_id", "sis_login_id", "section")


@dataclass
class Export:
    """What an export wrote, and who did not fit the roster."""

    path: Path
    rows: int
    without_submission: list[str] = field(default_factory=list)
    not_on_roster: list[str] = field(default_factory=list)


def read_csv(path: Path, what: str) -> list[dict[str, str]]:
    """The rows of a CSV file with a header; a ``KitError`` naming ``path`` otherwise."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            columns = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise KitError(f"{path}: cannot read the {what} ({err})") from err
    if not columns:
        raise KitError(f"{path}: the {what} is empty")
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in rows]


def read_grades(folder: Path) -> dict[str, dict[str, str]]:
    """``{student: row}`` of ``folder/grades.csv``, the output of ``grade``."""
    path = folder / GRADES_FILE
    if not path.is_file():
        raise KitError(f"{path}: no grades here; grade first with `grade PATH --out {folder}`")
    rows = read_csv(path, "grades")
    if rows and not {"student", "score", "max_score"} <= rows[0].keys():
        raise KitError(f"{path}: not a grades.csv written by `grade`")
    return {row["student"]: row for row in rows}


def read_roster(path: Path) -> list[dict[str, str]]:
    """The roster's rows, each with every roster column (blank when absent)."""
    rows = read_csv(path, "roster")
    if rows and "id" not in rows[0]:
        raise KitError(f"{path}: the roster has no 'id' column (nbgrader's student id)")
    ids = [row["id"] for row in rows]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice or "" in ids:
        raise KitError(f"{path}: student ids must be unique and non-empty ({', '.join(twice)})")
    return [{key: row.get(key, "") for key in (*ROSTER_COLUMNS, *CANVAS_EXTRA)} for row in rows]


def roster_from_grades(grades: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Without a roster: one entry per graded student, the kit id as the LMS login."""
    return [
        {"id": s, "first_name": "", "last_name": "", "sis_login_id": s, "sis_user_id": s}
        for s in sorted(grades)
    ]


def canvas_rows(roster: list[dict], grades: dict, column: str) -> list[list[str]]:
    def name(person: dict) -> str:
        last, first = person.get("last_name", ""), person.get("first_name", "")
        return f"{last}, {first}" if last and first else last or first or person["id"]

    first: dict = next(iter(grades.values()), {})
    points = first.get("max_score", "")
    head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
    rows = [head, ["    Points Possible", "", "", "", "", points]]
    for p in roster:
        score = grades.get(p["id"], {}).get("score", "")
        ids = [p.get("lms_user_id", ""), p.get("sis_user_id", ""), p.get("sis_login_id", "")]
        rows.append([name(p), *ids, p.get("section", ""), score])
    return rows


def moodle_rows(roster: list[dict], grades: dict, column: str) -> list[list[str]]:
    head = ["First name", "Last name", "ID number", "Email address", column]
    rows = [head]
    for p in roster:
        score = grades.get(p["id"], {}).get("score", "")
        person = [p.get("first_name", ""), p.get("last_name", "")]
        rows.append([*person, p.get("sis_user_id", ""), p.get("email", ""), score])
    return rows


def plain_rows(roster: list[dict], grades: dict, column: str) -> list[list[str]]:  # noqa: ARG001 (one signature for every writer)
    totals = [c for c in TOTALS if c != "student"]
    rows = [[*ROSTER_COLUMNS, *totals]]
    for p in roster:
        row = grades.get(p["id"], {})
        rows.append([*(p.get(c, "") for c in ROSTER_COLUMNS), *(row.get(c, "") for c in totals)])
    return rows


WRITERS = {"canvas": canvas_rows, "moodle": moodle_rows, "csv": plain_rows}


def export(
    folder: Path, fmt: Format, out: Path, column: str, roster_file: Path | None = None
) -> Export:
    """Write the ``fmt`` import file of ``folder/grades.csv`` to ``out``."""
    if fmt not in WRITERS:
        raise KitError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    grades = read_grades(folder)
    roster = read_roster(roster_file) if roster_file else roster_from_grades(grades)
    listed = {p["id"] for p in roster}
    rows = WRITERS[fmt](roster, grades, column)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    except OSError as err:
        raise KitError(f"{out}: cannot write the export ({err.strerror})") from err
    return Export(
        out,
        len(roster),
        sorted(listed - set(grades)),
        sorted(set(grades) - listed),
    )
