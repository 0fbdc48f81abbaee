"""The cohort report as one self-contained HTML page (charts inline, no external files)."""

from __future__ import annotations

import statistics
from html import escape

from autograder.reports.charts import pass_rate_bars, score_histogram
from autograder.reports.cohort import (
    EXAMPLES,
    Cohort,
    TestRate,
    diagnoses,
    late_submissions,
    pass_rates,
    run_problems,
    times,
    usual_max_score,
)
from autograder.reports.feedback_page import STYLE

EXTRA_STYLE = """
img { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
.none { color: #555; font-style: italic; }
"""


def table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """An HTML table; cells must already be escaped. Columns in ``numeric`` align right."""
    if not rows:
        return '<p class="none">None.</p>'

    def cell(tag: str, index: int, text: str) -> str:
        css = ' class="num"' if index in numeric else ""
        return f"<{tag}{css}>{text}</{tag}>"

    header = "".join(cell("th", i, text) for i, text in enumerate(head))
    body = "\n".join(
        "<tr>" + "".join(cell("td", i, text) for i, text in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"


def summary(cohort: Cohort, max_score: float) -> str:
    scores = [g.score for g in cohort.graded]
    if not scores:
        return '<p class="total">No results could be read.</p>'
    full = sum(g.score >= g.max_score for g in cohort.graded)
    return (
        f'<p class="total">{len(scores)} submissions: mean <strong>{statistics.fmean(scores):.1f}'
        f"</strong>, median {statistics.median(scores):g} out of {max_score:g}; "
        f"{full} with full marks, {sum(s == 0 for s in scores)} with 0.</p>"
    )


def distribution_section(cohort: Cohort, max_score: float) -> str:
    if not cohort.graded:
        return '<p class="none">No scores.</p>'
    uri = score_histogram([g.score for g in cohort.graded], max_score)
    return f'<img src="{uri}" alt="Histogram of the scores out of {max_score:g}">'


def rate_row(rate: TestRate) -> list[str]:
    return [
        f"{escape(rate.name)}",
        f"{rate.passed} / {rate.total}",
        f"{100 * rate.rate:.0f}%",
        f"{rate.mean_points:.1f} / {rate.max_points:g}",
    ]


def pass_rate_section(cohort: Cohort) -> str:
    rates = pass_rates(cohort)
    if not rates:
        return '<p class="none">No graded tests.</p>'
    uri = pass_rate_bars([r.key for r in rates], [r.rate for r in rates])
    rows = [rate_row(r) for r in rates]
    return f'<img src="{uri}" alt="Share of submissions passing each test">\n' + table(
        ["Test", "Passed", "Rate", "Mean points"], rows, {1, 2, 3}
    )


def diagnoses_section(cohort: Cohort) -> str:
    rows = [
        [
            escape(tag),
            str(len(students)),
            escape(", ".join(students[:EXAMPLES]) + (", …" if len(students) > EXAMPLES else "")),
        ]
        for tag, students in diagnoses(cohort)
    ]
    return table(["Diagnosis", "Students", "For example"], rows, {1})


def problems_section(cohort: Cohort) -> str:
    rows = [[escape(s), escape(p), escape(d)] for s, p, d in run_problems(cohort)]
    return table(["Student", "Problem", "Where"], rows)


def time_section(cohort: Cohort) -> str:
    spent = times(cohort)
    return (
        f"<p>Total {spent['total']:.1f} s, median {spent['median']:.2f} s per submission, "
        f"longest {spent['max']:.2f} s ({escape(spent['slowest'])}).</p>"
    )


def broken_section(cohort: Cohort) -> str:
    rows = [[escape(name), escape(why)] for name, why in cohort.broken]
    return table(["File", "Why it was skipped"], rows)


def late_section(cohort: Cohort) -> str:
    rows = [
        [escape(student), f"{hours:g} h", f"{penalty:g}"]
        for student, hours, penalty in late_submissions(cohort)
    ]
    return table(["Student", "Late by", "Penalty"], rows, {1, 2})


def report_html(cohort: Cohort, course: str = "") -> str:
    """The whole page; ``course`` names the course and assignment in its title."""
    max_score = usual_max_score(cohort)
    title = f"Cohort report: {course or cohort.folder.resolve().name}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}{EXTRA_STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
{summary(cohort, max_score)}
<h2>Score distribution</h2>
{distribution_section(cohort, max_score)}
<h2>Pass rate per test</h2>
{pass_rate_section(cohort)}
<h2>Most common diagnoses</h2>
{diagnoses_section(cohort)}
<h2>Submissions that did not run cleanly</h2>
<p>Unreadable notebooks, and code that timed out, crashed the Python process or hit a
grader error.</p>
{problems_section(cohort)}
<h2>Late submissions</h2>
{late_section(cohort)}
<h2>Time spent</h2>
{time_section(cohort)}
<h2>Results files that could not be read</h2>
{broken_section(cohort)}
</body></html>
"""
