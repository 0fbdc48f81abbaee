"""A student's feedback page: one self-contained HTML file, readable on its own."""

from __future__ import annotations

from html import escape

from autograder.results import SubmissionResult, TestResult

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.total { font-size: 1.2rem; margin: .2rem 0 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd;
         vertical-align: top; }
td.pts { white-space: nowrap; text-align: right; }
.passed { color: #116329; } .failed { color: #a40e26; }
.tag { display: inline-block; font-size: .8rem; background: #fff1c2; border-radius: .3rem;
       padding: 0 .4rem; margin-left: .4rem; }
pre { white-space: pre-wrap; background: #f6f8fa; padding: .6rem; border-radius: .3rem;
      font-size: .85rem; margin: .3rem 0 0; }
"""


def test_row(test: TestResult) -> str:
    """One table row: the test, its points, and for a failure what to look at."""
    mark = "✓" if test.status == "passed" else "✗"
    tag = f'<span class="tag">{escape(test.diagnosis)}</span>' if test.diagnosis else ""
    detail = "" if test.status == "passed" else f"<pre>{escape(test.output)}</pre>"
    return (
        f'<tr class="{test.status}"><td>{mark} <strong>{escape(test.piece)}</strong>: '
        f"{escape(test.title)} <code>{escape(test.id)}</code>{tag}{detail}</td>"
        f'<td class="pts">{test.score:g} / {test.max_score:g}</td></tr>'
    )


def score_line(result: SubmissionResult) -> str:
    """The total, with the points before a late penalty when one was taken."""
    total = f"Score: <strong>{result.score:g} / {result.max_score:g}</strong>"
    if result.penalty:
        total += f" ({result.raw_score:g} less a late penalty of {result.penalty:g})"
    return f'<p class="total">{total}</p>'


def feedback_html(result: SubmissionResult, title: str = "") -> str:
    """The whole page for one submission; ``title`` names the course and assignment."""
    rows = "\n".join(test_row(t) for t in result.tests)
    heading = f"Feedback for {result.student}" + (f": {title}" if title else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(heading)}</title><style>{STYLE}</style></head>
<body>
<h1>{escape(heading)}</h1>
{score_line(result)}
<h2>Your notebook</h2>
<pre>{escape(result.summary())}</pre>
<h2>Tests</h2>
<table><thead><tr><th>Test</th><th>Points</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>Each test checks one piece on inputs you have not seen; a failed test says what to look
at. Run the checks in your notebook after fixing a piece.</p>
</body></html>
"""
