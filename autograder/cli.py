"""A thin command line over the kit's importable functions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

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
    from autograder.build import out_of_sync

    problems = out_of_sync(args.assignment)
    for problem in problems:
        print(problem)
    if problems:
        print("run `python -m autograder build` and commit the result")
    return 1 if problems else 0


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
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a ``KitError`` becomes a one-line message and exit code 2."""
    try:
        args = parser().parse_args(argv)
        return args.handler(args)
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
