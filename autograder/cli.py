"""A thin command line over the kit's importable functions."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from autograder.config import course_config
from autograder.errors import KitError


def cmd_build(args: argparse.Namespace) -> int:
    """Regenerate release/ and solutions/ from source/."""
    from autograder.build import build_all

    for path in build_all(args.assignment):
        print(f"wrote {path}")
    return 0


def cmd_check_sync(args: argparse.Namespace) -> int:
    """Exit 1 when release/ or solutions/ differ from a fresh build of source/."""
    from autograder.build import build_into, out_of_sync

    with tempfile.TemporaryDirectory() as scratch:
        problems = out_of_sync(args.assignment, *build_into(Path(scratch), args.assignment))
    for problem in problems:
        print(problem)
    if problems:
        print("run `python -m autograder build` and commit the result")
    return 1 if problems else 0


def progress_bar(done: int, total: int) -> None:
    """A one-line progress bar on a terminal; nothing when stderr is not a terminal."""
    if sys.stderr.isatty():
        filled = int(30 * done / max(total, 1))
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}{end}")
        sys.stderr.flush()


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade notebooks, folders of notebooks or an nbgrader submitted/ folder."""
    from autograder.grading import grade
    from autograder.reports import write_all

    started = time.perf_counter()
    results = grade(args.paths, args.assignment, args.jobs, progress_bar,
                    unsafe=args.unsafe_no_isolation)
    write_all(results, args.out)
    full = sum(r.score >= r.max_score for r in results)
    unreadable = sum(r.error is not None for r in results)
    mean = sum(r.score for r in results) / max(len(results), 1)
    print(
        f"graded {len(results)} submissions in {time.perf_counter() - started:.1f} s: "
        f"mean {mean:.1f}, {full} full marks, {unreadable} unreadable, "
        f"isolation: {results[0].isolation if results else 'none'} -> {args.out}"
    )
    return 0


def cmd_gradebook(args: argparse.Namespace) -> int:
    """Write sandboxed scores into nbgrader's gradebook and list every submission for
    which nbgrader's own autograde had given more (run after `nbgrader autograde`)."""
    from autograder.nbgrader_ext.gradebook import sync

    report = sync(args.course, args.assignment, args.jobs, args.unsafe_no_isolation)
    for change in report.changes:
        if change.nbgrader_gave_more:
            print(f"nbgrader gave more: {change.student}: {change.before:g} in nbgrader's "
                  f"autograde, {change.after:g} in the sandbox (the gradebook now says "
                  f"{change.after:g})")
    for student in report.not_autograded:
        print(f"not in the gradebook yet: {student} (run nbgrader autograde first)")
    more = sum(change.nbgrader_gave_more for change in report.changes)
    level = report.results[0].isolation if report.results else "none"
    print(f"wrote sandboxed scores for {len(report.changes)} submissions into "
          f"{args.course / 'gradebook.db'}: {more} had more in nbgrader's autograde, "
          f"isolation: {level}")
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    """Build autograder.zip for a Gradescope programming assignment."""
    from autograder.gradescope import build_bundle

    path = build_bundle(args.out, args.assignment, args.memory_mb, args.timeout_min * 60)
    print(
        f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB) for a Gradescope container of "
        f"{args.memory_mb} MB and {args.timeout_min:g} min; upload it under Configure Autograder"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write DIR/report.html, the instructor's one-page summary of a graded folder."""
    from autograder.reports.cohort import write_report

    print(f"wrote {write_report(args.folder)}")
    return 0


def add_bundle_and_report(add: Callable, config) -> None:
    """The ``gradescope`` and ``report`` commands."""
    from autograder.gradescope.settings import CONTAINER_MB, TIMEOUT_S

    gradescope = add("gradescope", cmd_gradescope)
    gradescope.add_argument("--out", type=Path, required=True, help="folder for autograder.zip")
    gradescope.add_argument("--assignment", default=config.assignment, help="assignment to grade")
    gradescope.add_argument(
        "--memory-mb",
        type=int,
        default=CONTAINER_MB,
        help=f"memory of the assignment's autograder container (default {CONTAINER_MB})",
    )
    gradescope.add_argument(
        "--timeout-min",
        type=float,
        default=TIMEOUT_S / 60,
        help=f"the assignment's autograder timeout (default {TIMEOUT_S / 60:g})",
    )
    report = add("report", cmd_report)
    report.add_argument("folder", type=Path, metavar="DIR", help="the --out folder of `grade`")


def parser() -> argparse.ArgumentParser:
    config = course_config()
    top = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=handler.__doc__, description=handler.__doc__)
        sub.set_defaults(handler=handler)
        return sub

    for name, handler in (("build", cmd_build), ("check-sync", cmd_check_sync)):
        add(name, handler).add_argument(
            "assignment", nargs="?", default=config.assignment, help="assignment name"
        )
    grade = add("grade", cmd_grade)
    grade.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a notebook, a folder of notebooks, or an nbgrader submitted/ folder",
    )
    grade.add_argument("--out", type=Path, required=True, help="folder for grades.csv and feedback")
    grade.add_argument(
        "--jobs",
        type=int,
        default=config.jobs,
        help=f"submissions graded at once (default {config.jobs})",
    )
    grade.add_argument("--assignment", default=config.assignment, help="assignment to grade")
    grade.add_argument(
        "--unsafe-no-isolation",
        action="store_true",
        help="run student code as this user without any sandbox isolation (only for "
        "submissions you trust; the level is recorded in every results.json)",
    )
    gradebook = add("gradebook", cmd_gradebook)
    gradebook.add_argument(
        "assignment", nargs="?", default=config.assignment, help="assignment name"
    )
    gradebook.add_argument(
        "--course", type=Path, default=Path.cwd(), help="nbgrader course root (default: here)"
    )
    gradebook.add_argument("--jobs", type=int, default=config.jobs, help="submissions at once")
    gradebook.add_argument(
        "--unsafe-no-isolation", action="store_true", help="as for grade (not recommended)"
    )
    add_bundle_and_report(add, config)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a ``KitError`` becomes a one-line message and exit code 2."""
    try:
        args = parser().parse_args(argv)
        return args.handler(args)
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
