"""A student's feedback page: one self-contained HTML file, readable on its own."""

from __future__ import annotations

from autograder.reports.templating import render
from autograder.results import SubmissionResult


def feedback_html(result: SubmissionResult, title: str = "") -> str:
    """The whole page for one submission; ``title`` names the course and assignment."""
    heading = f"Feedback for {result.student}" + (f": {title}" if title else "")
    return render("feedback.html.j2", heading=heading, result=result)
