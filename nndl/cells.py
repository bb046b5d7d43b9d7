"""What a cell of a course notebook is: the one place that decides it.

nbgrader's metadata gives every code cell of an assignment one role:

- ``imports``: the cell whose grade_id is "imports" (the notebook's imports, given);
- ``answer``:  a solution cell (``is_solution``): the student writes it;
- ``test``:    a grade cell that is not a solution (``is_grade``): the instructor's test;
- ``given``:   a locked cell that is neither (``is_locked``): code the notebook gives,
  which nbgrader puts back as the instructor wrote it when it autogrades;
- ``free``:    any other code cell: the student may change it, and nbgrader runs it as
  the student left it.

A markdown cell has no role (None), except a written answer (a markdown solution cell).

The predicates follow ``nbgrader.utils`` (is_solution, is_grade, is_locked) exactly; a test
holds them to it on every cell of the course. They are written here rather than imported
because ``import nbgrader`` takes about a second (it loads its server extensions), and the
grading processes and the sandbox's preflight, which only need these few lines, would pay
it at every start. Unlike nbgrader's, they never raise on a malformed cell: a submission
is the student's file, and a cell without metadata, or with metadata that is not a
mapping, simply has no role.

Who uses which role: the grader (nndl.grader.program) runs answers in the sandbox, tests
in the trusted process, and the imports, given and free cells that answers and tests
need, always in the instructor's version; the reference (nndl.reference) takes
definitions from the imports, answer and given cells only: a free cell is the student's
to change, so nothing the reference defines may come from one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

IMPORTS = "imports"  # the grade_id of the cell of imports
ROLES = ("imports", "answer", "test", "given", "free")


def nbgrader_metadata(cell) -> Mapping:
    """The cell's nbgrader metadata, or an empty mapping when it has none (or a bad one)."""
    metadata = cell.get("metadata") if isinstance(cell, Mapping) else None
    meta = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    return meta if isinstance(meta, Mapping) else {}


def is_code(cell) -> bool:
    return isinstance(cell, Mapping) and cell.get("cell_type") == "code"


def grade_id(cell) -> str | None:
    """The cell's grade_id, when it is a non-empty string."""
    gid = nbgrader_metadata(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_solution(cell) -> bool:
    """nbgrader.utils.is_solution: a cell the student writes (code or markdown)."""
    return bool(nbgrader_metadata(cell).get("solution", False))


def is_grade(cell) -> bool:
    """nbgrader.utils.is_grade: a cell that carries points."""
    return bool(nbgrader_metadata(cell).get("grade", False))


def is_locked(cell) -> bool:
    """nbgrader.utils.is_locked: nbgrader puts the instructor's source back when grading."""
    meta = nbgrader_metadata(cell)
    if not meta or is_solution(cell):
        return False
    return is_grade(cell) or bool(meta.get("locked", False))


def points(cell) -> float:
    try:
        return float(nbgrader_metadata(cell).get("points", 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def role(cell) -> str | None:
    """One of ROLES for a code cell; None for any other cell."""
    if not is_code(cell):
        return None
    if grade_id(cell) == IMPORTS:
        return "imports"
    if is_solution(cell):
        return "answer"
    if is_grade(cell):
        return "test"
    if is_locked(cell):
        return "given"
    return "free"


def is_answer(cell) -> bool:
    """A code cell the student writes."""
    return role(cell) == "answer"


def is_test(cell) -> bool:
    """A code cell that earns points and that the student does not write."""
    return role(cell) == "test"


def strip_magics(source: str) -> str:
    """The cell's source with IPython magics and shell lines (%, !) blanked, line for line,
    so that it parses as Python and its line numbers stay those of the notebook."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"  # nbgrader's delimiters


def visible_test_code(source: str) -> str:
    """A test cell's code as students see it: magics and the lines from ``### BEGIN HIDDEN
    TESTS`` to ``### END HIDDEN TESTS`` blanked (as nbgrader's ClearHiddenTests finds them,
    anywhere in a line), line for line, so that line numbers stay the notebook's."""
    lines, hidden = [], False
    for line in strip_magics(source).splitlines():
        if BEGIN_HIDDEN in line:
            hidden = True
        lines.append("" if hidden else line)
        if END_HIDDEN in line:
            hidden = False
    return "\n".join(lines)


def answers(cells: Iterable) -> dict[str, str]:
    """grade_id -> source of the answer cells (the first code cell of an id wins)."""
    found: dict[str, str] = {}
    for cell in cells:
        gid = grade_id(cell)
        if gid and is_answer(cell):
            source = cell.get("source", "")
            found.setdefault(gid, source if isinstance(source, str) else "")
    return found


def has_answers(cells: Iterable) -> bool:
    """Does the notebook hold any answer cell (code or words)?"""
    return any(is_solution(cell) for cell in cells)


def duplicated_grade_ids(cells: Iterable) -> list[str]:
    """grade_ids that more than one cell carries (any cell type)."""
    seen: dict[str, int] = {}
    for cell in cells:
        gid = grade_id(cell)
        if gid:
            seen[gid] = seen.get(gid, 0) + 1
    return sorted(g for g, n in seen.items() if n > 1)
