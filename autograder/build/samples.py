"""Sample submissions for the main job and the tests, made from the release and the master.

A correct sample is the release with every answer cell taken from the master (markup
removed); a sample with a mistake applies one of the assignment's text mutations to that
(``autograder/<assignment>/samples.py``: ``MUTATIONS = {name: [(old, new), ...]}``); the
untouched release is the stub sample; a truncated file is the broken one.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import nbformat

from autograder.build.markup import Delimiters, nbgrader_config, strip_markup
from autograder.errors import KitError
from autograder.paths import course_root, source_notebook


def is_answer(cell: nbformat.NotebookNode) -> bool:
    """An nbgrader answer cell (where students write)."""
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution")) and not meta.get("grade")


def solved(
    release: nbformat.NotebookNode,
    source: nbformat.NotebookNode,
    delimiters: Delimiters | None = None,
) -> nbformat.NotebookNode:
    """The release with every answer cell filled in from the master.

    ``delimiters``: nbgrader's markers (default: as the course's nbgrader config sets them).
    """
    delimiters = delimiters or Delimiters.configured(nbgrader_config(course_root()))
    answers = {c.metadata["nbgrader"]["grade_id"]: c for c in source.cells if is_answer(c)}
    out = nbformat.from_dict(release)
    for cell in out.cells:
        if is_answer(cell):
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            where = f"master notebook, answer cell {grade_id!r}"
            cell.source = strip_markup(answers[grade_id].source, delimiters, where)
    return out


def mutate(
    nb: nbformat.NotebookNode, name: str, edits: list[tuple[str, str]]
) -> nbformat.NotebookNode:
    """A copy of ``nb`` with each ``old`` text of ``edits`` replaced in the answer cells."""
    out = nbformat.from_dict(nb)
    for old, new in edits:
        cells = [c for c in out.cells if is_answer(c) and old in c.source]
        if len(cells) != 1:
            raise KitError(f"sample {name}: {old!r} is in {len(cells)} answer cells, expected 1")
        cells[0].source = cells[0].source.replace(old, new, 1)
    return out


def build_samples(assignment: str, release_dir: Path, out_dir: Path) -> list[Path]:
    """Write the sample submissions of ``assignment`` into ``out_dir``."""
    release = nbformat.read(release_dir / f"{assignment}.ipynb", as_version=4)
    source = nbformat.read(source_notebook(assignment), as_version=4)
    correct = solved(release, source)
    mutations = importlib.import_module(f"autograder.{assignment}.samples").MUTATIONS
    notebooks = {"correct": correct, "stubs": release}
    notebooks |= {name: mutate(correct, name, edits) for name, edits in mutations.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, nb in sorted(notebooks.items()):
        path = out_dir / f"{name}.ipynb"
        nbformat.write(nb, path)
        written.append(path)
    broken = out_dir / "broken.ipynb"
    broken.write_text(nbformat.writes(correct)[:5000], encoding="utf-8")
    return [*written, broken]
