"""nbgrader preprocessors the kit adds to ``generate_assignment`` (see course_config.py)."""

from __future__ import annotations

import re

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_solution

BARE_STUB = re.compile(r"^(?P<indent>\s*)raise NotImplementedError\(\)\s*$")
DEFINITION = re.compile(r"^(?P<indent>\s*)(?P<kind>def|class)\s+(?P<name>\w+)")


def enclosing_name(lines: list[str], index: int) -> str | None:
    """The qualified name (``Class.method`` or ``function``) around ``lines[index]``."""
    names: list[str] = []
    limit = len(lines[index]) - len(lines[index].lstrip())
    for line in reversed(lines[:index]):
        match = DEFINITION.match(line)
        if match and len(match["indent"]) < limit:
            names.insert(0, match["name"])
            limit = len(match["indent"])
    return ".".join(names) or None


def name_stub(name: str | None) -> str:
    """The message a student sees when running code that reaches an empty stub."""
    what = name or "This part"
    return f'raise NotImplementedError("{what} is not implemented yet (see the TODO above)")'


class NameStubs(NbGraderPreprocessor):
    """Make every ``raise NotImplementedError()`` stub name the function to implement.

    Runs right after nbgrader's ``ClearSolutions``, before checksums are computed.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):  # noqa: ARG002
        if cell.cell_type == "code" and is_solution(cell):
            lines = cell.source.split("\n")
            for i, line in enumerate(lines):
                match = BARE_STUB.match(line)
                if match:
                    lines[i] = match["indent"] + name_stub(enclosing_name(lines, i))
            cell.source = "\n".join(lines)
        return cell, resources
