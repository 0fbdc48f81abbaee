"""Build the products of ``source/``: the student release and the instructor solutions."""

from autograder.build.release import build_release
from autograder.build.solutions import build_solutions
from autograder.build.sync import build_all, build_into, out_of_sync

__all__ = ["build_all", "build_into", "build_release", "build_solutions", "out_of_sync"]
