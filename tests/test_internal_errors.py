"""Are broken hidden checks (kit bugs) found in a batch's results and logged for the
instructor? (The CLI end to end: tests/test_second_assignment.py.)"""

from __future__ import annotations

from autograder.internal_errors import LOG_FILE, internal_errors, write_log
from autograder.results import SubmissionResult, TestResult


def result(student: str, broken: str | None) -> SubmissionResult:
    tests = [
        TestResult("a", "Piece", "a", 1.0, 1.0),
        TestResult(
            "b",
            "Piece",
            "b",
            0.0,
            1.0,
            "The grader could not check this part.",
            "internal error" if broken else None,
            internal_error=broken,
        ),
    ]
    return SubmissionResult(student, f"{student}.ipynb", tests)


def test_each_broken_check_is_found_by_student_and_test():
    found = internal_errors([result("ada", "Traceback ...\nKeyError: 'x'"), result("bob", None)])
    assert [(e.student, e.test) for e in found] == [("ada", "b")]
    assert "KeyError" not in str(result("ada", "KeyError").tests[1].to_dict())


def test_a_grading_replaces_the_log_and_a_regrade_adds_to_it(tmp_path):
    first = internal_errors([result("ada", "Traceback 1")])
    assert write_log(first, tmp_path) == tmp_path / LOG_FILE
    write_log(internal_errors([result("bob", "Traceback 2")]), tmp_path, merge=True)
    log = (tmp_path / LOG_FILE).read_text()
    assert "== ada: b\nTraceback 1" in log and "== bob: b\nTraceback 2" in log
    assert write_log([], tmp_path, merge=True) is None and (tmp_path / LOG_FILE).exists()
    assert write_log([], tmp_path) is None and not (tmp_path / LOG_FILE).exists()
