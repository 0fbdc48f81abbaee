"""Where the kit's files live, derived from the repository root."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def source_notebook(assignment: str, root: Path = REPO_ROOT) -> Path:
    """The master notebook of ``assignment``."""
    return root / "source" / assignment / f"{assignment}.ipynb"


def solutions_dir(assignment: str, root: Path = REPO_ROOT) -> Path:
    """The folder of the instructor's solution module and executed notebook."""
    return root / "solutions" / assignment


def checks_dir(assignment: str, root: Path = REPO_ROOT) -> Path:
    """The folder of the hidden pytest checks of ``assignment``."""
    return root / "autograder" / assignment


def samples_dir(assignment: str, root: Path = REPO_ROOT) -> Path:
    """The folder of the bundled sample submissions of ``assignment``."""
    return root / "samples" / assignment
