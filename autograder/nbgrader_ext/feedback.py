"""A generate_feedback step: feedback shows results and messages, never hidden tests."""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from nbgrader.utils import is_grade


class ScrubTestCells(NbGraderPreprocessor):
    """In every test cell, drop the hidden region and shorten tracebacks to their last line.

    A traceback of a hidden part would quote its code; the last line keeps the message.
    Runs after ``GetGrades`` (scores are read from the outputs first).
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type != "code" or not is_grade(cell):
            return cell, resources
        ClearHiddenTests(parent=self)._remove_hidden_test_region(cell)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
