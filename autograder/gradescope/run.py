"""What ``run_autograder`` runs on Gradescope: grade the one notebook, always write results.

Paths come from ``AUTOGRADER_ROOT`` (default ``/autograder``): the kit is in ``source/``,
the student's files in ``submission/``, and ``results/results.json`` is written whatever
happens. A notebook that cannot be found, a grader failure, or grading that outlasts the
time budget gives a results.json with score 0 and the reason. Anything printed here goes
to Gradescope's stdout, which only instructors see.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import autograder
from autograder.config import course_config
from autograder.errors import KitError
from autograder.gradescope.settings import GradescopeSettings, read_settings
from autograder.gradescope.visible import for_gradescope
from autograder.paths import REPO_ROOT
from autograder.results import not_graded

ROOT_VARIABLE = "AUTOGRADER_ROOT"
INTERNAL = (
    "the autograder itself failed ({}); this is not your fault, and your instructor can see why"
)


class OutOfTime(KitError):
    """Grading did not finish within the time budget."""


def autograder_root() -> Path:
    """Gradescope's /autograder, or where ``AUTOGRADER_ROOT`` points."""
    return Path(os.environ.get(ROOT_VARIABLE, "/autograder"))


def find_notebook(submission: Path, assignment: str) -> Path:
    """The one notebook of the submission (searched in subfolders too)."""
    notebooks = sorted(
        p
        for p in submission.rglob("*.ipynb")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    )
    named = [p for p in notebooks if p.name == f"{assignment}.ipynb"]
    if len(notebooks) == 1 or len(named) == 1:
        return notebooks[0] if len(notebooks) == 1 else named[0]
    if not notebooks:
        raise KitError(f"no Jupyter notebook (.ipynb) was uploaded; upload {assignment}.ipynb")
    names = ", ".join(str(p.relative_to(submission)) for p in notebooks)
    raise KitError(
        f"{len(notebooks)} notebooks were uploaded ({names}); upload only {assignment}.ipynb"
    )


def grade_notebook(notebook: Path, settings: GradescopeSettings) -> dict[str, Any]:
    """Gradescope's results.json for one notebook, graded with the kit's sandboxed grader."""
    from autograder.grading import grade

    config = settings.apply(course_config())
    [result] = grade([notebook], settings.assignment, config=config)
    return for_gradescope(result.to_dict())


def within(budget: float, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``work()``, or ``OutOfTime`` after ``budget`` seconds (its processes then killed)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as err:  # handed to the caller below
            box["error"] = err

    thread = threading.Thread(target=target, name="grading", daemon=True)
    thread.start()
    thread.join(budget)
    if thread.is_alive():
        from autograder.inside import procs

        procs.kill_all_descendants()
        raise OutOfTime(
            f"grading did not finish within the {budget:g} s it may take: some code in your "
            "notebook runs too long or never ends (an endless loop?). Restart your kernel, "
            "run all cells, make sure each finishes within seconds, and submit again"
        )
    if "error" in box:
        raise box["error"]
    return box["result"]


def write_results(results: dict[str, Any], path: Path) -> None:
    """Write results.json whole or not at all (a half-written file is not valid JSON)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    partial.replace(path)


def results_for(root: Path) -> tuple[dict[str, Any], bool]:
    """The results of the submission under ``root``, and whether grading ran out of time."""
    started = time.perf_counter()
    try:
        settings = read_settings(REPO_ROOT)
        notebook = find_notebook(root / "submission", settings.assignment)
        print(f"grading {notebook} with the kit in {Path(autograder.__file__).parent}")
        return within(settings.time_budget_s, lambda: grade_notebook(notebook, settings)), False
    except OutOfTime as err:
        return not_graded(str(err), time.perf_counter() - started), True
    except KitError as err:
        return not_graded(str(err), time.perf_counter() - started), False
    except Exception as err:  # any grader bug still gives the student a results.json
        traceback.print_exc(file=sys.stdout)
        why = INTERNAL.format(f"{type(err).__name__}: {err}")
        return not_graded(why, time.perf_counter() - started), False


def main() -> int:
    """Grade, write ``results/results.json``, print the score for the instructor."""
    root = autograder_root()
    results, out_of_time = results_for(root)
    write_results(results, root / "results" / "results.json")
    print(f"score {results['score']:g} in {results['execution_time']:g} s")
    sys.stdout.flush()
    if out_of_time:  # the abandoned grading thread must not keep the process alive
        from autograder.sandbox.spawn import remove_unremoved

        remove_unremoved()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
