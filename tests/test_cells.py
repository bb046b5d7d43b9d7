"""Cell roles: decided in nndl.cells only, exactly as nbgrader decides them."""

from __future__ import annotations

import itertools

import nbformat
import pytest
from harness import ROOT
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader import utils

from nndl import cells
from nndl.grader.program import load_program, student_answers

NOTEBOOKS = sorted([*ROOT.glob("source/*/*.ipynb"), *ROOT.glob("release/*/*.ipynb")])


def crafted():
    """Every combination of the flags, on code and markdown cells."""
    for kind, solution, grade, locked in itertools.product(
            (new_code_cell, new_markdown_cell), (None, False, True), (None, False, True),
            (None, False, True)):
        meta = {k: v for k, v in (("solution", solution), ("grade", grade),
                                  ("locked", locked)) if v is not None}
        yield kind("x = 1", metadata={"nbgrader": {**meta, "grade_id": "g", "points": 1}})
    yield new_code_cell("x = 1")


def test_predicates_agree_with_nbgrader():
    """On every cell of the course, and every combination of the flags."""
    every = [*crafted(), *(c for p in NOTEBOOKS for c in nbformat.read(p, as_version=4).cells)]
    for cell in every:
        for name in ("is_solution", "is_grade", "is_locked"):
            assert bool(getattr(cells, name)(cell)) == bool(getattr(utils, name)(cell)), \
                (name, cell)


def test_each_code_cell_has_exactly_one_role():
    seen = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            role = cells.role(cell)
            assert (role is None) == (cell.cell_type != "code")
            seen.add(role)
    assert seen == {None, *cells.ROLES}


@pytest.mark.parametrize("cell", [{}, {"cell_type": "code"}, {"cell_type": "code", "metadata": 3},
                                  {"cell_type": "code", "metadata": {"nbgrader": [1]}},
                                  {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": 7,
                                                                                  "solution": 1}}},
                                  "not a cell"])
def test_a_malformed_cell_never_raises(cell):
    assert cells.grade_id(cell) is None
    assert cells.answers([cell]) == {}
    assert cells.role(cell) in (None, "answer", "free")


def test_answers_first_code_cell_wins_and_markdown_is_not_code():
    meta = {"nbgrader": {"grade_id": "a", "solution": True}}
    nb = new_notebook(cells=[new_markdown_cell("words", metadata=meta),
                             new_code_cell("first", metadata=meta),
                             new_code_cell("second", metadata=meta)])
    assert cells.answers(nb.cells) == student_answers(nb) == {"a": "first"}
    assert cells.duplicated_grade_ids(nb.cells) == ["a"]
    assert cells.has_answers(nb.cells)


def test_strip_magics_keeps_line_numbers():
    assert cells.strip_magics("%matplotlib inline\nx = 1\n  !ls") == "\nx = 1\n"


def test_grader_and_reference_take_the_roles_they_document():
    """The grader's setup cells are given or free cells; the reference reads no free cell."""
    from nndl import reference

    for path in sorted(ROOT.glob("source/*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        program = load_program(path, path.parent.name)
        for cell in program.cells:
            role = cells.role(nb.cells[cell.index])
            assert cell.kind == ("setup" if role in ("given", "free") else role)
        text = reference.reference_source(path)
        for cell in nb.cells:
            if cells.role(cell) == "free":
                for line in cells.strip_magics(cell.source).splitlines():
                    if line.startswith("def "):
                        assert line not in text.splitlines(), (path.name, line)


def test_the_package_lists_every_module():
    import re

    import nndl

    package = ROOT / "nndl"
    for path in package.glob("*.py"):
        if path.stem != "__init__":
            assert f"- nndl.{path.stem}:" in nndl.__doc__, f"nndl/__init__.py lacks {path.stem}"
    (listed,) = re.findall(r"- nndl\.grader: [^(]*\(([^)]*)\)", nndl.__doc__)
    listed = {name.strip() for name in listed.split(",")}
    assert listed == {p.stem for p in package.glob("grader/*.py")} - {"__init__"}
