"""Does the cohort report tell an instructor how the class did, from results.json alone?

The bundled samples are graded once; each test copies that folder and changes it.
"""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.errors import KitError
from autograder.paths import samples_dir
from autograder.reports.cohort import (
    diagnoses,
    pass_rates,
    read_cohort,
    run_problems,
    times,
)
from autograder.reports.cohort_page import write_report
from tests.browser import load
from tests.helpers import ASSIGNMENT

HOSTILE_NAME = "<script>alert('student')</script>"


@pytest.fixture(scope="module")
def graded_samples(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graded") / "samples"
    assert main(["grade", str(samples_dir(ASSIGNMENT)), "--out", str(out), "--jobs", "2"]) == 0
    return out


@pytest.fixture
def graded(graded_samples, tmp_path) -> Path:
    """A copy of the graded samples that a test may change."""
    return Path(shutil.copytree(graded_samples, tmp_path / "graded"))


def images(page: str) -> list[str]:
    return re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)


def test_report_command_writes_one_self_contained_page(graded):
    assert main(["report", str(graded)]) == 0
    page = (graded / "report.html").read_text()
    assert len(images(page)) == 2
    assert not re.search(r'(src|href)="(?!data:)', page)  # nothing loaded from elsewhere
    assert "7 submissions: mean <strong>55.7</strong>" in page


def test_pass_rates_count_each_submission_once_per_test(graded):
    rates = {r.key: r for r in pass_rates(read_cohort(graded))}
    assert len(rates) == 11
    assert (rates["dense_backward_dw"].passed, rates["dense_backward_dw"].total) == (4, 7)
    assert (rates["training_accuracy"].passed, rates["training_accuracy"].total) == (2, 7)


def test_diagnoses_are_counted_per_student_with_examples(graded):
    found = dict(diagnoses(read_cohort(graded)))
    assert found["transposed dW"] == ["dense_dw_transposed"]
    assert found["not implemented"] == ["stubs"]
    assert "unreadable" not in found
    page = write_report(graded).read_text()
    assert '<td>transposed dW</td><td class="num">1</td><td>dense_dw_transposed</td>' in page


def test_unreadable_timed_out_and_crashed_submissions_are_listed(graded):
    results = json.loads((graded / "correct" / "results.json").read_text())
    results["tests"][0]["tags"] = ["timeout"]
    results["tests"][3]["tags"] = ["crashed"]
    (graded / "slow").mkdir()
    (graded / "slow" / "results.json").write_text(json.dumps(results))
    problems = {(s, p) for s, p, _ in run_problems(read_cohort(graded))}
    assert problems == {("broken", "unreadable"), ("slow", "timed out"), ("slow", "crashed")}


def test_time_spent_is_total_median_and_longest(graded):
    spent = times(read_cohort(graded))
    seconds = [json.loads(p.read_text())["execution_time"] for p in graded.glob("*/results.json")]
    assert spent["total"] == pytest.approx(sum(seconds))
    assert spent["max"] == max(seconds)


def test_every_text_from_results_is_escaped(graded):
    results = json.loads((graded / "dense_dw_transposed" / "results.json").read_text())
    results["tests"][1]["tags"] = ["<img src=x onerror=alert(1)>"]
    results["tests"][1]["name"] = "<b>bold</b>: test"
    (graded / HOSTILE_NAME.replace("/", "_")).mkdir()
    (graded / HOSTILE_NAME.replace("/", "_") / "results.json").write_text(json.dumps(results))
    page = write_report(graded).read_text()
    assert "<img src=x" not in page and "<b>bold" not in page and "<script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_malformed_results_file_is_reported_not_fatal(graded):
    (graded / "stubs" / "results.json").write_text("{ not json")
    (graded / "odd").mkdir()
    (graded / "odd" / "results.json").write_text(json.dumps({"score": "high"}))
    cohort = read_cohort(graded)
    assert [name for name, _ in cohort.broken] == ["odd/results.json", "stubs/results.json"]
    page = write_report(graded).read_text()
    assert "odd/results.json" in page
    assert "[&#x27;score&#x27;]: &#x27;high&#x27; is not of type" in page
    assert "6 submissions" in page


def test_a_folder_without_results_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(KitError, match=re.escape(str(tmp_path))):
        read_cohort(tmp_path)
    assert main(["report", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err
    with pytest.raises(KitError, match="no such folder"):
        read_cohort(tmp_path / "missing")


def test_report_loads_in_a_browser_without_errors_and_shows_its_charts(graded):
    report = load(write_report(graded))
    assert report.errors == []
    assert len(report.images) >= 2 and report.broken_images == []


def test_every_feedback_page_loads_in_a_browser_without_errors(graded_samples):
    pages = sorted(graded_samples.glob("*/feedback.html"))
    assert len(pages) == 7
    with ThreadPoolExecutor(4) as browsers:
        reports = dict(zip(pages, browsers.map(load, pages), strict=True))
    assert {
        page.parent.name: r.errors + r.broken_images
        for page, r in reports.items()
        if r.errors or r.broken_images
    } == {}


def test_the_browser_check_catches_a_script_error_and_a_broken_image(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        '<img src="data:image/png;base64,AAAA" alt="broken">'
        '<script>throw new Error("boom");</script></body></html>'
    )
    report = load(page)
    assert sorted(e.split(" at ")[0] for e in report.errors) == [
        "Uncaught Error: boom",
        "failed to load <img> data:image/png;base64,AAAA",
    ]
    assert [img["naturalWidth"] for img in report.broken_images] == [0]
