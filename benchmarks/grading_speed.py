"""Grading speed: the kit's `grade` against `nbgrader autograde` on the same cohort.

Builds N submissions in a throwaway nbgrader course (mostly correct, some with a known
mistake, a few stubs, exactly one that hangs in Dense.backward), then times, as whole
subprocesses so start-up is included:

- ``python -m autograder grade`` with ``--jobs 1`` and ``--jobs 2`` on the honest N-1,
- ``nbgrader autograde`` on the same N-1,
- each tool on 1 submission, so that ``call + n * submission`` can be solved for both,
- the hang alone, with the course's limits (nbgrader only with --with-hang-nbgrader).

It checks that nbgrader's per-test points (its export CSV) equal the kit's grades.csv for
every honest student, and exits 1 if not (2 if a tool cannot run). Speed targets are
printed, never asserted. Helpers: cohort.py builds the course, speed_report.py prints.

    .venv/bin/python benchmarks/grading_speed.py [--students N] [--keep DIR]
                                                  [--with-hang-nbgrader]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the kit, for this script and its two helper modules

from cohort import ASSIGNMENT, HANG, build_course, kit_view, plan_cohort  # noqa: E402
from speed_report import (  # noqa: E402
    OTHERS_WARNING,
    Cost,
    Hang,
    cpu_seconds,
    hang_lines,
    header_lines,
    isolation_lines,
    others_cpu,
    others_line,
    score_lines,
    speed_table,
)

from autograder.build.release import run_nbgrader  # noqa: E402
from autograder.config import graded_tests  # noqa: E402
from autograder.errors import KitError  # noqa: E402

Rows = dict[str, dict[str, str]]


@dataclass
class Stopwatch:
    """Wall clock of each measurement; notes those during which other processes ran."""

    disturbed: list[str] = field(default_factory=list)

    def seconds(self, label: str, action: Callable[[], None]) -> float:
        before, started = cpu_seconds(), time.perf_counter()
        action()
        wall = time.perf_counter() - started
        others = others_cpu(before) / wall
        if others > OTHERS_WARNING:
            self.disturbed.append(f"{label} ({others:.2f} CPUs of other work)")
        return wall

    def best_of_two(self, label: str, action: Callable[[], None]) -> float:
        """The faster of two runs: a 1-submission call is short enough to be noisy."""
        return min(self.seconds(label, action), self.seconds(label, action))


def kit_grade(folder: Path, out: Path, jobs: int, unsafe: bool = False) -> None:
    """``python -m autograder grade FOLDER --out OUT --jobs JOBS`` from the repository root,
    sandboxed, or with ``--unsafe-no-isolation``."""
    command = [sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out)]
    command += ["--jobs", str(jobs), *(["--unsafe-no-isolation"] if unsafe else [])]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise KitError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def nbgrader_autograde(course: Path, students: str) -> None:
    """``nbgrader autograde`` of the students matching the glob ``students``."""
    run_nbgrader(["autograde", ASSIGNMENT, "--force", f"--student={students}"], course)


def read_rows(path: Path) -> Rows:
    with path.open(newline="") as f:
        return {row.get("student_id") or row["student"]: row for row in csv.DictReader(f)}


def mismatches(kit: Rows, other: Rows, students: list[str], name: str) -> list[str]:
    """Every (student, column) where ``other`` differs from the kit's grades.csv."""
    found = []
    for student in students:
        if student not in kit or student not in other:
            found.append(f"{student}: missing from {'the kit' if student not in kit else name}")
            continue
        for column, value in kit[student].items():
            theirs = other[student].get(column)
            if column == "student" or theirs == value:
                continue
            if theirs is None or float(theirs) != float(value):
                found.append(f"{student} {column}: kit {value}, {name} {theirs}")
    return found


def hang_problems(row: dict[str, str]) -> list[str]:
    """The hang must lose only Dense.backward and Training (which needs all four pieces)."""
    problems = []
    for spec in graded_tests(ASSIGNMENT):
        expected = 0.0 if spec.piece in ("Dense.backward", "Training") else float(spec.points)
        got = row.get(spec.id)
        if got is None or float(got) != expected:
            problems.append(f"hang {spec.id}: kit {got}, expected {expected:g}")
    return problems


KitCosts = dict[tuple[int, bool], Cost]  # (jobs, unsafe) -> cost


def measure_kit(watch: Stopwatch, course: Path, honest: list[str]) -> tuple[KitCosts, Hang]:
    """The kit sandboxed and with --unsafe-no-isolation, each at --jobs 1 and 2."""
    one = kit_view(course, "one", honest[:1])
    everyone = kit_view(course, "honest", honest)
    out = course / "kit_out"
    costs = {}
    for unsafe in (False, True):
        tag = "-unsafe" if unsafe else ""
        call = watch.best_of_two(
            f"kit 1 sub{tag}", lambda u=unsafe, t=tag: kit_grade(one, out / f"one{t}", 1, u)
        )
        for jobs in (1, 2):
            total = watch.seconds(
                f"kit --jobs {jobs}{tag}",
                lambda j=jobs, u=unsafe, t=tag: kit_grade(everyone, out / f"j{j}{t}", j, u),
            )
            costs[(jobs, unsafe)] = Cost(call, total, len(honest))
    hang = kit_view(course, "hang", [HANG])
    seconds = watch.seconds("kit hang", lambda: kit_grade(hang, out / "hang", 1))
    row = read_rows(out / "hang" / "grades.csv")[HANG]
    return costs, Hang("kit --jobs 1", seconds, costs[(1, False)].per_call, row)


def measure_nbgrader(
    watch: Stopwatch, course: Path, honest: list[str], with_hang: bool
) -> tuple[Cost, Hang | None]:
    call = watch.best_of_two("nbgrader 1 sub", lambda: nbgrader_autograde(course, honest[0]))
    total = watch.seconds("nbgrader autograde", lambda: nbgrader_autograde(course, "s*"))
    cost = Cost(call, total, len(honest))
    seconds = None
    if with_hang:
        seconds = watch.seconds("nbgrader hang", lambda: nbgrader_autograde(course, HANG))
    run_nbgrader(["export", f"--to={course / 'nbgrader_grades.csv'}"], course)
    if seconds is None:
        return cost, None
    row = read_rows(course / "nbgrader_grades.csv").get(HANG)
    return cost, Hang("nbgrader autograde", seconds, cost.per_call, row)


def check_scores(course: Path, honest: list[str], kit_hang: Hang) -> list[str]:
    """nbgrader and kit --jobs 2 against kit --jobs 1 for the honest; the kit's hang."""
    j1, j2, j1_unsafe = (
        read_rows(course / "kit_out" / name / "grades.csv") for name in ("j1", "j2", "j1-unsafe")
    )
    nbgrader = read_rows(course / "nbgrader_grades.csv")
    return (
        mismatches(j1, nbgrader, honest, "nbgrader")
        + mismatches(j1, j2, honest, "kit --jobs 2")
        + mismatches(j1, j1_unsafe, honest, "kit unsafe")
        + hang_problems(kit_hang.row or {})
    )


def run(course: Path, n: int, with_hang: bool) -> int:
    started, cpu = time.perf_counter(), cpu_seconds()
    plan = plan_cohort(n)
    honest = [student for student, _ in plan]
    build_course(course, plan)
    watch = Stopwatch()
    kit, kit_hang = measure_kit(watch, course, honest)
    nbgrader, nbgrader_hang = measure_nbgrader(watch, course, honest, with_hang)
    problems = check_scores(course, honest, kit_hang)
    report = [
        *header_lines(plan),
        *speed_table(kit, nbgrader),
        *isolation_lines(kit),
        "",
        *hang_lines(kit_hang, nbgrader_hang),
        "",
        *score_lines(problems, len(honest)),
        others_line(cpu, time.perf_counter() - started, watch.disturbed),
        f"total runtime of this benchmark: {time.perf_counter() - started:.0f} s",
    ]
    print("\n".join(report))
    return 1 if problems else 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40, help="cohort size N, hang included")
    parser.add_argument("--keep", type=Path, help="build the course here and keep it")
    parser.add_argument(
        "--with-hang-nbgrader",
        action="store_true",
        help="also time nbgrader autograde on the hang (minutes: it waits out cell timeouts)",
    )
    args = parser.parse_args()
    if args.students < 4:
        parser.error("--students must be at least 4")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: folder exists and is not empty")
    return args


def main() -> int:
    """Run the benchmark; 1 on a score mismatch, 2 when a tool could not run at all."""
    args = parse_args()
    try:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            return run(args.keep.resolve(), args.students, args.with_hang_nbgrader)
        with tempfile.TemporaryDirectory(prefix="grading-speed-") as scratch:
            return run(Path(scratch), args.students, args.with_hang_nbgrader)
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
