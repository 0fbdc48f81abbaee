"""Does `pytest` from the repository root collect the kit's tests and nothing else, and
do test files share helpers only through helper modules?"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from autograder.paths import REPO_ROOT
from tests.helpers import imported_modules

TESTS = Path(__file__).parent


def test_pytest_from_the_root_collects_every_test_file_and_only_them():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    files = {item.split("::")[0] for item in ids}
    assert files == {f"tests/{path.name}" for path in TESTS.glob("test_*.py")}
    names = {item.split("::")[1].split("[")[0] for item in ids}
    hidden = {f"test_{spec}" for spec in ("dense_backward_dx", "softmax_dlogits", "output")}
    assert not names & hidden  # no hidden check and no imported test_* helper ran as a test


def test_no_test_file_imports_conftest_or_another_test_file():
    bad = {
        path.name: sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[-1] == "conftest" or m.split(".")[-1].startswith("test_")
        )
        for path in TESTS.glob("*.py")
    }
    assert {name: found for name, found in bad.items() if found} == {}
