"""Does hostile or broken student code cost only the cell or probe that carries it?"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from autograder.paths import REPO_ROOT
from autograder.sandbox import SandboxPool
from autograder.sandbox.isolation import landlock_works
from tests.helpers import returns
from tests.sandbox_probes import LIMITS, calling, request, value_of

REPO = Path(__file__).resolve().parents[1]
FIND_WORKER = (
    "import psutil\n"
    "worker = [p for p in psutil.Process().parents()\n"
    "          if 'autograder.inside.boot' in ' '.join(p.cmdline())\n"
    "          and p.name() != 'bwrap'][-1]\n"
)


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(jobs=2, limits=LIMITS) as shared:
        yield shared


def statuses(run) -> list[str]:
    return [cell.status for cell in run.cells]


def processes_running(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if marker in " ".join(proc.info["cmdline"] or []) and proc.info["status"] != "zombie":
            found.append(proc)
    return found


def unique_seconds() -> str:
    """A sleep duration no other test session uses, to find that exact process again."""
    return f"1000.{os.getpid()}{time.monotonic_ns() % 10**6}"


def leftovers() -> list[psutil.Process]:
    """Processes below this session's sandbox workers: after a run only spares are left,
    and a spare's worker has started nothing."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if "bwrap" not in proc.name() and "autograder.inside.boot" in " ".join(proc.cmdline()):
                found += [p for p in proc.children(recursive=True) if p.status() != "zombie"]
        except psutil.Error:
            pass
    return found


def test_is_a_hanging_cell_stopped_on_time_and_are_earlier_definitions_kept(pool):
    start = time.monotonic()
    run = returns(
        lambda: pool.run(
            ["def f():\n    return 41", "while True:\n    pass", "g = f() + 1"], [value_of("g")]
        )
    )
    assert statuses(run) == ["ok", "timeout", "ok"]
    assert "did not finish within 1 s" in run.cells[1].error
    assert run.probes["g"].value == 42
    assert time.monotonic() - start >= LIMITS.cell_timeout  # it ran its whole limit


def test_is_a_hang_that_swallows_exceptions_and_signals_still_stopped(pool):
    stubborn = (
        "import signal, time\n"
        "for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):\n"
        "    signal.signal(sig, signal.SIG_IGN)\n"
        "while True:\n"
        "    try:\n"
        "        time.sleep(1)\n"
        "    except BaseException:\n"
        "        pass"
    )
    run = pool.run(["x = 1", stubborn, "x += 1"], [value_of("x")])
    assert statuses(run) == ["ok", "timeout", "ok"] and run.probes["x"].value == 2


def test_does_a_hanging_probe_cost_only_that_probe(pool):
    probes = [
        value_of("x"),
        request("hang", "hang", {}, timeout=0.5),
        request("x again", "value", {"name": "x"}),
    ]
    run = pool.run(["x = 7"], probes)
    assert [run.probes[name].status for name in ("x", "hang", "x again")] == ["ok", "timeout", "ok"]
    assert run.probes["x again"].value == 7


CRASHES = {
    "sys.exit": ("import sys\nsys.exit(3)", "SystemExit: 3"),
    "exit()": ("exit()", "SystemExit"),
    "os._exit": ("import os\nos._exit(3)", "exited with code 3"),
    "SIGSEGV": ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)", "SIGSEGV"),
    "ctypes": ("import ctypes\nctypes.string_at(0)", "SIGSEGV"),
    "SIGKILL": ("import os\nos.kill(os.getpid(), 9)", "SIGKILL"),
    "abort": ("import os\nos.abort()", "SIGABRT"),
}


@pytest.mark.parametrize("crash", CRASHES.values(), ids=CRASHES.keys())
def test_does_a_crashing_cell_cost_only_that_cell(pool, crash):
    source, reason = crash
    run = pool.run(["x = 1", source, "x += 1"], [value_of("x")])
    assert statuses(run) == ["ok", "crashed", "ok"]
    assert reason in run.cells[1].error
    assert "went on from the state before this cell" in run.cells[1].error
    assert run.probes["x"].value == 2


@pytest.mark.parametrize("crash", CRASHES.values(), ids=CRASHES.keys())
def test_does_a_crashing_probe_cost_only_that_probe(pool, crash):
    source, reason = crash
    boom = "def boom():\n" + "".join(f"    {line}\n" for line in source.splitlines())
    run = pool.run(["x = 1", boom], [calling("boom", "boom"), value_of("x")])
    assert run.probes["boom"].status == "crashed" and reason in run.probes["boom"].error
    assert run.probes["x"].status == "ok" and run.probes["x"].value == 1


def test_does_a_memory_hog_get_a_memory_error_and_the_notebook_go_on(pool):
    cells = [
        "import numpy as np",
        "x = bytearray(50 * 2**30)",
        "y = np.ones(2**33)",
        "big = []\nwhile True:\n    big.append(np.empty(10**7))",
        "del big\nz = np.ones(1000).sum()",
    ]
    run = pool.run(cells, [value_of("z")])
    assert statuses(run) == ["ok", "error", "error", "error", "ok"], [c.error for c in run.cells]
    assert all("MemoryError" in cell.error for cell in run.cells[1:4])
    assert run.probes["z"].value == 1000.0
    assert psutil.virtual_memory().available > 2**30  # the machine is fine


def test_does_patching_numpy_json_print_and_os_change_nothing_outside(pool):
    vandal = (
        "import numpy, json, builtins, os\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.save = numpy.load = None\n"
        "json.dumps = lambda *a, **k: '{\"forged\": true}'\n"
        "json.loads = lambda *a, **k: {'forged': True}\n"
        "builtins.print = None\n"
        "os.write = os.read = os.fork = os._exit = None"
    )
    run = pool.run([vandal, "x = numpy.arange(3)"], [value_of("x")])
    assert statuses(run) == ["ok", "ok"]
    np.testing.assert_array_equal(run.probes["x"].value, np.arange(3))
    check = "import numpy as np, json\nfine = (not np.allclose(1, 2)) and json.dumps([1]) == '[1]'"
    for _ in range(2):  # both workers are untouched
        assert pool.run([check, "print('hi')"], [value_of("fine")]).probes["fine"].value is True
    assert not np.allclose(1, 2)


def test_do_files_land_in_a_private_folder_and_nowhere_else(pool, tmp_path):
    outside = tmp_path / "outside.txt"
    cells = [
        "import os\nopen('results.json', 'w').write('{\"score\": 100}')\n"
        "os.makedirs('locked/inner')\nos.chmod('locked', 0o500)\nwhere = os.getcwd()",
        f"try:\n    open({str(outside)!r}, 'w').write('escaped')\n    wrote = True\n"
        "except OSError:\n    wrote = False",
    ]
    run = pool.run(cells, [value_of("where"), value_of("wrote")])
    assert statuses(run) == ["ok", "ok"]
    assert run.probes["wrote"].value is False and not outside.exists()
    where = Path(run.probes["where"].value)
    assert where != Path.cwd() and REPO not in where.parents
    assert not (REPO / "results.json").exists() and not (Path.cwd() / "results.json").exists()


def test_are_child_processes_and_daemons_gone_when_run_returns(pool):
    daemon_seconds = unique_seconds()
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execvp('sleep', ['sleep', '{daemon_seconds}'])\n"
        "    os._exit(0)\n"
        "time.sleep(0.3)"
    )
    seconds = unique_seconds()
    spawn = f"import subprocess\np = subprocess.Popen(['sleep', '{seconds}'])"
    run = pool.run([spawn, daemon, "x = 1"], [value_of("x")])
    assert statuses(run) == ["ok", "ok", "ok"] and run.probes["x"].value == 1
    assert not processes_running(seconds) and not processes_running(daemon_seconds)
    assert not leftovers()


def test_is_a_huge_probe_value_refused_as_output_too_large(pool):
    cells = ["import numpy as np\ndef huge():\n    return np.zeros(10**7)\nx = 5"]
    run = pool.run(cells, [calling("huge", "huge"), value_of("x")])
    assert run.probes["huge"].status == "crashed"
    assert "output too large" in run.probes["huge"].error
    assert run.probes["x"].value == 5


def test_does_killing_the_worker_cost_only_that_submission(pool):
    killer = FIND_WORKER + "import os, time\nos.kill(worker.pid, 9)\ntime.sleep(5)"
    seconds = unique_seconds()
    spawn = f"import subprocess\nsubprocess.Popen(['sleep', '{seconds}'])"
    run = pool.run(["x = 1", spawn, killer, "x += 1"], [value_of("x")])
    assert statuses(run) == ["ok", "ok", "crashed", "crashed"]
    assert "failed twice" in run.cells[2].error and "Not run" in run.cells[3].error
    assert "stopped answering" not in run.cells[2].error  # its death is seen at once
    assert run.probes["x"].status == "crashed"
    assert not processes_running(seconds)
    again = pool.run(["x = 1"], [value_of("x")])
    assert statuses(again) == ["ok"] and again.probes["x"].value == 1


def test_does_killing_the_checkpoint_above_a_cell_do_no_harm(pool):
    run = pool.run(["x = 1", "import os\nos.kill(os.getppid(), 9)", "x += 1"], [value_of("x")])
    assert statuses(run) == ["ok", "ok", "ok"] and run.probes["x"].value == 2


def test_is_a_lost_state_reported_as_skipped_cells(pool):
    cells = ["x = 1", "import os\nos.kill(os.getppid(), 9)\nos._exit(1)", "x += 1"]
    run = pool.run(cells, [value_of("x")])
    assert statuses(run) == ["ok", "crashed", "skipped"]
    assert "Not run" in run.cells[2].error and run.probes["x"].status == "crashed"


def test_does_closing_every_fd_cost_only_that_cell(pool):
    run = pool.run(["x = 1", "import os\nos.closerange(0, 4096)", "x += 1"], [value_of("x")])
    assert statuses(run) == ["ok", "crashed", "ok"] and run.probes["x"].value == 2


def test_is_a_process_flood_stopped_and_cleaned_up(pool):
    flood = (
        "import os, time\n"
        "for _ in range(100):\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(1000)\n"
        "        os._exit(0)\n"
        "time.sleep(30)"
    )
    run = pool.run([flood, "y = 1"], [value_of("y")])
    assert statuses(run)[0] == "error"  # the kernel's cap on processes stopped the loop
    assert "Resource temporarily unavailable" in run.cells[0].error
    assert not leftovers()
    again = pool.run(["import os\nif os.fork() == 0:\n    os._exit(0)\ny = 2"], [value_of("y")])
    assert statuses(again) == ["ok"] and again.probes["y"].value == 2  # a fresh sandbox


def test_do_background_threads_not_stop_later_cells(pool):
    spinner = (
        "import threading\n"
        "def spin():\n"
        "    while True:\n"
        "        pass\n"
        "threading.Thread(target=spin, daemon=True).start()"
    )
    run = pool.run([spinner, "y = sum(range(1000))"], [value_of("y")])
    assert statuses(run) == ["ok", "ok"] and run.probes["y"].value == 499500


def test_does_each_submission_get_a_fresh_scratch_folder(pool):
    write = "import os\nopen('/tmp/left.txt', 'w').write('x')\nseen = sorted(os.listdir('/tmp'))"
    first = pool.run([write], [value_of("seen")])
    second = pool.run(["import os\nseen = os.path.exists('/tmp/left.txt')"], [value_of("seen")])
    assert "left.txt" in first.probes["seen"].value and second.probes["seen"].value is False


def test_is_a_frozen_worker_given_up_on_and_replaced(pool, monkeypatch):
    monkeypatch.setattr("autograder.sandbox.pool.GRACE", 1.0)
    freezer = FIND_WORKER + "import os, signal\nos.kill(worker.pid, signal.SIGSTOP)"
    run = returns(lambda: pool.run(["x = 1", freezer, "x += 1"], [value_of("x")]))
    assert statuses(run)[0] == "ok" and set(statuses(run)[1:]) == {"crashed"}
    assert "stopped answering" in run.cells[1].error or "stopped answering" in run.cells[2].error
    again = pool.run(["x = 1"], [value_of("x")])
    assert again.probes["x"].value == 1


def test_does_a_bare_fork_in_a_cell_leave_one_notebook(pool):
    cells = ["import os\nchild = os.fork()\nx = 1", "x += 1", "import os\nos.fork()\nx += 1"]
    for _ in range(3):
        run = pool.run(cells, [value_of("x")])
        assert statuses(run) == ["ok", "ok", "ok"] and run.probes["x"].value == 3
    assert not leftovers()


ORPHANS_OF_A_KILLED_WORKER = """
import ctypes, json, sys
import psutil
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come to us,
# as they come to a grader that is PID 1 (in a container)
from autograder.sandbox import Isolation, SandboxPool
from tests.sandbox_probes import LIMITS, value_of
from tests.test_sandbox_attacks import FIND_WORKER
attack = (
    "import os, time\\nfor _ in range(100):\\n    try:\\n        pid = os.fork()\\n"
    "    except OSError:\\n        break\\n    if pid == 0:\\n        time.sleep(60)\\n"
    "        os._exit(0)\\n" + FIND_WORKER + "os.kill(worker.pid, 9)\\ntime.sleep(5)"
)
with SandboxPool(jobs=1, limits=LIMITS, level=Isolation.LANDLOCK) as pool:
    pool.run(["x = 1", attack], [value_of("x")])
    after = [pool.run(["x = 1"], [value_of("x")]).probes["x"].value for _ in range(3)]
    zombies = [p.pid for p in psutil.Process().children() if p.status() == "zombie"]
print(json.dumps({"after": after, "zombies": zombies}))
"""


def test_do_the_orphans_of_a_killed_worker_cost_later_submissions_nothing():
    """Where the grader is PID 1 or a subreaper, a killed worker's processes become its
    children: killed and reaped, or their zombies would use up the uid's process cap."""
    if os.geteuid() != 0 or not landlock_works():
        pytest.skip("the landlock level needs root and Landlock")
    done = subprocess.run(
        [sys.executable, "-c", ORPHANS_OF_A_KILLED_WORKER],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == {"after": [1, 1, 1], "zombies": []}


OVERSIZED_RESULT = """
import fcntl, json, os
for fd in map(int, os.listdir('/proc/self/fd')):
    try:
        writable = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
    except OSError:
        continue
    if fd > 2 and writable and os.readlink(f'/proc/self/fd/{fd}').startswith('pipe:'):
        body = json.dumps({'kind': 'result', 'pid': os.getpid(), 'status': 'ok',
                           'error': None, 'pad': 'x' * (8 * 2**20)}).encode()
        os.write(fd, len(body).to_bytes(8, 'big') + body)
"""


def test_is_a_result_frame_over_the_limit_refused_by_the_worker_too(pool):
    """A cell can skip its own process's size check and write a frame itself: the worker
    does not read it (a large frame costs many times its size once decoded)."""
    run = pool.run(["x = 1", OVERSIZED_RESULT], [value_of("x")])
    assert run.cells[1].status == "crashed" and "too large" in run.cells[1].error


def test_is_a_huge_exception_message_cut_and_the_notebook_kept(pool):
    run = pool.run(["x = 1", "raise ValueError('y' * 10**7)", "x += 1"], [value_of("x")])
    assert [cell.status for cell in run.cells] == ["ok", "error", "ok"]
    assert len(run.cells[1].error) < 10**5 and run.probes["x"].value == 2


def test_is_a_probe_value_of_a_million_tiny_lists_refused(pool):
    """Under the byte limit, but ~30 times its size once decoded by the grader."""
    patch = (
        "import sys\nsys.modules['autograder.inside.child'].run_probe = lambda call, ns: "
        "{'status': 'ok', 'value': [[[]] for _ in range(800_000)], 'error': None}"
    )
    run = pool.run(["x = 1", patch], [value_of("x")])
    assert run.probes["x"].status == "crashed" and "too large" in run.probes["x"].error
