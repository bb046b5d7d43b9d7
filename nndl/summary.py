"""All the visible checks of a notebook at once, as one table (like nbgrader's Validate).

The last code cell of each graded notebook calls ``summary()``. It reads the notebook as
saved beside the kernel (the test cells are locked, so the saved copy holds the checks
the student sees), runs the visible part of every test cell in a copy of the kernel's
namespace, and prints one row per test cell:

    function                 points  result
    propagate                     3  passed
    optimize                      2  failing: dw is 209 times too large ... [missing_1_over_m]
    predict                       1  not written yet

It never runs hidden tests: a release notebook has none, and from a source notebook the
lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are dropped before
anything runs (as nbgrader drops them). It shows messages only, never a traceback or any
code. The notebook's own variables are not changed: each check runs in a copy of the
namespace, with its output captured and NumPy's global random state put back.

In the grader it is harmless: the cell is a free cell without points, which ``nndl grade``
never runs (no test reads a name it defines), and which ``nbgrader autograde`` runs like
any other cell, adding a table to the output and nothing to the score.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import nbformat

from . import cells

__all__ = ["Row", "find_notebook", "run_checks", "summary", "visible_source"]

_WIDTH = 100  # a message longer than this is cut, with "…"


class Row:
    """One test cell's result: what it checks, its points, its status and its message."""

    def __init__(self, name: str, points: float, status: str, message: str = "",
                 code: str | None = None):
        self.name, self.points, self.status = name, points, status
        self.message, self.code = message, code

    def __repr__(self):
        return f"Row({self.name!r}, {self.points!r}, {self.status!r}, {self.message!r})"

    def result(self) -> str:
        if self.status == "passed":
            return "passed"
        text = f"{self.status}: {self.message}" if self.message else self.status
        if self.code and self.code not in ("failed", "not_implemented"):
            text += f" [{self.code}]"
        return text


visible_source = cells.visible_test_code  # the test cell without its hidden tests


def _notebooks_with_tests(folder: Path) -> list[Path]:
    found = []
    for path in folder.glob("*.ipynb"):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - an unreadable notebook is not ours
            continue
        if any(cells.is_test(cell) for cell in nb.cells):
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def find_notebook(namespace: dict | None = None, folder: Path | None = None) -> Path | None:
    """The notebook the kernel runs: Jupyter's session path, else the newest graded one here."""
    folder = Path(folder or os.getcwd())
    for session in ((namespace or {}).get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        if isinstance(session, str) and session.endswith(".ipynb"):
            for candidate in (Path(session), folder / Path(session).name):
                if candidate.is_file():
                    return candidate
    found = _notebooks_with_tests(folder)
    return found[0] if found else None


def _one_line(text: str) -> str:
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= _WIDTH else line[:_WIDTH - 1].rstrip() + "…"


def _classify(exc: BaseException, name: str) -> Row:
    from .checks import CheckFailed

    code = getattr(exc, "code", None)
    if isinstance(exc, CheckFailed):
        if code == "not_implemented":
            return Row(name, 0, "not written yet", code=code)
        return Row(name, 0, "failing", _one_line(exc), code)
    if isinstance(exc, NotImplementedError):
        return Row(name, 0, "not written yet", code="not_implemented")
    if isinstance(exc, NameError):
        missing = getattr(exc, "name", None)
        if missing == name or missing is None:
            return Row(name, 0, "not defined yet", "run its answer cell")
        return Row(name, 0, "not defined yet", f"{missing} is not defined: run the cells above")
    if type(exc).__name__ == "NotWrittenYet":
        return Row(name, 0, "not written yet", _one_line(exc))
    return Row(name, 0, "failing", _one_line(f"{type(exc).__name__}: {exc}"), code)


def run_checks(nb, namespace: dict) -> list[Row]:
    """Run the visible part of every test cell of nb in a copy of namespace."""
    import numpy as np

    rows = []
    for index, cell in enumerate(nb.cells):
        if not cells.is_test(cell):
            continue
        gid = cells.grade_id(cell) or f"cell {index}"
        name = gid[len("test_"):] if gid.startswith("test_") else gid
        points = cells.points(cell)
        scope = dict(namespace)
        state = np.random.get_state()
        out = io.StringIO()
        try:
            code = compile(visible_source(cell.source), f"<check {gid}>", "exec")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                    _no_progress_bars():
                exec(code, scope)  # noqa: S102 - the notebook's own visible checks
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a row
            row = _classify(exc, name)
        else:
            row = Row(name, points, "passed")
        finally:
            np.random.set_state(state)
        row.points = points
        rows.append(row)
    return rows


@contextlib.contextmanager
def _no_progress_bars():
    """No bar or slow-run line from a training function a check calls: the table only."""
    from .progress import ENV

    saved = os.environ.get(ENV)
    os.environ[ENV] = "0"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = saved


def table(rows: list[Row]) -> str:
    width = max([len("function")] + [len(row.name) for row in rows])
    lines = [f"{'function':<{width}}  points  result"]
    for row in rows:
        lines.append(f"{row.name:<{width}}  {row.points:>6g}  {row.result()}")
    passed = [row for row in rows if row.status == "passed"]
    total = sum(row.points for row in rows)
    lines.append("")
    lines.append(f"{len(passed)} of {len(rows)} checks pass "
                 f"({sum(row.points for row in passed):g} of {total:g} points). "
                 "These are the visible checks only: the grader also runs hidden tests.")
    return "\n".join(lines)


def summary(notebook: str | os.PathLike | None = None) -> None:
    """Run every visible check of the notebook and print a table of the results."""
    namespace = _user_namespace()
    path = Path(notebook) if notebook else find_notebook(namespace)
    if path is None or not path.is_file():
        print(f"No graded notebook found in {os.getcwd()}: save the notebook, or name it: "
              "summary('name.ipynb')")
        return
    nb = nbformat.read(path, as_version=4)
    print(table(run_checks(nb, namespace)))


def _user_namespace() -> dict:
    """The notebook's namespace: IPython's user namespace, else the caller's globals."""
    try:
        shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    except Exception:  # noqa: BLE001
        shell = None
    if shell is not None:
        return shell.user_ns
    return sys._getframe(2).f_globals
