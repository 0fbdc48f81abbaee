"""Does the math of exported HTML render without internet access: nbconvert's pages with
the kit's configuration, and nbgrader's feedback pages (see tests/test_nbgrader.py)?"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter
from traitlets.config import Config

from autograder.offline_math import BUNDLE, apply_to_nbconvert
from autograder.paths import solutions_dir
from tests.browser import rendered_math, screenshot
from tests.helpers import ASSIGNMENT


def export_html(nb: nbformat.NotebookNode) -> str:
    c = Config()
    apply_to_nbconvert(c)
    return HTMLExporter(config=c).from_notebook_node(nb)[0]


@pytest.fixture(scope="module")
def solution_page(tmp_path_factory) -> Path:
    if not BUNDLE.is_file():
        pytest.skip("tests/mathjax is not installed (make test installs it)")
    nb = nbformat.read(solutions_dir(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
    page = tmp_path_factory.mktemp("html") / "solution.html"
    page.write_text(export_html(nb), encoding="utf-8")
    return page


def test_exported_notebook_carries_its_own_mathjax(solution_page):
    text = solution_page.read_text(encoding="utf-8")
    assert "window.MathJax" in text and "mathjax/2.7.7" not in text


def test_exported_notebook_math_renders_offline(solution_page, tmp_path):
    rendered, failed = rendered_math(solution_page)
    assert rendered > 300 and failed == 0
    screenshot(solution_page, tmp_path / "solution.png")  # to look at when it fails
    assert (tmp_path / "solution.png").stat().st_size > 10_000


def test_a_page_without_the_kits_configuration_renders_no_math_offline(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x^2$ and $$y$$")])
    page = tmp_path / "plain.html"
    page.write_text(HTMLExporter().from_notebook_node(nb)[0], encoding="utf-8")
    assert rendered_math(page) == (0, 0)
    kit = tmp_path / "kit.html"
    kit.write_text(export_html(nb), encoding="utf-8")
    assert rendered_math(kit) == (2, 0)
    broken = tmp_path / "broken.html"
    nb.cells[0].source = "$a_b_c$"  # a double subscript: MathJax renders an error
    broken.write_text(export_html(nb), encoding="utf-8")
    assert rendered_math(broken) == (1, 1)


def test_the_nbconvert_command_with_the_kits_config_inlines_mathjax(tmp_path):
    import subprocess
    import sys

    from autograder.paths import REPO_ROOT

    if not BUNDLE.is_file():
        pytest.skip("tests/mathjax is not installed (make test installs it)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x^2$")])
    nbformat.write(nb, tmp_path / "one.ipynb")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--config",
            str(REPO_ROOT / "jupyter_nbconvert_config.py"),
            "--to",
            "html",
            str(tmp_path / "one.ipynb"),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    assert rendered_math(tmp_path / "one.html") == (1, 0)
