"""Every math expression in the kit's notebooks renders in MathJax 3 without error.

Rendering is done by the real engine (npm ``mathjax-full``, pinned in tests/mathjax)
under node; see tests/mathjax/render.js. Without node/npm the tests skip locally and
fail when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.ci import on_ci
from tests.math_extract import MathItem, math_in_markdown, notebook_math

ROOT = Path(__file__).resolve().parent.parent
MATHJAX_DIR = ROOT / "tests" / "mathjax"
NOTEBOOK_GLOBS = ("source/*/*.ipynb", "release/*/*.ipynb", "solutions/*/*.ipynb")

Renderer = Callable[[Sequence[MathItem]], list[dict[str, Any]]]


def kit_notebooks(root: Path = ROOT, globs: Sequence[str] = NOTEBOOK_GLOBS) -> list[Path]:
    """The notebooks whose math is checked (whatever exists of ``globs`` under ``root``)."""
    return sorted({path for pattern in globs for path in root.glob(pattern)})


def _installed(pinned: str) -> bool:
    package = MATHJAX_DIR / "node_modules" / "mathjax-full" / "package.json"
    return package.is_file() and json.loads(package.read_text())["version"] == pinned


@pytest.fixture(scope="session")
def render_math() -> Renderer:
    """A function rendering a batch of expressions with one node call."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "node and npm are required to render math with MathJax (tests/mathjax)"
        if on_ci():
            pytest.fail(f"{message}; CI is set, so this is a failure, not a skip")
        pytest.skip(message)
    manifest = json.loads((MATHJAX_DIR / "package.json").read_text())
    if not _installed(manifest["dependencies"]["mathjax-full"]):
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            check=False,
            cwd=MATHJAX_DIR,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {MATHJAX_DIR} failed:\n{done.stdout}\n{done.stderr}")

    def render(items: Sequence[MathItem]) -> list[dict[str, Any]]:
        done = subprocess.run(
            [node, str(MATHJAX_DIR / "render.js")],
            input=json.dumps(list(items)),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"render.js exited with {done.returncode}:\n{done.stderr}")
        results: list[dict[str, Any]] = json.loads(done.stdout)
        assert [r["id"] for r in results] == [item["id"] for item in items]
        return results

    return render


def math_failures(
    notebooks: Sequence[Path], render: Renderer, root: Path | None = ROOT
) -> list[str]:
    """One line per expression in ``notebooks`` that fails to render: id, tex, error."""
    items = [item for path in notebooks for item in notebook_math(path, root)]
    tex = {item["id"]: item["tex"] for item in items}
    return [
        f"{r['id']}: {tex[r['id']]!r}\n    -> {r['error']}" for r in render(items) if not r["ok"]
    ]


def test_notebook_math_renders(render_math: Renderer) -> None:
    notebooks = kit_notebooks()
    if not notebooks:
        pytest.skip(f"no notebooks match {NOTEBOOK_GLOBS} under {ROOT}")
    failures = math_failures(notebooks, render_math)
    assert not failures, "MathJax cannot render:\n" + "\n".join(failures)


def test_math_failures_reports_bad_notebook_math(render_math: Renderer, tmp_path: Path) -> None:
    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["Good $a^2$ and\n", "$$\\frac{1}{$$"],
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": "x = '$\\foo$'",
            "outputs": [],
            "execution_count": None,
        },
        {"cell_type": "markdown", "metadata": {}, "source": "$\\undefinedmacro x$"},
    ]
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    failures = math_failures([notebook], render_math, root=tmp_path)
    assert [line.split(":")[1:3] for line in failures] == [
        ["cell0", "1"],
        ["cell2", "0"],
    ]


def test_renderer_rejects_bad_tex_and_accepts_good(render_math: Renderer) -> None:
    cases = {
        r"\frac{\partial L}{\partial W} = H^\top G": True,
        r"\begin{aligned} a &= b \\ c &= d \end{aligned}": True,
        r"\frac{1}{": False,
        r"\undefinedmacro x": False,
        r"\foo": False,
        r"a}b": False,
        r"x_1_2": False,
        r"\begin{aligned} a &= b \end{align}": False,
    }
    items: list[MathItem] = [
        {"id": str(i), "tex": tex, "display": i % 2 == 0, "doc": ""} for i, tex in enumerate(cases)
    ]
    results = render_math(items)
    assert [r["ok"] for r in results] == list(cases.values()), results
    assert all(r["error"] for r in results if not r["ok"])
    assert "\\undefinedmacro" in results[3]["error"]


def test_newcommand_is_scoped_to_its_notebook(render_math: Renderer) -> None:
    items: list[MathItem] = [
        {
            "id": "a0",
            "tex": r"\newcommand{\R}{\mathbb{R}} x \in \R",
            "display": False,
            "doc": "a",
        },
        {"id": "a1", "tex": r"W \in \R^{n}", "display": False, "doc": "a"},
        {"id": "b0", "tex": r"W \in \R^{n}", "display": False, "doc": "b"},
    ]
    assert [r["ok"] for r in render_math(items)] == [True, True, False]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("$x$ and $$y$$", [("x", False), ("y", True)]),
        ("a \\\\(x\\\\) b \\\\[y\\\\]", [("x", False), ("y", True)]),
        ("a \\(x\\) b \\[y\\]", [("x", False), ("y", True)]),
        (
            "\\begin{align} a &= b \\end{align}",
            [("\\begin{align} a &= b \\end{align}", True)],
        ),
        (
            "$$\\begin{aligned} a \\\\[2pt] b \\end{aligned}$$",
            [("\\begin{aligned} a \\\\[2pt] b \\end{aligned}", True)],
        ),
        ("costs \\$5 or \\$6, $z$", [("z", False)]),
        ("`$notmath$` but $math$", [("math", False)]),
        ("``a ` $b$`` $c$", [("c", False)]),
        ("```python\nx = '$a$'\n```\n$b$", [("b", False)]),
        ("~~~\n$$a$$\n~~~\n$$b$$", [("b", True)]),
        ("$a\n\nb$", []),  # math never crosses a blank line
        ("$x^{1$ y}$", [("x^{1$ y}", False)]),  # braces must balance before closing
        (
            "$\\frac{1}{$",
            [("\\frac{1}{", False)],
        ),  # unbalanced: still found, so checked
        ("no math here", []),
    ],
)
def test_math_in_markdown(markdown: str, expected: list[tuple[str, bool]]) -> None:
    assert math_in_markdown(markdown) == expected


def test_notebook_math_ids(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "$a$"},
        {"cell_type": "code", "metadata": {}, "source": "'$b$'", "outputs": []},
        {"cell_type": "markdown", "metadata": {}, "source": ["$c$ ", "$$d$$"]},
    ]
    (tmp_path / "sub").mkdir()
    notebook = tmp_path / "sub" / "nb.ipynb"
    notebook.write_text(json.dumps({"cells": cells}))
    items = notebook_math(notebook, tmp_path)
    assert [(i["id"], i["tex"], i["display"]) for i in items] == [
        ("sub/nb.ipynb:cell0:0", "a", False),
        ("sub/nb.ipynb:cell2:0", "c", False),
        ("sub/nb.ipynb:cell2:1", "d", True),
    ]
