"""Does a sandbox see only the code that runs next to student code, and nothing secret?"""

from __future__ import annotations

import secrets
import shutil
import sys
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.config import course_config
from autograder.mlp_backprop import probe_requests
from autograder.paths import REPO_ROOT, samples_dir
from autograder.sandbox import SandboxPool, isolation, kit_view
from tests.helpers import ASSIGNMENT, imported_modules
from tests.sandbox_probes import LIMITS, value_of

INSIDE_IMPORTS = {"numpy", "psutil", "landlock", "pyseccomp", "autograder"}


@pytest.fixture(scope="module")
def view():
    modules = kit_view.probe_modules(r.function for r in probe_requests(course_config()))
    root = kit_view.build(modules)
    yield root
    shutil.rmtree(root)


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_does_the_view_hold_only_the_inside_package_and_the_probe_modules(view):
    inside = {f"autograder/inside/{p.name}" for p in (REPO_ROOT / "autograder/inside").glob("*.py")}
    probes = {f"autograder/{ASSIGNMENT}/probes.py", f"autograder/{ASSIGNMENT}/training.py"}
    inits = {"autograder/__init__.py", f"autograder/{ASSIGNMENT}/__init__.py"}
    assert files(view) == inside | probes | inits
    for init in inits:
        assert (view / init).read_text() == ""  # the real package's __init__ stays outside


def test_does_code_in_the_view_import_nothing_else_of_the_kit(view):
    held = {".".join(p.relative_to(view).with_suffix("").parts) for p in view.rglob("*.py")}
    for path in view.rglob("*.py"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if name.startswith("autograder"):  # only what the view itself holds
                assert name in held or name in {h.rsplit(".", 1)[0] for h in held}, (path, name)
            else:
                assert top in INSIDE_IMPORTS or top in sys.stdlib_module_names, (path, name)


@pytest.mark.skipif(not isolation.namespaces_work(), reason="needs bubblewrap namespaces")
def test_can_a_cell_import_or_read_nothing_secret():
    cell = (
        "import importlib, os\nreached = []\n"
        "for name in ('autograder.mlp_backprop.cases', 'autograder.checking', "
        "'autograder.config', 'course_config', 'solutions'):\n"
        "    try:\n        importlib.import_module(name)\n        reached.append(name)\n"
        "    except ImportError:\n        pass\n"
        f"if os.path.exists({str(REPO_ROOT / 'course_config.py')!r}):\n"
        "    reached.append('course_config.py')\n"
        f"if os.path.isdir({str(REPO_ROOT)!r}):  # only the venv is mounted below it\n"
        f"    reached += [n for n in os.listdir({str(REPO_ROOT)!r}) if n != '.venv']"
    )
    with SandboxPool(1, LIMITS) as pool:
        run = pool.run([cell], [value_of("reached")])
    assert run.cells[0].status == "ok", run.cells[0].error
    assert run.probes["reached"].value == []


def test_does_the_cli_refuse_to_grade_without_isolation_unless_told(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(isolation, "namespaces_work", lambda: False)
    monkeypatch.setattr(isolation, "landlock_works", lambda: False)
    sample = str(samples_dir(ASSIGNMENT) / "correct.ipynb")
    assert main(["grade", sample, "--out", str(tmp_path / "refused")]) == 2
    err = capsys.readouterr().err
    assert "cannot isolate student code" in err and "--unsafe-no-isolation" in err
    assert not (tmp_path / "refused" / "grades.csv").exists()
    assert main(["grade", sample, "--out", str(tmp_path / "unsafe"), "--unsafe-no-isolation"]) == 0
    assert "isolation: none" in capsys.readouterr().out


@pytest.mark.skipif(not isolation.namespaces_work(), reason="needs bubblewrap namespaces")
def test_can_no_cell_find_a_probes_inputs_in_its_memory():
    """Probe inputs reach the sandbox after its cells' process exists, each with its own
    probe: a cell that reads its whole memory finds none of them."""
    from autograder.sandbox import Limits, ProbeRequest

    marker = f"ZQX{secrets.randbelow(10**12):012d}"
    scan = (
        "import re\nfound = []\n"
        "with open('/proc/self/maps') as maps, open('/proc/self/mem', 'rb', 0) as mem:\n"
        "    for line in maps:\n"
        "        span, perms = line.split()[:2]\n"
        "        if 'r' not in perms:\n"
        "            continue\n"
        "        start, end = (int(x, 16) for x in span.split('-'))\n"
        "        try:\n"
        "            mem.seek(start)\n"
        "            found += re.findall(rb'Z[Q]X[0-9]{12}', mem.read(end - start))\n"
        "        except (OSError, OverflowError, ValueError):\n"
        "            pass\n"
        "found = sorted({f.decode() for f in found})"
    )
    limits = Limits(cell_timeout=60, probe_timeout=60, memory_mb=512, output_chars=2000)
    probes = [
        ProbeRequest("found", "tests.sandbox_probe_functions:value", {"name": "found"}),
        ProbeRequest("secret", "tests.sandbox_probe_functions:echo", {"marker": marker}),
    ]
    with SandboxPool(1, limits) as pool:
        run = pool.run([scan], probes)
    assert run.cells[0].status == "ok", run.cells[0].error
    assert run.probes["secret"].value == {"marker": marker}  # it did reach its probe
    assert marker not in run.probes["found"].value
