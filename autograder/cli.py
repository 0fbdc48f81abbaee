"""Grade a course's Jupyter notebooks with hidden pytest checks in a sandbox, write
grades, feedback pages and a cohort report, and hand them to nbgrader, an LMS or
Gradescope. Run it from the course folder (the one with course_config.py) or pass
--course DIR."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from autograder.errors import KitError
from autograder.paths import COURSE_FILE, COURSE_VARIABLE, course_root, is_course

EXAMPLES = """examples:
  python -m autograder build                          # release/, solutions/, samples/
  python -m autograder grade submitted --out graded   # grade every student
  python -m autograder grade submitted --student ada --out graded   # regrade one
  python -m autograder report graded                  # graded/report.html
  python -m autograder export graded --format canvas --roster roster.csv
  python -m autograder feedback graded --to nbgrader  # then nbgrader release_feedback
"""
INTERNAL_ERROR_EXIT = 3  # grading ran and wrote its output, but a hidden check broke
NOT_INSTALLED = (
    "error: the Python module {name!r} is not installed for {python}; run `make` and use "
    ".venv/bin/python -m autograder (or install the kit: pip install -e .)"
)


class KitParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def kit_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("backprop-kit")
    except PackageNotFoundError:  # run from a source checkout that was not installed
        return "0.1.0 (not installed)"


def config_and_assignment(args: argparse.Namespace):
    """The course's settings and the assignment the command works on."""
    from autograder.config import course_config

    config = course_config()
    return config, getattr(args, "assignment", None) or config.assignment


def page_title(args: argparse.Namespace) -> str:
    config, assignment = config_and_assignment(args)
    return f"{assignment}, {config.course_id}"


def cmd_build(args: argparse.Namespace) -> int:
    """Regenerate release/ and solutions/ from source/."""
    from autograder.build import build_all

    _, assignment = config_and_assignment(args)
    for path in build_all(assignment):
        print(f"wrote {path}")
    return 0


def cmd_check_sync(args: argparse.Namespace) -> int:
    """Exit 1 when release/ or solutions/ differ from a fresh build of source/."""
    from autograder.build import build_into, out_of_sync

    _, assignment = config_and_assignment(args)
    with tempfile.TemporaryDirectory() as scratch:
        problems = out_of_sync(assignment, *build_into(Path(scratch), assignment))
    for problem in problems:
        print(problem)
    if problems:
        print("run `python -m autograder build` and commit the result")
        return 1
    print(f"release/, solutions/ and samples/ of {assignment} are in sync with source/")
    return 0


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
    from autograder.internal_errors import internal_errors, write_log
    from autograder.reports import write_all

    started = time.perf_counter()
    config, assignment = config_and_assignment(args)
    results = grade(
        args.paths, assignment, args.jobs or config.jobs, progress_bar,
        students=args.student, due=args.due, unsafe=args.unsafe_no_isolation,
        reveal_details=args.reveal_details,
    )  # fmt: skip
    merge = bool(args.student)
    write_all(results, args.out, merge=merge, title=page_title(args))
    if merge and (args.out / "report.html").is_file():
        from autograder.reports.cohort_page import write_report

        write_report(args.out, page_title(args))
    broken = internal_errors(results)
    log = write_log(broken, args.out, merge)
    full = sum(r.score >= r.max_score for r in results)
    unreadable = sum(r.error is not None for r in results)
    late = sum(r.late is not None and r.late.seconds_late > 0 for r in results)
    mean = sum(r.score for r in results) / max(len(results), 1)
    what = "regraded" if merge else "graded"
    print(
        f"{what} {len(results)} submissions in {time.perf_counter() - started:.1f} s: "
        f"mean {mean:.1f}, {full} full marks, {unreadable} unreadable, {late} late, "
        f"{len(broken)} internal errors, "
        f"isolation: {results[0].isolation if results else 'none'} -> {args.out}"
    )
    if log:
        print(
            f"error: {len(broken)} hidden checks raised an exception (a bug in the kit, not "
            f"the students'); those tests scored 0; tracebacks in {log}",
            file=sys.stderr,
        )
        return INTERNAL_ERROR_EXIT
    return 0


def cmd_gradebook(args: argparse.Namespace) -> int:
    """Write sandboxed scores into nbgrader's gradebook and list every submission for
    which nbgrader's own autograde had given more (run after `nbgrader autograde`)."""
    from autograder.nbgrader_ext.gradebook import sync

    config, assignment = config_and_assignment(args)
    root = args.nbgrader_root or course_root()
    report = sync(root, assignment, args.jobs or config.jobs, args.unsafe_no_isolation)
    for change in report.changes:
        if change.nbgrader_gave_more:
            print(
                f"nbgrader gave more: {change.student}: {change.before:g} in nbgrader's "
                f"autograde, {change.after:g} in the sandbox (the gradebook now says "
                f"{change.after:g})"
            )
    for student in report.not_autograded:
        print(f"not in the gradebook yet: {student} (run nbgrader autograde first)")
    more = sum(change.nbgrader_gave_more for change in report.changes)
    level = report.results[0].isolation if report.results else "none"
    print(
        f"wrote sandboxed scores for {len(report.changes)} submissions into "
        f"{root / 'gradebook.db'}: {more} had more in nbgrader's autograde, "
        f"isolation: {level}"
    )
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    """Build autograder.zip for a Gradescope programming assignment."""
    from autograder.gradescope.bundle import build_bundle

    _, assignment = config_and_assignment(args)
    path = build_bundle(args.out, assignment, args.memory_mb, args.timeout_min * 60)
    print(
        f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB) for a Gradescope container of "
        f"{args.memory_mb} MB and {args.timeout_min:g} min; upload it under Configure Autograder"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write DIR/report.html, the instructor's one-page summary of a graded folder."""
    from autograder.reports.cohort_page import write_report

    print(f"wrote {write_report(args.folder, page_title(args))}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the grades of a graded folder as the CSV file an LMS imports."""
    from autograder.reports.lms import export

    _, assignment = config_and_assignment(args)
    out = args.to or args.folder / f"{args.format}_grades.csv"
    done = export(args.folder, args.format, out, args.column or assignment, args.roster)
    if done.not_on_roster:
        print(
            f"warning: {len(done.not_on_roster)} graded students are not on the roster and "
            f"were left out: {', '.join(done.not_on_roster)}",
            file=sys.stderr,
        )
    print(
        f"wrote {done.path}: {done.rows} students, "
        f"{len(done.without_submission)} without a submission (blank)"
    )
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """Put the feedback pages where nbgrader's release_feedback, or an upload, takes them."""
    from autograder.reports.deliver import deliver

    _, assignment = config_and_assignment(args)
    default = course_root() if args.to == "nbgrader" else args.folder / f"feedback_{args.to}"
    done = deliver(args.folder, args.to, args.dest or default, assignment, args.force)
    for why in done.skipped:
        print(f"warning: skipped {why}", file=sys.stderr)
    print(f"wrote {len(done.written)} feedback files under {args.dest or default}")
    return 0


Add = Callable[[str, Callable[[argparse.Namespace], int]], argparse.ArgumentParser]


def add_assignment(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--assignment", help="assignment (default: course_config.py's)")


def add_build(add: Add) -> None:
    for name, handler in (("build", cmd_build), ("check-sync", cmd_check_sync)):
        add(name, handler).add_argument(
            "assignment", nargs="?", help="assignment name (default: course_config.py's)"
        )


def add_grade(add: Add) -> None:
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
        "--jobs", type=positive_int, help="submissions graded at once (default: the config's)"
    )
    grade.add_argument(
        "--student",
        action="append",
        default=[],
        metavar="NAME",
        help="grade only this student and merge into --out (repeatable)",
    )
    grade.add_argument(
        "--due", metavar="ISO-8601", help="due date, overriding the config and the gradebook"
    )
    grade.add_argument(
        "--reveal-details",
        action="store_true",
        help="feedback gives the exact fix lines and hidden-run figures even before the due "
        "date (after it, they are given anyway)",
    )
    grade.add_argument(
        "--unsafe-no-isolation",
        action="store_true",
        help="run student code as this user without any sandbox isolation (only for "
        "submissions you trust; the level is recorded in every results.json)",
    )
    add_assignment(grade)


def add_gradebook(add: Add) -> None:
    gradebook = add("gradebook", cmd_gradebook)
    gradebook.add_argument(
        "--nbgrader-root",
        type=Path,
        metavar="DIR",
        help="nbgrader's course root, with submitted/ and gradebook.db (default: the course)",
    )
    gradebook.add_argument(
        "--jobs", type=positive_int, help="submissions graded at once (default: the config's)"
    )
    gradebook.add_argument(
        "--unsafe-no-isolation", action="store_true", help="as for grade (not recommended)"
    )
    add_assignment(gradebook)


def add_gradescope(add: Add) -> None:
    from autograder.gradescope.settings import CONTAINER_MB, TIMEOUT_S

    gradescope = add("gradescope", cmd_gradescope)
    gradescope.add_argument("--out", type=Path, required=True, help="folder for autograder.zip")
    add_assignment(gradescope)
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


def add_report(add: Add) -> None:
    report = add("report", cmd_report)
    report.add_argument("folder", type=Path, metavar="DIR", help="the --out folder of `grade`")
    add_assignment(report)


def add_export(add: Add) -> None:
    from autograder.reports.lms import FORMATS

    export = add("export", cmd_export)
    export.add_argument("folder", type=Path, metavar="DIR", help="the --out folder of `grade`")
    export.add_argument("--format", choices=FORMATS, required=True, help="the LMS's file format")
    export.add_argument(
        "--roster", type=Path, metavar="FILE", help="CSV: id, first_name, last_name, email, ..."
    )
    export.add_argument("--to", type=Path, metavar="FILE", help="default DIR/<format>_grades.csv")
    export.add_argument("--column", help="the LMS's grade column (default: the assignment)")
    add_assignment(export)


def add_feedback(add: Add) -> None:
    from autograder.reports.deliver import TARGETS

    feedback = add("feedback", cmd_feedback)
    feedback.add_argument("folder", type=Path, metavar="DIR", help="the --out folder of `grade`")
    feedback.add_argument("--to", choices=TARGETS, required=True, help="where the pages go")
    feedback.add_argument(
        "--dest",
        type=Path,
        help="course root for nbgrader (default: the course), else DIR/feedback_<to>",
    )
    feedback.add_argument("--force", action="store_true", help="replace existing files")
    add_assignment(feedback)


def parser(prog: str = "python -m autograder") -> argparse.ArgumentParser:
    top = KitParser(
        prog=prog,
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {kit_version()}")
    top.add_argument(
        "--course", type=Path, metavar="DIR", help="the course folder (default: the current one)"
    )
    commands = top.add_subparsers(dest="command", required=True, parser_class=KitParser)

    def add(name: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=handler.__doc__, description=handler.__doc__)
        sub.set_defaults(handler=handler)
        return sub

    for add_command in (add_build, add_grade, add_report, add_export, add_feedback):
        add_command(add)
    add_gradescope(add)
    add_gradebook(add)
    return top


def use_course(folder: Path | None) -> None:
    """Make ``folder`` (default: the current directory) the course of this run and of
    every process it starts; a ``KitError`` when it has no course_config.py."""
    course = (folder or Path.cwd()).absolute()
    if not is_course(course):
        raise KitError(
            f"{course}: not a course folder (no {COURSE_FILE}); run from the course folder "
            "or pass --course DIR"
        )
    os.environ[COURSE_VARIABLE] = str(course)


def main(argv: Sequence[str] | None = None, prog: str = "python -m autograder") -> int:
    """Run one command; a ``KitError`` becomes a one-line message and exit code 2."""
    before = os.environ.get(COURSE_VARIABLE)
    try:
        args = parser(prog).parse_args(argv)
        use_course(args.course)
        return args.handler(args)
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as err:
        print(NOT_INSTALLED.format(name=err.name, python=sys.executable), file=sys.stderr)
        return 2
    finally:  # main() may run several times in one process (the tests)
        os.environ.pop(COURSE_VARIABLE, None)
        if before is not None:
            os.environ[COURSE_VARIABLE] = before


def run() -> None:
    """The ``backprop-kit`` console script."""
    sys.exit(main(prog="backprop-kit"))
