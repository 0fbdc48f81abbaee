"""The kit's grading package: build, sandbox, checks, results, reports and CLI."""

from autograder.errors import KitError

__all__ = ["KitError"]
