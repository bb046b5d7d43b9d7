"""The "Expected output" cells of the source notebooks, generated from the reference.

After the test cell of every graded function, a markdown cell shows what the visible
check's call(s) of that function return when the function is the reference solution, so
a student can compare a result cell by cell. The cell is never typed by hand: it carries
the metadata ``{"nndl": {"expected_output": "<function>"}}`` and ``nndl release``
rewrites its text (``regenerate``) before nbgrader copies source/ into release/, so
source, release and the reference cannot drift apart (a test holds the committed
notebooks to it).

How the calls are found: the visible part of every test cell (everything before
``### BEGIN HIDDEN TESTS``) that builds a ``checks.Function`` runs, in notebook order, in
one namespace holding the reference's definitions (``nndl.reference.load``), with a
``checks`` whose ``Function.call`` records its arguments and result. The test cell
``test_<f>`` of a graded function ``f`` gets the calls of ``f`` that it made, each once.
Floats are printed with 8 significant digits (``DIGITS``): the inputs are tiny, so the
results do not depend on the BLAS beyond that.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import types
from pathlib import Path

import nbformat
import numpy as np

from . import cells, checks
from .course import CourseError, notebooks

DIGITS = 8
METADATA_KEY = "expected_output"
HEADING = "**Expected output** of the check above, with a correct solution"


# ---------------------------------------------------------------------------- rendering
def _float(x) -> str:
    text = f"{float(x) + 0.0:.{DIGITS}g}"  # + 0.0: -0.0 prints as 0
    return text if any(c in text for c in ".en") else text + ".0"  # 2.0, not 2


def format_array(a: np.ndarray, column: int = 0) -> str:
    """array([...]) with DIGITS significant digits; later lines aligned for a first line
    that starts at column. A 0-d array prints as its number (the checks accept both)."""
    a = np.asarray(a)
    if a.ndim == 0:
        return format_value(a.item())
    kind = {"float_kind": _float} if a.dtype.kind == "f" else None
    body = np.array2string(a, separator=", ", formatter=kind, prefix=" " * column + "array(",
                           max_line_width=88, threshold=200)
    return f"array({body})"


def _nested(value) -> bool:
    return isinstance(value, np.ndarray | dict | list | tuple) and not (
        isinstance(value, np.ndarray) and value.ndim <= 1 and value.size <= 6)


def format_value(value, prefix: str = "", indent: str = "") -> str:
    """A value as a student would write it, arrays and floats rounded to DIGITS digits.

    prefix is the text before the value on its line, indent the indent of that line:
    an array's later lines align under its first, a dict's or a tuple's items go one
    level deeper than the line.
    """
    if isinstance(value, np.ndarray):
        return format_array(value, len(prefix))
    if isinstance(value, bool | np.bool_):
        return repr(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _float(value)
    if isinstance(value, dict | list | tuple):
        opening, closing = {dict: "{}", list: "[]", tuple: "()"}[
            next(t for t in (dict, list, tuple) if isinstance(value, t))]
        items = list(value.items()) if isinstance(value, dict) else list(value)
        if not items:
            return opening + closing
        if isinstance(value, dict) or any(_nested(v) for v in items):
            inner = indent + "    "
            lines = [opening]
            for item in items:
                head = inner + (f"{item[0]!r}: " if isinstance(value, dict) else "")
                item_value = item[1] if isinstance(value, dict) else item
                lines.append(head + format_value(item_value, head, inner) + ",")
            return "\n".join(lines + [indent + closing])
        text = ", ".join(format_value(v) for v in items)
        if isinstance(value, tuple) and len(items) == 1:
            text += ","
        return opening + text + closing
    return repr(value)


def describe_argument(value) -> str:
    """An argument in a few characters: small vectors by value, the rest by shape."""
    if isinstance(value, np.ndarray):
        return format_array(value) if not _nested(value) else f"<{value.shape} array>"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_argument(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple) and any(_nested(v) for v in value):
        return f"<{type(value).__name__} of {len(value)}>"
    return format_value(value)


def format_call(function, args: tuple, kwargs: dict, result, names: str | None) -> str:
    """One recorded call and what it returned, as the text of a code block."""
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
        shown = [f"{k}={describe_argument(v)}" for k, v in bound.arguments.items()]
    except (TypeError, ValueError):
        shown = [describe_argument(v) for v in args]
        shown += [f"{k}={describe_argument(v)}" for k, v in kwargs.items()]
    lines = [f"{function.__name__}({', '.join(shown)})"]
    parts = [n.strip() for n in names.split(",")] if names else []
    if isinstance(result, tuple) and len(parts) == len(result) > 1:
        for name, value in zip(parts, result, strict=True):
            lines.append(f"{name} = " + format_value(value, f"{name} = "))
    else:
        lines.append("returns " + format_value(result, "returns "))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- recording
class _Recorded:
    def __init__(self, name, function, args, kwargs, result):
        self.name, self.function = name, function
        self.args, self.kwargs, self.result = args, kwargs, result
        self.names: str | None = None
        self.original = None  # the object the caller got, to recognise it in expect_tuple


def _recording_checks(log: list[_Recorded]) -> types.ModuleType:
    """A copy of nndl.checks whose Function records every call and the names of tuples."""
    shadow = types.ModuleType("checks")
    shadow.__dict__.update({k: v for k, v in vars(checks).items() if not k.startswith("__")})

    class Function(checks.Function):
        def call(self, *args, **kwargs):
            import copy
            saved = copy.deepcopy((args, kwargs))  # as they were before the call
            result = super().call(*args, **kwargs)
            log.append(_Recorded(self.name, self.func, *saved, copy.deepcopy(result)))
            log[-1].original = result
            return result

        def expect_tuple(self, value, n, names, *a, **kw):
            for item in reversed(log):
                if item.name == self.name and item.original is value:
                    item.names = item.names or names
                    break
            return super().expect_tuple(value, n, names, *a, **kw)

    shadow.Function = Function
    return shadow


def _builds_a_check(source: str) -> bool:
    try:
        tree = ast.parse(cells.strip_magics(source))
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Attribute) and node.attr == "Function"
               and isinstance(node.value, ast.Name) and node.value.id == "checks"
               for node in ast.walk(tree))


def graded_functions(nb) -> set[str]:
    """grade_ids of the answer cells that define a function of that name."""
    found = set()
    for cell in nb.cells:
        gid = cells.grade_id(cell)
        if gid and cells.is_answer(cell) and f"def {gid}(" in cell.source:
            found.add(gid)
    return found


def expected_outputs(nb, reference: types.ModuleType, where: str = "") -> dict[str, str]:
    """{graded function: markdown text of its expected-output cell} for one notebook."""
    graded = graded_functions(nb)
    log: list[_Recorded] = []
    namespace = {k: v for k, v in vars(reference).items() if not k.startswith("__")}
    namespace["__name__"] = "__main__"
    namespace["checks"] = _recording_checks(log)
    texts: dict[str, str] = {}
    state = np.random.get_state()
    try:
        np.random.seed(0)  # a test cell that reads the random stream sees the same one
        for index, cell in enumerate(nb.cells):
            if not cells.is_test(cell) or not _builds_a_check(cell.source):
                continue
            start = len(log)
            code = cells.visible_test_code(cell.source)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(code, f"<{where} cell {index}>", "exec"), namespace)  # noqa: S102
            except Exception as exc:
                raise CourseError(f"{where}: the visible check of cell {index} fails on the "
                                  f"reference: {type(exc).__name__}: {exc}") from exc
            gid = cells.grade_id(cell) or ""
            function = gid.removeprefix("test_")
            if function not in graded:
                continue
            blocks: list[str] = []
            for item in log[start:]:
                if item.name != function:
                    continue
                block = format_call(item.function, item.args, item.kwargs, item.result,
                                    item.names)
                if block not in blocks:
                    blocks.append(block)
            if blocks:
                texts[function] = cell_text(blocks)
    finally:
        np.random.set_state(state)
    return texts


def cell_text(blocks: list[str]) -> str:
    return (f"{HEADING} (numbers to {DIGITS} significant digits; written by `nndl release` "
            "from the reference solution):\n\n```text\n" + "\n\n".join(blocks) + "\n```")


# ---------------------------------------------------------------------------- notebooks
def marked(cell) -> str | None:
    """The function whose expected output a cell holds; None for any other cell."""
    meta = cell.get("metadata", {}).get("nndl", {})
    return meta.get(METADATA_KEY) if isinstance(meta, dict) else None


def new_cell(function: str, text: str):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = f"expected-output-{function}"[:64].replace("_", "-")
    cell.metadata = {"nndl": {METADATA_KEY: function}}
    return cell


def apply(nb, texts: dict[str, str]) -> bool:
    """Put texts into nb: update marked cells, add missing ones after their test cell,
    drop those of functions with no block. Returns True when nb changed."""
    changed = False
    for cell in list(nb.cells):
        function = marked(cell)
        if function is None:
            continue
        if function not in texts:
            nb.cells.remove(cell)
            changed = True
        elif cell.source != texts[function]:
            cell.source = texts[function]
            changed = True
    present = {marked(c) for c in nb.cells}
    for function, text in texts.items():
        if function in present:
            continue
        index = next(i for i, c in enumerate(nb.cells)
                     if cells.is_test(c) and cells.grade_id(c) == f"test_{function}")
        nb.cells.insert(index + 1, new_cell(function, text))
        changed = True
    return changed


def regenerate(root: Path, assignment: str, *, write: bool = True) -> list[Path]:
    """Rewrite the expected-output cells of source/<assignment>/; return the notebooks
    that changed (with write=False, those that would change)."""
    from . import reference

    changed = []
    for path in notebooks(root, assignment, "source"):
        nb = nbformat.read(path, as_version=4)
        if not graded_functions(nb) and not any(marked(c) for c in nb.cells):
            continue
        texts = expected_outputs(nb, reference.load(assignment, root),
                                 f"{assignment}/{path.name}")
        fresh = nbformat.read(path, as_version=4)  # others may have written it meanwhile
        if apply(fresh, texts):
            changed.append(path)
            if write:
                path.write_text(nbformat.writes(fresh) + "\n", encoding="utf-8")
    return changed
