"""nbgrader preprocessors the course adds to feedback generation."""

from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


class ScrubTestTracebacks(NbGraderPreprocessor):
    """Reduce the error of a failed test cell to its message.

    A traceback through a test cell quotes the lines around the failure, hidden tests
    included, and ClearHiddenTests only clears the cell's source. The message written by
    nndl.checks says what to fix; the student's own frames stay in their answer cells.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
