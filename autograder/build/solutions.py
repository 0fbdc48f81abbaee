"""The instructor's solutions: an importable module and the executed solution notebook."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from autograder.build.markup import Delimiters, nbgrader_config, strip_markup
from autograder.errors import KitError
from autograder.paths import course_root, source_notebook

MODULE_TAG = "module"


def module_text(nb: nbformat.NotebookNode, origin: str, delimiters: Delimiters) -> str:
    """The solution module: every code cell tagged ``module``, markup removed."""
    cells = [
        strip_markup(cell.source, delimiters, f"{origin}, cell {number}")
        for number, cell in enumerate(nb.cells, start=1)
        if cell.cell_type == "code" and MODULE_TAG in cell.metadata.get("tags", [])
    ]
    if not cells:
        raise KitError(f"{origin}: no code cell is tagged {MODULE_TAG!r}")
    header = (
        f'"""Instructor solution, generated from {origin} by `python -m autograder build`.\n\n'
        'Do not edit: edit the master notebook and rebuild.\n"""\n'
    )
    return header + "\n\n\n".join(cells) + "\n"


def solution_notebook(
    nb: nbformat.NotebookNode, origin: str, delimiters: Delimiters
) -> nbformat.NotebookNode:
    """A copy of the master with solutions in place and no hidden tests, not yet run."""
    out = nbformat.from_dict(nb)
    for number, cell in enumerate(out.cells, start=1):
        cell.source = strip_markup(cell.source, delimiters, f"{origin}, cell {number}")
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return out


def execute(nb: nbformat.NotebookNode, origin: str, timeout: int = 300) -> None:
    """Run ``nb`` top to bottom in a fresh kernel, in a scratch directory."""
    with tempfile.TemporaryDirectory() as scratch:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": scratch}},
        )
        try:
            client.execute()
        except CellExecutionError as err:
            raise KitError(f"{origin}: the solution notebook failed to run:\n{err}") from err
    CoalesceStreamsPreprocessor().preprocess(nb, {})  # stream splits depend on timing


def build_solutions(assignment: str, out_dir: Path, src: Path | None = None) -> list[Path]:
    """Write ``<assignment>.py`` and the executed ``<assignment>.ipynb`` into ``out_dir``.

    ``src``: the master notebook (default: the repository's).
    """
    src = src or source_notebook(assignment)
    if not src.is_file():
        raise KitError(f"{src}: master notebook not found")
    origin = f"source/{assignment}/{src.name}"
    nb = nbformat.read(src, as_version=4)
    delimiters = Delimiters.configured(nbgrader_config(course_root()))
    module_source = module_text(nb, origin, delimiters)
    executed = solution_notebook(nb, origin, delimiters)
    out_dir.mkdir(parents=True, exist_ok=True)
    module = out_dir / f"{assignment}.py"
    module.write_text(module_source)
    execute(executed, origin)
    notebook = out_dir / f"{assignment}.ipynb"
    nbformat.write(executed, notebook)
    return [module, notebook]
