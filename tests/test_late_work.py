"""Is late work charged as the course configures, from nbgrader's timestamp.txt, and shown
in grades.csv, results.json, the feedback page and the report?"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autograder.build.release import nbgrader_env
from autograder.cli import main
from autograder.config import course_config
from autograder.grading import grade
from autograder.late import LatePolicy, gradebook_due, parse_timestamp, policy_from
from autograder.paths import samples_dir
from tests.helpers import ASSIGNMENT

DUE = "2026-12-01T17:00:00+00:00"
ON_TIME = "2026-12-01 16:59:59.000000 UTC"
LATE = "2026-12-01 19:30:00.000000 UTC"  # 2.5 hours late: 3 started hours


def submit(root: Path, student: str, sample: str, timestamp: str | None) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copyfile(samples_dir(ASSIGNMENT) / f"{sample}.ipynb", folder / f"{ASSIGNMENT}.ipynb")
    if timestamp is not None:
        (folder / "timestamp.txt").write_text(timestamp)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    submit(root, "early", "dense_dw_transposed", ON_TIME)
    submit(root, "tardy", "dense_dw_transposed", LATE)
    submit(root, "undated", "dense_dw_transposed", None)
    return root / "submitted"


def config_with(**late):
    return dataclasses.replace(course_config(), due_date=DUE, **late)


def by_student(results) -> dict:
    return {r.student: r for r in results}


def test_a_late_copy_loses_exactly_the_configured_penalty(cohort):
    config = config_with(late_policy="per_hour", late_penalty=4.0, late_penalty_cap=100.0)
    results = by_student(grade([cohort], ASSIGNMENT, jobs=2, config=config))
    early, tardy = results["early"], results["tardy"]
    assert early.raw_score == tardy.raw_score == 70
    assert early.score - tardy.score == 3 * 4.0 == tardy.penalty
    assert tardy.late.hours_late == 2.5 and early.late.seconds_late == 0
    assert results["undated"].late is None and results["undated"].score == 70


def test_the_cap_limits_the_penalty_and_zero_takes_everything(cohort):
    capped = config_with(late_policy="per_day", late_penalty=50.0, late_penalty_cap=10.0)
    assert by_student(grade([cohort], ASSIGNMENT, config=capped))["tardy"].score == 60
    zero = config_with(late_policy="zero")
    results = by_student(grade([cohort], ASSIGNMENT, config=zero))
    assert results["tardy"].score == 0 and results["early"].score == 70


def test_due_on_the_command_line_shows_lateness_everywhere(cohort, tmp_path):
    out = tmp_path / "out"
    assert main(["grade", str(cohort), "--out", str(out), "--due", DUE]) == 0
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["tardy"]["hours_late"] == "2.5" and rows["early"]["hours_late"] == "0"
    assert rows["undated"]["hours_late"] == ""
    assert rows["tardy"]["late_submission_penalty"] == "0"  # the default policy: none
    assert rows["tardy"]["raw_score"] == rows["tardy"]["score"] == "70"
    results = json.loads((out / "tardy" / "results.json").read_text())
    assert results["extra_data"]["late"]["hours_late"] == 2.5
    assert "2.5 h after the due date 2026-12-01 17:00 UTC" in results["output"]
    assert "2.5 h after the due date" in (out / "tardy" / "feedback.html").read_text()
    assert main(["report", str(out)]) == 0
    assert "<td>tardy</td>" in (out / "report.html").read_text()


def test_a_penalty_shows_on_the_feedback_page(cohort, tmp_path):
    config = config_with(late_policy="per_hour", late_penalty=4.0)
    from autograder.reports import write_all

    write_all(grade([cohort], ASSIGNMENT, config=config, students=["tardy"]), tmp_path)
    page = (tmp_path / "tardy" / "feedback.html").read_text()
    assert "58 / 100" in page and "70 less a late penalty of 12" in page


def test_a_bad_due_date_is_a_one_line_error(cohort, tmp_path, capsys):
    assert main(["grade", str(cohort), "--out", str(tmp_path), "--due", "tomorrow"]) == 2
    assert capsys.readouterr().err.startswith("error: --due: due date 'tomorrow' is not ISO-8601")


def test_an_unreadable_timestamp_names_its_file(cohort, tmp_path, capsys):
    submit(tmp_path, "odd", "correct", "not a time")
    assert (
        main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "o"), "--due", DUE])
        == 2
    )
    err = capsys.readouterr().err
    assert "timestamp.txt: not a timestamp" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 17:03:11.123456 UTC", datetime(2026, 12, 1, 17, 3, 11, 123456, UTC)),
        ("2026-12-01 17:03:11 -0500", datetime(2026, 12, 1, 22, 3, 11, tzinfo=UTC)),
        ("2026-12-01 18:03:11 Europe/Paris", datetime(2026, 12, 1, 17, 3, 11, tzinfo=UTC)),
        ("2026-12-01T17:03:11", datetime(2026, 12, 1, 17, 3, 11, tzinfo=UTC)),
    ],
)
def test_timestamps_read_as_nbgrader_writes_them(text, expected):
    assert parse_timestamp(text) == expected


def test_each_policy_charges_per_started_unit_up_to_the_cap_and_the_score():
    due = datetime(2026, 12, 1, tzinfo=UTC)
    assert LatePolicy(due, "none", 5).charge(7200, 80) == 0
    assert LatePolicy(due, "per_hour", 5).charge(3601, 80) == 10
    assert LatePolicy(due, "per_day", 5).charge(3601, 80) == 5
    assert LatePolicy(due, "per_hour", 5, cap=7).charge(36000, 80) == 7
    assert LatePolicy(due, "per_hour", 50, cap=math.inf).charge(36000, 30) == 30
    assert LatePolicy(due, "per_hour", 5).charge(0, 80) == 0


def test_the_due_date_comes_from_the_flag_the_config_then_the_gradebook(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    with monkeypatch.context() as patch:  # nbgrader runs alembic from PATH to create it
        patch.setenv("PATH", nbgrader_env()["PATH"])
        gradebook = Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}")
    with gradebook:
        gradebook.add_assignment(ASSIGNMENT, duedate=datetime(2026, 11, 30, 12))
    assert gradebook_due(tmp_path, ASSIGNMENT) == datetime(2026, 11, 30, 12, tzinfo=UTC)
    plain = course_config()
    assert policy_from(plain, ASSIGNMENT, tmp_path).due == datetime(2026, 11, 30, 12, tzinfo=UTC)
    configured = config_with()
    assert policy_from(configured, ASSIGNMENT, tmp_path).due == datetime(
        2026, 12, 1, 17, tzinfo=UTC
    )
    flagged = policy_from(configured, ASSIGNMENT, tmp_path, "2026-12-02T00:00:00Z")
    assert flagged.due == datetime(2026, 12, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"due_date": "next friday"}, "due_date 'next friday' is not ISO-8601"),
        ({"late_policy": "weekly"}, "late_policy must be one of none, zero, per_hour, per_day"),
        ({"late_penalty": -1.0}, "late_penalty and late_penalty_cap must be >= 0"),
    ],
)
def test_the_config_rejects_a_bad_late_setting(setting, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(course_config(), **setting)


def test_a_late_setting_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="late_penalty must be float"):
        dataclasses.replace(course_config(), late_penalty="5")


def test_the_nbgrader_export_keeps_nbgraders_late_penalty(tmp_path):
    """nbgrader's gradebook, as the export plugin reads it, for one late submission."""
    from types import SimpleNamespace as Obj

    from autograder.nbgrader_ext.export import PerTestCsvExport

    cell = Obj(cell_type="code")
    submission = Obj(
        score=70.0,
        max_score=100.0,
        late_submission_penalty=70.0,
        timestamp=datetime(2026, 12, 1, 19, 30),
        duedate=datetime(2026, 12, 1, 17),
        total_seconds_late=9000.0,
        notebooks=[
            Obj(grades=[Obj(name="dense_backward_dx", score=10.0, max_score=10.0, cell=cell)])
        ],
    )
    gradebook = Obj(
        assignments=[Obj(name=ASSIGNMENT, max_score=100.0)],
        students=[Obj(id="tardy")],
        find_submission=lambda assignment, student: submission,
    )
    dest = tmp_path / "grades.csv"
    PerTestCsvExport(to=str(dest), assignment=[], student=[]).export(gradebook)
    [row] = list(csv.DictReader(dest.open()))
    assert (row["score"], row["raw_score"], row["late_submission_penalty"]) == ("0", "70", "70")
    assert row["hours_late"] == "2.5" and row["dense_backward_dx"] == "10"


def test_a_gradebook_without_the_assignment_has_no_due_date_and_a_broken_one_is_named(tmp_path):
    from autograder.errors import KitError

    assert gradebook_due(tmp_path, ASSIGNMENT) is None  # no gradebook.db at all
    (tmp_path / "gradebook.db").write_text("not a database")
    with pytest.raises(KitError, match=r"gradebook\.db: cannot read the due date"):
        gradebook_due(tmp_path, ASSIGNMENT)


def test_are_hidden_details_revealed_only_after_the_due_date():
    from datetime import datetime, timedelta

    from autograder.grading import past_due
    from autograder.late import LatePolicy

    now = datetime.now(UTC)
    assert past_due(LatePolicy(due=now - timedelta(hours=1)))
    assert not past_due(LatePolicy(due=now + timedelta(hours=1)))
    assert not past_due(LatePolicy(due=None)) and not past_due(None)
