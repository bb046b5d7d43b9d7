"""One line instead of a traceback when a notebook runs into a stub that is not filled in yet.

The imports cell of each assignment calls `activate()`. In a Jupyter kernel (any IPython
shell) it registers a handler for two errors a student meets before filling in the stubs:

- NotImplementedError raised by a stub written in the notebook: "`model` is not written
  yet: fill in `model` (its answer cell above) first, run that cell, then this one";
- NameError at the top level of a cell, for a name an earlier cell failed to define:
  "`d` is not defined because `model` is not written yet: fill in `model` ... first".

Anything else (an error inside a library, a NameError inside the student's own function,
which is a typo to find) keeps IPython's full traceback. The error stays an error: the
cell still fails, with the same exception type and message, so nbgrader scores it as
before; only the traceback shown under the cell is shorter. Outside IPython (the grader's
sandbox, the reference loader, plain Python) `activate()` does nothing.

Given cells that train or draw call `require(...)` first, so that they stop at once,
naming the stub, instead of training for a minute or drawing empty axes.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import re
import sys
import types

from nndl.names import found_message, older_name_in

__all__ = ["NotWrittenYet", "activate", "require", "stub_in"]

_STUB_RAISE = "raise NotImplementedError"
# name -> what the student must fill in first for it to exist, learnt from failed cells
_missing_because: dict[str, str] = {}


class NotWrittenYet(Exception):
    """A cell needs a function the student has not written yet; IPython shows one line."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def _is_cell(filename: str) -> bool:
    """Is this code a notebook cell (IPython keeps cells in linecache without a file)?"""
    if filename.startswith("<ipython-input") or "/ipykernel_" in filename:
        return True
    entry = linecache.cache.get(filename)
    return entry is not None and len(entry) > 1 and entry[1] is None


def _frames(tb):
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def _own_function(value, namespace) -> bool:
    return (isinstance(value, types.FunctionType)
            and value.__globals__ is namespace and _is_cell(value.__code__.co_filename))


def stub_in(function, _seen=None) -> str | None:
    """The name of the first stub `function` is or calls (functions of the notebook only)."""
    if not isinstance(function, types.FunctionType):
        return None
    seen = set() if _seen is None else _seen
    if function.__code__ in seen:
        return None
    seen.add(function.__code__)
    code = function.__code__
    for name in code.co_names:  # the functions it calls first: the stub a run meets first
        value = function.__globals__.get(name)
        if value is not function and _own_function(value, function.__globals__):
            found = stub_in(value, seen)
            if found:
                return found
    if "NotImplementedError" in code.co_names:
        lines = linecache.getlines(code.co_filename)
        body = "".join(lines[code.co_firstlineno - 1:]) if lines else ""
        if not lines or _STUB_RAISE in body:
            return function.__name__
    return None


def require(*needed) -> None:
    """Stop the cell at once, in one line, when a function it needs is still a stub.

    Pass the functions (and values) the cell uses: `require(nn_model, predict)`. A value
    that is not defined yet raises NameError before the call, which the handler explains.
    """
    for value in needed:
        stub = stub_in(value)
        if stub:
            raise NotWrittenYet(f"`{stub}` is not written yet: fill in `{stub}` (its answer "
                                "cell above) first, run that cell, then this one")


def _bound_names(source: str) -> set[str]:
    """Names a cell binds at its top level (what later cells miss when it fails)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
    return names


def _answer_names(source: str, namespace) -> list[str]:
    """What an unfilled answer cell must define: `name = ...` in its comments, else the
    names it reads that nothing defines yet."""
    names = re.findall(r"#.*?\b([A-Za-z_]\w*)\s*=[^=]", source)
    if not names:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            tree = None
        for node in ast.walk(tree) if tree else ():
            if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                    and node.id not in namespace and not hasattr(builtins, node.id)
                    and node.id not in names and node.id != "NotImplementedError"):
                names.append(node.id)
    return names


def _explain(shell, etype, value, tb) -> str | None:
    """The one line for this error, or None to keep IPython's traceback."""
    frames = list(_frames(tb))
    while frames and not _is_cell(frames[0].f_code.co_filename):
        frames.pop(0)  # IPython's own frames come before the cell's
    if not frames:
        return None
    cell_source = "".join(linecache.getlines(frames[0].f_code.co_filename))
    last = frames[-1]
    if issubclass(etype, NotImplementedError):
        if not _is_cell(last.f_code.co_filename):
            return None  # raised by a library, not by a stub of the notebook
        name = last.f_code.co_name
        if name == "<module>":
            wanted = _answer_names(cell_source, shell.user_ns)
            defines = (" with code that defines " + ", ".join(f"`{n}`" for n in wanted)
                       if wanted else " with your code")
            root = ("the answer cell that defines " + ", ".join(f"`{n}`" for n in wanted)
                    if wanted else "an answer cell above")
            for missing in wanted:
                _missing_because[missing] = root
            return (f"NotImplementedError: this answer cell is not filled in yet: replace "
                    f"`raise NotImplementedError()`{defines}, then run it")
        cause = f"`{name}`"
        for missing in _bound_names(cell_source):
            _missing_because[missing] = cause
        return (f"NotImplementedError: {cause} is not written yet: fill in {cause} (its answer "
                "cell above) first, run that cell, then this one")
    if issubclass(etype, NameError) and len(frames) == 1:
        missing = getattr(value, "name", None)
        if missing is None:
            found = re.search(r"'(\w+)'", str(value))
            missing = found.group(1) if found else "?"
        older = older_name_in(missing, shell.user_ns)
        if older:  # defined under an older name of the course's (nndl.names)
            return f"NameError: name '{missing}' is not defined; {found_message(missing, older)}"
        cause = _missing_because.get(missing)
        for name in _bound_names(cell_source):
            if name not in shell.user_ns:
                _missing_because[name] = cause or f"`{missing}`"
        if cause and cause.startswith("the answer cell") and f"`{missing}`" in cause:
            return (f"NameError: `{missing}` is not defined yet: fill in the answer cell above "
                    f"that defines it (it still raises NotImplementedError), run it, then this "
                    "one")
        if cause and cause.startswith("`"):
            return (f"NameError: `{missing}` is not defined because {cause} is not written "
                    f"yet: fill in {cause} (its answer cell above) first, then run the cells "
                    "from there")
        if cause:
            return (f"NameError: `{missing}` is not defined because {cause} is not filled in "
                    "yet: fill it in first, then run the cells from there")
        return (f"NameError: `{missing}` is not defined yet: run the cells above this one "
                "first, from the top (the cell that defines it has not run or failed)")
    return None


def _handler(shell, etype, value, tb, tb_offset=None):
    try:
        line = _explain(shell, etype, value, tb)
    except Exception:  # never let the explanation hide the error itself
        line = None
    if line is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        stb = [line]
    # IPython leaves the display to the handler: an "error" output, as for any exception
    shell._showtraceback(etype, value, stb)


def activate() -> bool:
    """In an IPython kernel, explain unfilled stubs in one line; elsewhere do nothing.

    Returns True when the handler is active. Prints nothing.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    _missing_because.clear()
    shell.set_custom_exc((NotImplementedError, NameError), _handler)
    return True
