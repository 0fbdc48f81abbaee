"""The cohort report as one self-contained HTML page (charts inline, no external files)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from autograder.errors import KitError
from autograder.reports.charts import pass_rate_bars, score_histogram
from autograder.reports.cohort import (
    EXAMPLES,
    Cohort,
    TestRate,
    diagnoses,
    late_submissions,
    pass_rates,
    read_cohort,
    run_problems,
    times,
    usual_max_score,
)
from autograder.reports.templating import render


def summary(cohort: Cohort) -> dict[str, Any] | None:
    """Count, mean, median, full marks and zeros of the scores (None without any)."""
    scores = [g.score for g in cohort.graded]
    if not scores:
        return None
    return {
        "count": len(scores),
        "mean": statistics.fmean(scores),
        "median": statistics.median(scores),
        "full": sum(g.score >= g.max_score for g in cohort.graded),
        "zero": sum(s == 0 for s in scores),
    }


def rate_row(rate: TestRate) -> list[str]:
    return [
        rate.name,
        f"{rate.passed} / {rate.total}",
        f"{100 * rate.rate:.0f}%",
        f"{rate.mean_points:.1f} / {rate.max_points:g}",
    ]


def diagnosis_rows(cohort: Cohort) -> list[list[str]]:
    return [
        [
            tag,
            str(len(students)),
            ", ".join(students[:EXAMPLES]) + (", …" if len(students) > EXAMPLES else ""),
        ]
        for tag, students in diagnoses(cohort)
    ]


def report_html(cohort: Cohort, course: str = "") -> str:
    """The whole page; ``course`` names the course and assignment in its title."""
    max_score = usual_max_score(cohort)
    rates = pass_rates(cohort)
    scores = [g.score for g in cohort.graded]
    return render(
        "cohort.html.j2",
        title=f"Cohort report: {course or cohort.folder.resolve().name}",
        max_score=max_score,
        summary=summary(cohort),
        histogram=score_histogram(scores, max_score) if scores else None,
        rates=[rate_row(r) for r in rates],
        rate_bars=pass_rate_bars([r.key for r in rates], [r.rate for r in rates])
        if rates
        else None,
        diagnoses=diagnosis_rows(cohort),
        problems=[list(row) for row in run_problems(cohort)],
        late=[
            [student, f"{hours:g} h", f"{penalty:g}"]
            for student, hours, penalty in late_submissions(cohort)
        ],
        spent=times(cohort),
        broken=[list(row) for row in cohort.broken],
    )


def write_report(folder: Path, title: str = "") -> Path:
    """Write ``folder/report.html`` and return its path; ``title`` names the course."""
    page = report_html(read_cohort(folder), title)
    path = folder / "report.html"
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise KitError(f"{path}: cannot write the report ({err.strerror})") from err
    return path
