"""Does the sandbox run a well-behaved notebook the way Jupyter would, and report it?"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import psutil
import pytest

from autograder.paths import REPO_ROOT
from autograder.sandbox import Limits, ProbeRequest, SandboxError, SandboxPool
from autograder.sandbox.isolation import seccomp_libraries
from tests.sandbox_probes import LIMITS, calling, request, value_of


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(jobs=2, limits=LIMITS) as shared:
        yield shared


def test_do_values_and_arrays_come_back_intact(pool):
    cells = [
        "import numpy as np",
        "def arrays():\n"
        "    return {'f32': np.arange(6, dtype=np.float32).reshape(2, 3),\n"
        "            'i64T': np.arange(6).reshape(2, 3).T, 'mask': np.array([True, False]),\n"
        "            'scalar': np.float64(2.5), 'nested': [1, 'two', None, float('nan')]}",
    ]
    run = pool.run(cells, [calling("arrays", "arrays")])
    assert [cell.status for cell in run.cells] == ["ok", "ok"]
    probe = run.probes["arrays"]
    assert probe.status == "ok", probe.error
    got = probe.value
    assert got["f32"].dtype == np.float32 and got["f32"].shape == (2, 3)
    np.testing.assert_array_equal(got["i64T"], np.arange(6).reshape(2, 3).T)
    assert got["i64T"].dtype == np.int64 and got["mask"].dtype == bool
    assert got["scalar"] == 2.5 and got["nested"][:3] == [1, "two", None]
    assert math.isnan(got["nested"][3])


def test_do_probe_inputs_arrive_as_sent(pool):
    inputs = {
        "x": np.linspace(0, 1, 7).reshape(7, 1),
        "labels": np.array([2, 0, 1]),
        "meta": {"seed": 3, "name": "ü"},
    }
    run = pool.run([], [request("echo", "echo", inputs)])
    echoed = run.probes["echo"].value
    np.testing.assert_array_equal(echoed["x"], inputs["x"])
    assert echoed["labels"].dtype == inputs["labels"].dtype and echoed["meta"] == inputs["meta"]


def test_does_an_error_show_only_the_students_frames_and_lines(pool):
    cells = [
        "def backward(grad):\n    scale = 2\n    return grad @ missing_name * scale",
        "backward(1)",
        "after = 'still runs'",
    ]
    run = pool.run(cells, [value_of("after")])
    error = run.cells[1].error
    assert run.cells[1].status == "error"
    assert 'File "<cell 2>", line 1, in <module>' in error
    assert 'File "<cell 1>", line 3, in backward' in error
    assert "return grad @ missing_name * scale" in error
    assert error.rstrip().endswith("NameError: name 'missing_name' is not defined")
    assert "autograder" not in error and "sandbox" not in error
    assert run.probes["after"].value == "still runs"


def test_does_a_probe_error_hide_the_harness_frames(pool):
    cells = ["import numpy as np\ndef forward(x):\n    return np.dot(x, np.ones((5, 2)))"]
    run = pool.run(cells, [calling("bad", "forward", np.ones((3, 4))), calling("absent", "nope")])
    bad, absent = run.probes["bad"], run.probes["absent"]
    assert bad.status == "error" and bad.value is None
    assert 'File "<cell 1>", line 3, in forward' in bad.error
    assert "ValueError" in bad.error and "sandbox_probes" not in bad.error
    assert "numpy" not in bad.error.split("ValueError")[0]
    assert absent.status == "error" and absent.error.strip() == "KeyError: 'nope'"


def test_is_a_syntax_error_reported_against_the_cell_and_the_rest_runs(pool):
    run = pool.run(["x = (1,", "y = 2"], [value_of("y")])
    assert run.cells[0].status == "error" and '"<cell 1>", line 1' in run.cells[0].error
    assert "SyntaxError" in run.cells[0].error
    assert run.cells[1].status == "ok" and run.probes["y"].value == 2


def test_are_python_c_level_and_stderr_outputs_captured_per_cell(pool):
    cells = [
        "print('first')",
        "import os, sys, ctypes\nos.write(1, b'fd-level\\n')\n"
        "ctypes.CDLL(None).printf(b'from C\\n')\nprint('to stderr', file=sys.stderr)",
        "import warnings\nwarnings.warn('careful')",
    ]
    run = pool.run(cells, [])
    assert run.cells[0].output == "first\n"
    assert {"fd-level", "from C", "to stderr"} <= set(run.cells[1].output.splitlines())
    assert "UserWarning: careful" in run.cells[2].output


def test_is_a_flood_of_output_truncated_with_a_count(pool):
    run = pool.run(["print('x' * 10_000_000)", "print('next')"], [])
    output = run.cells[0].output
    assert output.startswith("x" * LIMITS.output_chars)
    dropped = 10_000_001 - LIMITS.output_chars
    assert output.endswith(f"[output truncated: {dropped} more characters]")
    assert len(output) < LIMITS.output_chars + 100
    assert run.cells[1].output == "next\n"


def test_do_magics_shell_escapes_and_plt_show_work_headless(pool):
    cells = [
        "get_ipython().run_line_magic('matplotlib', 'inline')",
        "get_ipython().system('touch should_not_exist')\n"
        "assert get_ipython().getoutput('ls') == ''",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3])\n"
        "plt.show()\nfig.savefig('plot.png')\ndisplay(fig)",
        "import matplotlib, os\nprint(matplotlib.get_backend(), __name__, "
        "os.path.exists('should_not_exist'), len(plt.get_fignums()))",
    ]
    run = pool.run(cells, [])
    assert [cell.status for cell in run.cells] == ["ok"] * 4, [c.error for c in run.cells]
    assert run.cells[2].output == "<Figure size 640x480 with 1 Axes>\n"
    assert run.cells[3].output.lower() == "agg __main__ false 0\n"


def test_do_two_runs_of_the_same_notebook_give_identical_outcomes(pool):
    cells = [
        "import numpy as np, random\nnoise = np.random.rand(3)\nr = random.random()",
        "print(noise.sum(), r)",
        "1 / 0",
    ]
    probes = [value_of("noise"), value_of("r"), request("draw", "unseeded_draw", {})]
    first, second = pool.run(cells, probes), pool.run(cells, probes)
    assert first.cells == second.cells
    for name in ("r", "draw"):
        assert first.probes[name] == second.probes[name]
    np.testing.assert_array_equal(first.probes["noise"].value, second.probes["noise"].value)


def test_do_concurrent_runs_on_two_workers_keep_their_own_results(pool):
    def grade(k: int) -> tuple[int, object, set[int]]:
        run = pool.run(
            [f"k = {k}\nimport os\npid = os.getppid()", "import time\ntime.sleep(0.2)"],
            [value_of("k"), request("worker", "worker_pid", {})],
        )
        return k, run.probes["k"].value, run.probes["worker"].value

    with ThreadPoolExecutor(max_workers=2) as executor:
        results = list(executor.map(grade, range(6)))
    assert all(k == got for k, got, _ in results)
    assert len({worker for _, _, worker in results}) == 1  # each sandbox sees only itself


def test_does_a_probe_that_cannot_be_imported_raise_a_sandbox_error(pool):
    with pytest.raises(SandboxError, match=r"probe module 'tests\.no_such_module'"):
        pool.run(["x = 1"], [ProbeRequest("p", "tests.no_such_module:f", {})])
    with pytest.raises(SandboxError, match="not plain data"):
        pool.run([], [request("p", "echo", {"f": threading.Lock()})])
    with pytest.raises(SandboxError, match="unique"):
        pool.run([], [value_of("a"), value_of("a")])
    assert pool.run(["x = 1"], [value_of("x")]).probes["x"].value == 1


def test_does_seeding_in_one_cell_carry_over_to_the_next(pool):
    cells = [
        "import random, numpy as np\nrandom.seed(42)\nnp.random.seed(42)",
        "a = random.random()\nb = float(np.random.rand())",
    ]
    run = pool.run(cells, [value_of("a"), value_of("b")])
    assert run.probes["a"].value == random.Random(42).random()
    assert run.probes["b"].value == float(np.random.RandomState(42).rand())


def test_is_what_student_code_prints_during_a_probe_kept_with_that_probe(pool):
    cells = ["def noisy():\n    print('inside the probe')\n    return 1", "print('cell')"]
    run = pool.run(cells, [calling("noisy", "noisy"), request("quiet", "echo", {})])
    assert run.probes["noisy"].output == "inside the probe\n" and run.probes["noisy"].value == 1
    assert run.probes["quiet"].output == ""
    assert run.cells[1].output == "cell\n"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Limits(cell_timeout=0, probe_timeout=1, memory_mb=1, output_chars=1),
        lambda: Limits(cell_timeout=1, probe_timeout=1, memory_mb=-5, output_chars=1),
        lambda: ProbeRequest("p", "no_colon_here", {}),
        lambda: ProbeRequest("p", "module:not an identifier", {}),
        lambda: ProbeRequest("p", "module:f", {}, timeout=0),
        lambda: SandboxPool(jobs=0, limits=LIMITS),
    ],
)
def test_are_impossible_settings_refused_up_front(bad):
    with pytest.raises(ValueError, match=r"must be|needs at least"):
        bad()


def test_does_a_worker_that_cannot_start_raise_a_sandbox_error(monkeypatch, tmp_path):
    monkeypatch.setattr("autograder.sandbox.kit_view.INSIDE", tmp_path)  # no sandbox code
    with (
        SandboxPool(jobs=1, limits=LIMITS) as broken,
        pytest.raises(SandboxError, match=r"(?s)did not start.*No module named 'autograder"),
    ):
        broken.run(["x = 1"], [])


def test_do_two_graders_on_one_machine_never_share_a_dedicated_uid():
    from autograder.sandbox.pool import UidClaim

    first, second = UidClaim(61500, 4), UidClaim(61500, 4)
    try:
        assert len(first.uids) == len(second.uids) == 4
        assert not set(first.uids) & set(second.uids)
    finally:
        first.release()
        second.release()
    again = UidClaim(61500, 4)
    assert again.uids == [61500, 61501, 61502, 61503]  # released claims are free again
    again.release()


def sandbox_pids() -> set[int]:
    """Pids of this test process's sandbox workers (other fixtures' pools included)."""
    found = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            if "autograder.inside.boot" in " ".join(proc.cmdline()):
                found.add(proc.pid)
        except psutil.Error:
            pass
    return found


def test_does_closing_a_pool_leave_no_sandbox_behind():
    before = sandbox_pids()
    with SandboxPool(jobs=2, limits=LIMITS) as pool:
        for _ in range(3):
            assert pool.run(["x = 1"], [value_of("x")]).probes["x"].value == 1
    assert sandbox_pids() - before == set()  # spares, and spares still starting, go too


PROCESSES_STARTED_BY_IMPORT = """
import json, subprocess, sys
started = []
real = subprocess.Popen.__init__
def recording(self, args, *rest, **kwargs):
    started.append(args)
    real(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = recording
if sys.argv[1] == "plain":
    import pyseccomp
else:
    from autograder.inside import confine
    confine._import_pyseccomp(json.loads(sys.argv[1]))
print(json.dumps(started))
"""


@pytest.mark.parametrize("how", ["plain", "as the sandbox does"])
def test_does_a_sandbox_import_pyseccomp_without_starting_a_process(how):
    """pyseccomp's import runs ldconfig (ctypes.util.find_library); a sandbox hands it
    the libraries the grader found, so a spare starts nothing before its submission."""
    given = "plain" if how == "plain" else json.dumps(seccomp_libraries())
    done = subprocess.run(
        [sys.executable, "-c", PROCESSES_STARTED_BY_IMPORT, given],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    started = json.loads(done.stdout)
    assert (started != []) if how == "plain" else (started == []), started


def test_does_a_missing_seccomp_library_stop_grading_with_its_name(monkeypatch):
    from autograder.sandbox import isolation

    monkeypatch.setattr(isolation.ctypes.util, "find_library", lambda name: None)
    isolation.seccomp_libraries.cache_clear()
    try:
        with (
            SandboxPool(jobs=1, limits=LIMITS) as pool,
            pytest.raises(SandboxError, match=r"cannot find the C libraries \['c', 'seccomp'\]"),
        ):
            pool.run(["x = 1"], [])
    finally:
        isolation.seccomp_libraries.cache_clear()


def test_is_every_sandbox_started_by_a_thread_that_outlives_it(monkeypatch):
    """bubblewrap's --die-with-parent is bound to the thread that started it (prctl(2),
    PR_SET_PDEATHSIG): a spare started by a thread that then ends can lose its first
    bwrap process, and its worker's death then goes unseen until the grace period ends."""
    from autograder.sandbox import spawn

    starters: list[threading.Thread] = []
    start = spawn.WorkerProcess.__init__

    def recording(self, *args, **kwargs):
        starters.append(threading.current_thread())
        start(self, *args, **kwargs)

    monkeypatch.setattr(spawn.WorkerProcess, "__init__", recording)
    with SandboxPool(jobs=2, limits=LIMITS) as pool:
        for _ in range(3):
            assert pool.run(["x = 1"], [value_of("x")]).probes["x"].value == 1
        assert len(starters) >= 3
        assert all(thread.is_alive() for thread in starters)


def test_does_tearing_a_sandbox_down_leave_the_graders_other_children_alone(pool):
    """Only subprocess reaps the grader's children: a pid reaped behind its back may be
    reused by a stranger, and its exit status is lost."""
    other = subprocess.Popen(["sh", "-c", "exit 7"])
    while psutil.Process(other.pid).status() != psutil.STATUS_ZOMBIE:
        time.sleep(0.01)
    assert pool.run(["x = 1"], [value_of("x")]).probes["x"].value == 1  # one torn down
    assert other.wait() == 7
