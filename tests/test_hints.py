"""The hint above each solution block of a graded function: how many lines, which functions.

Every ``### BEGIN SOLUTION`` of a graded function's cell has, on the line before it, a
comment that nbgrader's stub keeps (``# About 5 lines. Useful: np.dot, np.log.``). These
tests hold the hints to the reference solution, so that they cannot drift: the number of
lines is within 1 (or 30 %) of the solution's statements, every name it lists appears in
the solution, and it names functions without giving code.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from nndl import cells, expected

ROOT = Path(__file__).resolve().parents[1]
GRADED = ["week2_numpy_basics", "week2_logistic_regression", "week3_planar_classification",
          "week4_deep_nn_step_by_step", "week4_deep_nn_application"]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HINT = re.compile(r"# (?:About (?P<n>\d+) lines|(?P<one>1) line)\.(?: Useful: (?P<useful>.+)\.)?")
NAME = re.compile(r"\.?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def solution_blocks(source: str) -> list[tuple[str, str]]:
    """(the line before the block, the block's code) for each solution block of a cell."""
    lines = source.split("\n")
    blocks, start = [], None
    for i, line in enumerate(lines):
        if line.strip() == BEGIN:
            start = i
        elif line.strip() == END and start is not None:
            blocks.append((lines[start - 1] if start else "", "\n".join(lines[start + 1:i])))
            start = None
    return blocks


def statements(code: str) -> int:
    """The statements a block runs, nested ones included; comments and blank lines are
    not counted, nor a shortcut branch that ends in `continue` (the reference's own
    optimisation in L_model_backward, which a student does not write)."""
    tree = ast.parse(textwrap.dedent(code))

    def count(nodes) -> int:
        total = 0
        for node in nodes:
            if isinstance(node, ast.If) and node.body and isinstance(node.body[-1], ast.Continue):
                continue
            total += 1
            for field in ("body", "orelse", "finalbody", "handlers"):
                total += count(getattr(node, field, []))
        return total

    return count(tree.body)


def hint_problems(hint_line: str, code: str) -> list[str]:
    """What is wrong with one hint for one block of solution code (empty: nothing)."""
    match = HINT.fullmatch(hint_line.strip())
    if not match:
        return [f"no hint line before the solution block (found {hint_line.strip()!r})"]
    problems = []
    said = int(match["n"] or match["one"])
    real = statements(code)
    if abs(said - real) > max(1, 0.3 * real):
        problems.append(f"the hint says {said} lines, the solution has {real} statements")
    for item in (match["useful"] or "").split(", ") if match["useful"] else []:
        if not NAME.fullmatch(item):
            problems.append(f"{item!r} is not a bare name: a hint names functions, not code")
        elif not re.search(r"(?<![\w.])" + re.escape(item) + r"\b"
                           if not item.startswith(".") else re.escape(item) + r"\b", code):
            problems.append(f"the hint names {item}, which the solution does not use")
    return problems


def graded_cells(kind: str, assignment: str):
    for path in sorted((ROOT / kind / assignment).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        graded = expected.graded_functions(nbformat.read(
            ROOT / "source" / assignment / path.name, as_version=4))
        for cell in nb.cells:
            if cells.is_answer(cell) and cells.grade_id(cell) in graded:
                yield path, cell


def test_the_checker_catches_wrong_counts_unused_names_and_code():
    code = "    A = sigmoid(np.dot(w.T, X) + b)\n    # a comment\n\n    cost = np.sum(A)"
    assert hint_problems("    # About 2 lines. Useful: np.dot, sigmoid, .T.", code) == []
    assert hint_problems("# 1 line.", "x = 1") == []
    assert "says 5 lines" in hint_problems("# About 5 lines.", code)[0]
    assert "does not use" in hint_problems("# About 2 lines. Useful: np.log.", code)[0]
    assert "does not use" in hint_problems("# About 2 lines. Useful: dot.", code)[0]
    assert "not a bare name" in hint_problems("# About 2 lines. Useful: np.dot(w.T, X).", code)[0]
    assert "no hint line" in hint_problems("# YOUR CODE HERE", code)[0]
    shortcut = "for i in x:\n    if i == 0:\n        y = 1\n        continue\n    z = 2"
    assert statements(shortcut) == 2


@pytest.mark.parametrize("assignment", GRADED)
def test_every_solution_block_of_a_graded_function_has_a_true_hint(assignment):
    problems, blocks = [], 0
    for path, cell in graded_cells("source", assignment):
        for hint_line, code in solution_blocks(cell.source):
            blocks += 1
            problems += [f"{path.name} {cells.grade_id(cell)}: {p}"
                         for p in hint_problems(hint_line, code)]
    assert blocks, f"no graded solution block in {assignment}"
    assert problems == []


@pytest.mark.parametrize("assignment", GRADED)
def test_the_student_version_keeps_every_hint_above_its_stub(assignment):
    hints = {}
    for path, cell in graded_cells("source", assignment):
        hints[(path.name, cells.grade_id(cell))] = [h.strip() for h, _ in
                                                    solution_blocks(cell.source)]
    for path, cell in graded_cells("release", assignment):
        lines = [line.strip() for line in cell.source.split("\n")]
        kept = [lines[i - 1] for i, line in enumerate(lines) if line == "# YOUR CODE HERE"]
        assert kept == hints.pop((path.name, cells.grade_id(cell))), cells.grade_id(cell)
    assert hints == {}, f"graded cells missing from release/: {sorted(hints)}"
