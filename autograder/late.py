"""Late work: when a notebook was submitted, how late that is, and what it costs.

nbgrader writes ``timestamp.txt`` beside every collected notebook (its default format is
``2026-12-01 17:03:11.123456 UTC``); the due date comes from ``--due``, from
``course_config.py`` or from nbgrader's gradebook. Times without a zone are UTC, as in
nbgrader. The policies are nbgrader's LateSubmissionPlugin ``none`` and ``zero`` plus a
penalty per started hour or day late, capped.
"""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from autograder.errors import KitError

if TYPE_CHECKING:  # the course's config module, loaded by autograder.config
    from course_config import CourseConfig

Policy = Literal["none", "zero", "per_hour", "per_day"]
POLICIES: tuple[str, ...] = get_args(Policy)
UNIT_SECONDS = {"per_hour": 3600.0, "per_day": 86400.0}
TIMESTAMP_FILE = "timestamp.txt"


@dataclass(frozen=True)
class LatePolicy:
    """How lateness is charged.

    policy: ``none`` (reported, not charged), ``zero`` (a late submission scores 0),
      ``per_hour`` / ``per_day`` (``penalty`` points per started hour / day late).
    penalty: points per unit late; cap: the most points a penalty takes.
    """

    due: datetime | None
    policy: Policy = "none"
    penalty: float = 0.0
    cap: float = math.inf

    def charge(self, seconds_late: float, raw_score: float) -> float:
        """The points taken from ``raw_score`` for a submission ``seconds_late`` late."""
        if seconds_late <= 0 or self.policy == "none":
            return 0.0
        if self.policy == "zero":
            return raw_score
        units = math.ceil(seconds_late / UNIT_SECONDS[self.policy])
        return round(min(units * self.penalty, self.cap, raw_score), 6)


@dataclass(frozen=True)
class Lateness:
    """When one submission came in against the due date, and its penalty in points."""

    submitted: datetime
    due: datetime
    seconds_late: float
    penalty: float

    @property
    def hours_late(self) -> float:
        return round(self.seconds_late / 3600.0, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "submitted": self.submitted.isoformat(),
            "due": self.due.isoformat(),
            "hours_late": self.hours_late,
            "penalty": self.penalty,
        }

    def describe(self) -> str:
        """One line for a student: on time, or how late and what it cost."""
        if self.seconds_late <= 0:
            return f"Submitted {self.submitted:%Y-%m-%d %H:%M} UTC, on time."
        cost = f"a late penalty of {self.penalty:g} points" if self.penalty else "no penalty"
        return (
            f"Submitted {self.submitted:%Y-%m-%d %H:%M} UTC, {self.hours_late:g} h after the "
            f"due date {self.due:%Y-%m-%d %H:%M} UTC: {cost}."
        )


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a time without a zone is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_due(text: str, origin: str) -> datetime:
    """An ISO-8601 due date (``2026-12-01T17:00:00+01:00``); ``origin`` names its source."""
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except ValueError as err:
        raise KitError(f"{origin}: due date {text!r} is not ISO-8601 ({err})") from err


def parse_timestamp(text: str) -> datetime:
    """A timestamp as nbgrader writes and reads them (``2026-12-01 17:03:11.1 UTC``)."""
    import dateutil.parser
    import dateutil.tz

    parts = text.split()
    zones = {}
    if len(parts) == 3 and (parts[2].isalpha() or "/" in parts[2]):  # a named zone
        zones = {"TZ": dateutil.tz.gettz(parts[2])}
        text = f"{parts[0]} {parts[1]} TZ"
    return as_utc(dateutil.parser.parse(text, tzinfos=zones))


def read_timestamp(notebook: Path) -> datetime | None:
    """The submission time nbgrader recorded beside ``notebook``, or None when there is none."""
    path = notebook.parent / TIMESTAMP_FILE
    if not path.is_file():
        return None
    try:
        return parse_timestamp(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError, OverflowError) as err:
        raise KitError(f"{path}: not a timestamp nbgrader could have written ({err})") from err


def lateness(submitted: datetime | None, policy: LatePolicy, raw_score: float) -> Lateness | None:
    """How late a submission is and its penalty; None without a due date or a timestamp."""
    if submitted is None or policy.due is None:
        return None
    seconds = max(0.0, (submitted - policy.due).total_seconds())
    return Lateness(submitted, policy.due, seconds, policy.charge(seconds, raw_score))


def gradebook_due(course: Path, assignment: str) -> datetime | None:
    """The due date nbgrader's gradebook (``course/gradebook.db``) holds, if any.

    Read with sqlite3 from nbgrader's ``assignment`` table (a naive UTC time), not through
    ``nbgrader.api``, whose import would cost every grading run two seconds.
    """
    database = course / "gradebook.db"
    if not database.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{database.absolute().as_uri()}?mode=ro", uri=True)) as db:
            row = db.execute(
                "SELECT duedate FROM assignment WHERE name = ?", (assignment,)
            ).fetchone()
    except sqlite3.Error as err:
        raise KitError(f"{database}: cannot read the due date ({err})") from err
    if row is None or row[0] is None:
        return None
    return as_utc(datetime.fromisoformat(str(row[0])))


def policy_from(
    config: CourseConfig, assignment: str, course: Path, due: str | None = None
) -> LatePolicy:
    """The late policy in force: ``due`` (``--due``) over the config over the gradebook."""
    if due:
        when: datetime | None = parse_due(due, "--due")
    elif config.due_date:
        when = parse_due(config.due_date, "course_config.py")
    else:
        when = gradebook_due(course, assignment)
    return LatePolicy(when, config.late_policy, config.late_penalty, config.late_penalty_cap)
