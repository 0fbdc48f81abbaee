"""Math in exported HTML that renders without internet access.

nbconvert's HTML pages (``jupyter nbconvert --to html``, nbgrader's feedback) load
MathJax from a CDN by default. The kit replaces nbconvert's ``mathjax`` macro (the
template ``autograder/templates/base/mathjax.html.j2``, found before nbconvert's own)
with one that inlines MathJax 3's single-file SVG bundle, so every page carries its own
MathJax: it renders offline, and on a student's machine as on the instructor's.

The bundle is npm ``mathjax-full``, pinned in ``tests/mathjax/package.json`` and
installed by ``make`` (``npm ci`` there).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from autograder.errors import KitError
from autograder.paths import REPO_ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
BUNDLE = REPO_ROOT / "tests/mathjax/node_modules/mathjax-full/es5/tex-svg-full.js"

# What nbconvert's MathJax 2 set-up did: $...$ inline, $$...$$ display, AMS environments.
CONFIG = """window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']],
        displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams'},
  svg: {fontCache: 'global'},
  options: {ignoreHtmlClass: 'tex2jax_ignore', processHtmlClass: 'tex2jax_process'}
};"""


@cache
def mathjax_scripts(_: Any = None) -> str:
    """The <script> elements that configure and load MathJax, both inline (a Jinja filter)."""
    if not BUNDLE.is_file():
        raise KitError(f"{BUNDLE} is missing: run `make` (it runs npm ci in tests/mathjax)")
    bundle = BUNDLE.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"<script>\n{CONFIG}\n</script>\n<script>\n{bundle}\n</script>"


def template_dirs() -> list[str]:
    """nbconvert's extra template base dirs: the kit's first, then nbgrader's (feedback)."""
    import nbgrader

    nbgrader_templates = Path(nbgrader.__file__).parent / "server_extensions/formgrader/templates"
    return [str(TEMPLATES), str(nbgrader_templates)]


def apply_to_nbconvert(c: Any) -> None:
    """Make nbconvert's HTML exporter (and nbgrader's feedback) inline MathJax."""
    c.HTMLExporter.extra_template_basedirs = template_dirs()
    c.HTMLExporter.filters = {"kit_mathjax": "autograder.offline_math.mathjax_scripts"}
