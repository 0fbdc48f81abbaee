"""A generate_feedback step: feedback shows results and messages, never hidden tests."""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade
from traitlets import List

from autograder.build.markup import without_region


class ScrubTestCells(ClearHiddenTests):
    """In every test cell, drop the hidden region and shorten tracebacks to their last line.

    A traceback of a hidden part would quote its code; the last line keeps the message.
    Runs after ``GetGrades`` (scores are read from the outputs first). It is a
    ``ClearHiddenTests`` so that it reads the same configured delimiters and raises on
    unbalanced markers.
    """

    # nbconvert's HTML exporter configures NbConvertBase.display_data_priority; nbgrader's
    # base preprocessor redeclares the trait without config=True, so every nbgrader step
    # instantiated under that exporter warns "not recognized" unless it accepts it.
    # (It only accepts the value: this step renders nothing.)
    display_data_priority: List = List().tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type != "code" or not is_grade(cell):
            return cell, resources
        cell.source = without_region(
            cell.source, self.begin_test_delimeter, self.end_test_delimeter, f"cell {index + 1}"
        )
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
