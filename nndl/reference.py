"""Reference implementations, read from the solutions in the source notebooks.

The solution cells of ``source/<assignment>/*.ipynb`` are the one place where a graded
function's reference implementation is written. Hidden tests, the validators and the
fidelity tests load it from there:

    ref = load("week2_logistic_regression")
    grads, cost = ref.propagate(w, b, X, Y)

Only imports and function and class definitions are taken from the notebook (from the
cell whose grade_id is "imports" and from every solution cell), so loading never runs the
notebook's data loading or training. The helper package that students install carries no
solution: this module only reads the instructor's source notebooks.
"""

from __future__ import annotations

import ast
import types
from pathlib import Path

import nbformat

from .course import CourseError, find_course_root, notebooks

_cache: dict[tuple, types.ModuleType] = {}
_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def reference_source(path: Path) -> str:
    """The imports and definitions of one source notebook, as Python source."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if not (meta.get("solution") or meta.get("grade_id") == "imports"):
            continue
        try:
            tree = ast.parse(_strip_magics(cell.source))
        except SyntaxError as exc:
            raise CourseError(f"{path}: cell {index} is not valid Python ({exc})") from exc
        kept = [node for node in tree.body if isinstance(node, _KEEP)]
        if kept:
            parts.append(ast.unparse(ast.Module(body=kept, type_ignores=[])))
    return "\n\n".join(parts) + "\n"


def load(assignment: str, course_dir: str | Path | None = None) -> types.ModuleType:
    """The reference functions of an assignment, as a module."""
    root = Path(course_dir) if course_dir else find_course_root()
    paths = notebooks(root, assignment, "source")
    key = (assignment, tuple((str(p), p.stat().st_mtime_ns) for p in paths))
    if key not in _cache:
        module = types.ModuleType(f"nndl_reference_{assignment}")
        module.__file__ = f"<reference {assignment}>"
        for path in paths:
            code = compile(reference_source(path), f"<reference {path.name}>", "exec")
            exec(code, module.__dict__)  # noqa: S102 - the instructor's own notebook
        _cache[key] = module
    return _cache[key]
