"""Find submissions and turn each notebook into plain Python cells."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

from autograder.errors import KitError
from autograder.inside.notebook import CELL_LABEL  # how the sandbox names cells

NBGRADER_FOLDERS = ("submitted", "autograded")  # nbgrader's <folder>/<student>/<assignment>/


@dataclass(frozen=True)
class Submission:
    """One student's notebook: where it is, and its code cells as plain Python."""

    student: str
    path: Path
    cells: tuple[str, ...] = ()  # the code cells grading runs, as plain Python
    numbers: tuple[int, ...] = ()  # their 1-based positions among the notebook's code cells
    problem: str | None = None  # why the notebook could not be read, in a student's terms

    def relabel(self, text: str) -> str:
        """Name cells in a traceback as the student counts them: ``<cell 3>`` (third cell
        run) becomes ``code cell 14`` (fourteenth code cell of the notebook)."""
        return CELL_LABEL.sub(lambda m: self.label(int(m[1])), text)

    def label(self, index: int) -> str:
        """The cell run at 1-based ``index``, as the student counts code cells."""
        if 1 <= index <= len(self.numbers):
            return f"code cell {self.numbers[index - 1]}"
        return f"cell {index}"


def runs_when_grading(cell: dict) -> bool:
    """Whether grading runs this code cell: everything except locked given cells that
    define nothing the checks need (visible checks, training demos, plots, test cells).

    Answer cells, cells tagged ``module`` and cells without nbgrader metadata (a
    student's own, or a notebook whose metadata was lost) always run.
    """
    meta = cell.get("metadata", {})
    nbgrader = meta.get("nbgrader") or {}
    if not nbgrader.get("locked") or nbgrader.get("solution"):
        return True
    return "module" in (meta.get("tags") or [])


def find_submissions(paths: list[Path]) -> list[tuple[str, Path]]:
    """``(student, notebook)`` pairs from notebooks, folders or an nbgrader ``submitted/``.

    In nbgrader layout (``submitted/<student>/<assignment>/*.ipynb``) the student is the
    ``<student>`` folder, whichever folder of that layout (or notebook in it) a path
    names; otherwise it is the first folder under the given one, or the file stem.
    """
    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_file():
            found.append((nbgrader_student(path) or path.stem, path))
        elif path.is_dir():
            found.extend(_in_folder(path))
        else:
            raise KitError(f"{path}: no such notebook or folder")
    students = [student for student, _ in found]
    dupes = sorted({s for s in students if students.count(s) > 1})
    if dupes:
        raise KitError(f"two notebooks for the same student: {', '.join(dupes)}")
    return sorted(found)


def nbgrader_student(notebook: Path) -> str | None:
    """``<student>`` when ``notebook`` is ``.../submitted/<student>/<assignment>/x.ipynb``
    (or in nbgrader's ``autograded/``), else None."""
    parts = notebook.absolute().parts
    if len(parts) >= 4 and parts[-4] in NBGRADER_FOLDERS:
        return parts[-3]
    return None


def _in_folder(folder: Path) -> list[tuple[str, Path]]:
    direct = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if direct:
        return [(nbgrader_student(p) or p.stem, p) for p in direct]
    nested = sorted(
        p
        for pattern in ("*/*.ipynb", "*/*/*.ipynb")
        for p in folder.glob(pattern)
        if ".ipynb_checkpoints" not in p.parts and p.is_file()
    )
    if not nested:
        raise KitError(
            f"{folder}: no notebooks found (expected *.ipynb or <student>/<assignment>/*.ipynb)"
        )
    return [(nbgrader_student(p) or p.relative_to(folder).parts[0], p) for p in nested]


TRANSFORMER = TransformerManager()


def to_python(source: str) -> str:
    """Translate IPython syntax (``%magic``, ``!cmd``) into plain Python calls."""
    return TRANSFORMER.transform_cell(source)


def read_cells(text: str) -> list:
    """The cells of a notebook's JSON text (v4 read directly: nbformat's schema
    validation would cost more than grading; older formats go through nbformat)."""
    nb = json.loads(text)
    if not isinstance(nb, dict) or "nbformat" not in nb:
        raise ValueError("the file holds JSON, but not a notebook")
    if nb.get("nbformat") != 4:
        import nbformat  # only old formats need it; importing it costs 0.9 s

        return nbformat.reads(text, as_version=4).cells
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise ValueError("the file holds JSON, but no notebook cells")
    return cells


def cell_source(cell: dict) -> str:
    """A cell's source, which the notebook format stores as a string or a list of lines."""
    source = cell.get("source", "")
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def load_submission(student: str, path: Path) -> Submission:
    """Read a notebook; an unreadable one becomes a ``Submission`` with a ``problem``."""
    try:
        cells = read_cells(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        return Submission(student, path, problem=f"the file could not be read ({err})")
    except json.JSONDecodeError:
        return Submission(
            student, path, problem="the file is not valid JSON, so it is not a notebook"
        )
    except Exception as err:  # nbformat raises many types for malformed old notebooks
        return Submission(student, path, problem=f"the file is not a Jupyter notebook ({err})")
    code = [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    numbers = tuple(n for n, cell in enumerate(code, start=1) if runs_when_grading(cell))
    try:
        sources = tuple(to_python(cell_source(code[n - 1])) for n in numbers)
        return Submission(student, path, sources, numbers)
    except Exception as err:  # IPython's transformer on garbage input
        return Submission(student, path, problem=f"a code cell could not be read ({err})")
