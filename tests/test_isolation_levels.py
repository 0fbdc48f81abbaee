"""Where namespaces are refused, as Docker's default seccomp profile refuses them, does the
grader fall back to the Landlock level by itself, and say so?"""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from autograder.inside.confine import refuse_namespace_clones  # as Docker refuses them
from autograder.paths import REPO_ROOT, samples_dir
from autograder.sandbox.isolation import landlock_works, namespaces_work
from tests.helpers import ASSIGNMENT

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not landlock_works() or not namespaces_work(),
    reason="needs root, Landlock and working namespaces (to take them away)",
)


def refuse_namespaces_like_docker() -> None:
    """In the child before exec: unshare, setns, mount and namespace clones fail (EPERM);
    clone3 is unknown (ENOSYS, so callers fall back to clone), as under Docker."""
    import pyseccomp as seccomp

    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in ("unshare", "setns", "mount", "pivot_root"):
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    refuse_namespace_clones(rules)
    rules.load()


def test_does_the_grader_fall_back_to_landlock_where_namespaces_are_refused(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(samples_dir(ASSIGNMENT) / "correct.ipynb"),
            "--out",
            str(out),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        preexec_fn=refuse_namespaces_like_docker,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "isolation: landlock" in done.stdout
    assert "correct,100,100" in (out / "grades.csv").read_text()


def test_is_bubblewrap_really_refused_under_that_filter():
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from autograder.sandbox.isolation import namespaces_work; print(namespaces_work())",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        preexec_fn=refuse_namespaces_like_docker,
        timeout=120,
    )
    assert probe.stdout.strip() == "False", probe.stderr
