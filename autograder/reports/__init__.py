"""Writers of grading output: grades.csv, results.json and the feedback page."""

from autograder.reports.write import write_all

__all__ = ["write_all"]
