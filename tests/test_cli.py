"""Does the command line say what the kit does, and fail in one line with exit code 2?"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from autograder import cli
from autograder.cli import main
from autograder.paths import REPO_ROOT

SYSTEM_PYTHON = "/usr/bin/python3"


def test_top_help_says_what_the_kit_does_with_examples(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "Grade a course's Jupyter notebooks with hidden pytest checks" in out
    assert "python -m autograder grade submitted --student ada --out graded" in out
    for command in ("build", "check-sync", "grade", "report", "export", "feedback", "gradescope"):
        assert command in out


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and "0.1.0" in capsys.readouterr().out


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_bad_jobs_is_one_line_and_exit_2(jobs, tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--jobs", jobs])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: python -m autograder grade: argument --jobs:")


def test_check_sync_prints_a_line_when_all_is_in_sync(monkeypatch, capsys):
    monkeypatch.setattr("autograder.build.build_into", lambda scratch, a: (scratch,) * 3)
    monkeypatch.setattr("autograder.build.out_of_sync", lambda a, *built: [])
    assert main(["check-sync"]) == 0
    assert "in sync with source/" in capsys.readouterr().out


def test_check_sync_names_the_build_command_when_out_of_sync(monkeypatch, capsys):
    monkeypatch.setattr("autograder.build.build_into", lambda scratch, a: (scratch,) * 3)
    monkeypatch.setattr("autograder.build.out_of_sync", lambda a, *b: ["release/x is out of date"])
    assert main(["check-sync"]) == 1
    assert "run `python -m autograder build`" in capsys.readouterr().out


def test_a_missing_library_says_to_use_the_venv_not_a_traceback(monkeypatch, capsys):
    def report(args):
        raise ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib")

    monkeypatch.setattr(cli, "cmd_report", report)
    assert main(["report", str(REPO_ROOT)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the Python module 'matplotlib' is not installed for ")
    assert "run `make` and use .venv/bin/python -m autograder" in err
    assert "Traceback" not in err


def test_report_with_a_python_without_the_kits_libraries_is_one_line():
    """The system Python, if it lacks numpy or matplotlib, as a new instructor would run it."""
    probe = "import matplotlib, numpy"
    if not Path(SYSTEM_PYTHON).is_file():
        pytest.skip(f"no {SYSTEM_PYTHON}")
    if subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0:
        pytest.skip("the system Python has the kit's libraries")
    done = subprocess.run(
        [SYSTEM_PYTHON, "-m", "autograder", "report", "out/samples"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: the Python module ") and "Traceback" not in done.stderr
