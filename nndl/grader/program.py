"""What of an assignment runs where: its cells, their names, and the setup tests need.

The grader never executes a notebook as the student sent it. From the instructor's source
notebook it takes the test cells (run in the trusted process) and the read-only cells;
from the submission it takes only the answer cells, matched by grade_id. The sandbox runs
the imports cell, the read-only cells that answers and tests depend on, and the answers;
training and plotting cells that no test needs are skipped.
"""

from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nndl import cells as roles
from nndl.cells import strip_magics

STUB = "raise NotImplementedError()"


@dataclass(frozen=True)
class Cell:
    index: int
    kind: str  # "imports", "answer", "test", "setup" (a given or free cell: see nndl.cells)
    grade_id: str | None
    source: str
    points: float = 0.0


@dataclass
class Program:
    """The grading plan of one assignment notebook."""

    assignment: str
    notebook: str  # file name, e.g. logistic_regression.ipynb
    cells: list[Cell]
    functions: set[str] = field(default_factory=set)  # defined by answer cells (def)
    variables: set[str] = field(default_factory=set)  # assigned by answer cells

    @property
    def tests(self) -> list[Cell]:
        return [c for c in self.cells if c.kind == "test"]

    @property
    def answers(self) -> list[Cell]:
        return [c for c in self.cells if c.kind == "answer"]

    def sandbox_cells(self, answers: dict[str, str]) -> list[Cell]:
        """Cells the sandbox runs, with the student's answers (missing answer: the stub)."""
        return [Cell(c.index, c.kind, c.grade_id, answers.get(c.grade_id, STUB))
                if c.kind == "answer" else c for c in self.cells if c.kind != "test"]

    def reference_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.kind != "test"]

    def given_modules(self) -> list[str]:
        """Modules the instructor's cells of the sandbox import (a zygote preloads them)."""
        modules = set()
        for cell in self.cells:
            if cell.kind in ("imports", "setup"):
                modules |= imported_modules(cell.source)
        return sorted(modules)


class _TopLevelLoads(ast.NodeVisitor):
    """Names a statement loads in the cell's own scope (not inside functions it defines)."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.names.add(node.id)

    def visit_FunctionDef(self, node):  # only what runs at definition time
        for item in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if item is not None:
                self.visit(item)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        for item in [*node.args.defaults, *node.args.kw_defaults]:
            if item is not None:
                self.visit(item)

    def visit_comprehension_scope(self, node):  # the first iterable runs in the cell's scope;
        self.visit(node.generators[0].iter)     # the rest's global reads come from symtable

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = \
        visit_comprehension_scope

    def visit_ClassDef(self, node):  # its body's global reads come from symtable
        for item in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(item)


_BINDS = (ast.Assign, ast.AnnAssign, ast.Import, ast.ImportFrom, ast.FunctionDef,
          ast.AsyncFunctionDef, ast.ClassDef)


def global_reads(source: str) -> set[str]:
    """Names a cell reads from the notebook's namespace (at top level or in its functions).

    A name the cell itself binds, by a top-level assignment, import or def, before any
    read of it (``d = model(...)`` then ``d["w"]``) is not read from the notebook. A
    binding inside if, for, with or try does not count: it may not happen.
    """
    try:
        text = strip_magics(source)
        tree = ast.parse(text)
        top = symtable.symtable(text, "<cell>", "exec")
    except SyntaxError:
        return set()
    names, bound = set(), set()
    for statement in tree.body:
        loads = _TopLevelLoads()
        loads.visit(statement)
        names |= loads.names - bound
        if isinstance(statement, _BINDS) and not (isinstance(statement, ast.AnnAssign)
                                                  and statement.value is None):
            bound |= set.union(*definitions(ast.unparse(statement)))
    stack = list(top.get_children())
    while stack:
        table = stack.pop()
        # a free name is bound in an enclosing function, not read from the notebook
        names.update(s.get_name() for s in table.get_symbols()
                     if s.is_referenced() and s.is_global())
        stack.extend(table.get_children())
    return names


def imported_modules(source: str) -> set[str]:
    """Absolute module names a cell's import statements name (and their parents)."""
    try:
        tree = ast.parse(strip_magics(source))
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            # "from package import module" imports a submodule; a name that is not one
            # fails to import in the zygote, harmlessly
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if alias.name != "*")
    return {part for name in found
            for part in (".".join(name.split(".")[:i + 1]) for i in range(name.count(".") + 1))}


def definitions(source: str) -> tuple[set[str], set[str]]:
    """(functions, other names) a cell binds at top level."""
    try:
        tree = ast.parse(strip_magics(source))
    except SyntaxError:
        return set(), set()
    functions, names = set(), set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            functions.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
    return functions, names - functions


def load_program(source_notebook: Path, assignment: str) -> Program:
    nb = nbformat.read(source_notebook, as_version=4)
    raw: list[Cell] = []
    for index, cell in enumerate(nb.cells):
        role = roles.role(cell)
        if role is None:
            continue
        # The instructor's given and free cells both set up what answers and tests need;
        # the sandbox runs the source notebook's version of each, never the student's.
        kind = "setup" if role in ("given", "free") else role
        raw.append(Cell(index, kind, roles.grade_id(cell), cell.source, roles.points(cell)))

    functions, variables = set(), set()
    for cell in raw:
        if cell.kind == "answer":
            f, v = definitions(cell.source)
            functions |= f
            variables |= v

    # Keep the setup cells that answers or tests depend on, transitively.
    needed: set[str] = set()
    for cell in raw:
        if cell.kind in ("answer", "test"):
            needed |= global_reads(cell.source)
    keep = {c.index for c in raw if c.kind != "setup"}
    changed = True
    while changed:
        changed = False
        for cell in raw:
            if cell.kind == "setup" and cell.index not in keep:
                f, v = definitions(cell.source)
                if (f | v) & needed:
                    keep.add(cell.index)
                    needed |= global_reads(cell.source)
                    changed = True
    cells = [c for c in raw if c.index in keep]
    return Program(assignment, source_notebook.name, cells, functions, variables)


def student_answers(nb: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> source of the submission's answer cells (first one wins on duplicates)."""
    return roles.answers(nb.cells)
