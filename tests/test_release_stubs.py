"""A student who runs a release notebook before filling anything in reads, under every
failing cell, one line naming what to fill in first, and no given cell trains or draws
before it fails.

The notebook test executes each graded release notebook in a real Jupyter kernel as it is
released (every stub unfilled), errors allowed, as a student pressing "Run all" would.
The unit tests exercise nndl.student without a kernel.
"""

from __future__ import annotations

import ast
import linecache
import re
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from harness import ANSI, ROOT

from nndl import cells, student
from nndl.course import assignments, notebooks
from nndl.notebooks import run_copy

GRADED = [a for a in assignments(ROOT, "release")]
# A given cell that fails on an unfilled stub must fail at once (a few milliseconds): the
# comparison cell of the application used to train logistic regression for 2000 iterations
# before it met the missing predictions, 1.4 s in a kernel on a quiet 2-core machine and 7 s
# under load.
MAX_FAILING_CELL_SECONDS = 1.0


def _answer_names(assignment: str) -> set[str]:
    """What a student fills in: the grade ids of the answer cells and the names they bind."""
    names = set()
    for path in notebooks(ROOT, assignment, "source"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if not (cells.is_code(cell) and cells.is_answer(cell)):
                continue
            names.add(cells.grade_id(cell))
            tree = ast.parse(cells.strip_magics(cell.source))
            for node in tree.body:
                if isinstance(node, ast.FunctionDef):
                    names.add(node.name)
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                        names.add(sub.id)
    return names - {None}


def _seconds(cell) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


@pytest.mark.slow
@pytest.mark.parametrize("assignment", GRADED)
def test_unfilled_release_fails_in_one_line_naming_what_to_fill_in(assignment):
    """Run all on the student version: every error is one line naming an answer, no
    traceback, nothing on stderr, and no failing given cell runs for long."""
    names = _answer_names(assignment)
    (path,) = notebooks(ROOT, assignment, "release")
    nb = run_copy(path, course_dir=ROOT, timeout=300)
    problems, failed = [], 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index} ({cells.grade_id(cell) or 'given'})"
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                problems.append(f"{where} wrote to stderr: {output.text.strip()[:200]}")
            if output.output_type != "error":
                continue
            failed += 1
            lines = ANSI.sub("", "\n".join(output.traceback)).strip().splitlines()
            if len(lines) != 1:
                problems.append(f"{where}: a {len(lines)}-line traceback ({output.ename}: "
                                f"{output.evalue[:120]})")
                continue
            said = set(re.findall(r"[A-Za-z_]\w*", lines[0]))
            # under an answer cell, "this answer cell" names it; elsewhere, name the answer
            here = cells.is_answer(cell) and "this answer cell is not filled in" in lines[0]
            if not (said & names or here):
                problems.append(f"{where}: names no answer to fill in: {lines[0][:200]}")
            seconds = _seconds(cell)
            if not cells.is_test(cell) and seconds is not None and \
                    seconds > MAX_FAILING_CELL_SECONDS:
                problems.append(f"{where} ran {seconds:.1f} s before failing "
                                f"(limit {MAX_FAILING_CELL_SECONDS} s): check the stubs it "
                                "needs first (student.require)")
    assert failed, f"{path.name}: no cell failed, so the release has no stubs left"
    assert problems == [], f"{path.name}:\n" + "\n".join(problems)


# --- nndl.student without a kernel -----------------------------------------------------------

def _cell_namespace(source: str, number: int = 1) -> dict:
    """Run source as IPython runs a cell: code from a file that only linecache knows."""
    filename = f"/tmp/ipykernel_0/{number}.py"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    namespace: dict = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def test_activate_does_nothing_outside_ipython():
    """The grader's sandbox and the reference loader are no IPython kernel."""
    assert student.activate() is False


def test_require_names_the_first_stub_a_run_would_meet():
    ns = _cell_namespace("def helper(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
                         "\n\ndef model(x):\n    return helper(x) + 1\n", 101)
    with pytest.raises(student.NotWrittenYet, match="`helper` is not written yet"):
        student.require(ns["model"])
    assert student.stub_in(ns["helper"]) == "helper"


def test_require_passes_written_functions_and_values():
    ns = _cell_namespace("def model(x):\n    return x + 1\n", 102)
    student.require(ns["model"], 3, [1, 2])
    assert student.stub_in(ns["model"]) is None


def test_stub_line_is_one_line_and_says_what_to_fill_in():
    exc = student.NotWrittenYet("`model` is not written yet: fill in `model`")
    (line,) = exc._render_traceback_()
    assert line.startswith("NotWrittenYet: `model`") and "\n" not in line


class _Shell:
    def __init__(self):
        self.user_ns: dict = {}


def _explain(source: str, number: int, shell):
    filename = f"/tmp/ipykernel_0/{number}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    try:
        exec(compile(source, filename, "exec"), shell.user_ns)
    except Exception as exc:  # noqa: BLE001 - what the kernel would catch
        return student._explain(shell, type(exc), exc, exc.__traceback__)
    raise AssertionError("the cell did not fail")


def test_a_chain_of_failed_cells_names_the_stub_at_its_root():
    shell = _Shell()
    shell.user_ns.update(_cell_namespace("def model(x):\n    raise NotImplementedError()\n",
                                         201))
    first = _explain("d = model(1)\n", 202, shell)
    assert first == ("NotImplementedError: `model` is not written yet: fill in `model` (its "
                     "answer cell above) first, run that cell, then this one")
    second = _explain("costs = d['costs']\n", 203, shell)
    assert second.startswith("NameError: `d` is not defined because `model` is not written")
    third = _explain("print(costs)\n", 204, shell)
    assert "because `model` is not written" in third


def test_an_unfilled_answer_cell_names_what_it_must_define():
    shell = _Shell()
    student._missing_because.clear()
    line = _explain("# YOUR CODE HERE\nraise NotImplementedError()\nprint(x_flat.shape)\n",
                    301, shell)
    assert "`x_flat`" in line and "not filled in yet" in line
    quiz = _explain('# Your answer: one letter, e.g. answer_q1 = "a"\n'
                    "raise NotImplementedError()\n", 302, shell)
    assert "`answer_q1`" in quiz
    later = _explain("y = x_flat / 255\n", 303, shell)
    assert later.startswith("NameError: `x_flat` is not defined yet: fill in the answer cell")


def test_a_function_under_an_older_name_is_named():
    """normalizeRows defined, normalize_rows asked for: the older-name sentence, in one line."""
    shell = _Shell()
    shell.user_ns.update(_cell_namespace("def normalizeRows(x):\n    return x\n", 305))
    line = _explain("check = normalize_rows\n", 306, shell)
    assert line == ("NameError: name 'normalize_rows' is not defined; found normalizeRows: "
                    "this course calls it normalize_rows")


def test_a_name_error_inside_a_function_keeps_its_traceback():
    """A typo in the student's own function is theirs to find: no one-line summary."""
    shell = _Shell()
    assert _explain("def f():\n    return undefined_name\n\n\nf()\n", 401, shell) is None


def test_library_errors_keep_their_traceback():
    """A NotImplementedError raised inside a library is no stub of the notebook."""
    shell = _Shell()
    assert _explain("import logging\nlogging.Handler().emit(None)\n", 402, shell) is None


@pytest.fixture(autouse=True)
def _forget():
    yield
    student._missing_because.clear()
    for key in [k for k in linecache.cache if k.startswith("/tmp/ipykernel_0/")]:
        del linecache.cache[key]


def test_release_notebooks_activate_the_handler():
    """Every graded release notebook's imports cell turns the one-line messages on."""
    missing = []
    for assignment in GRADED:
        for path in notebooks(ROOT, assignment, "release"):
            nb = nbformat.read(path, as_version=4)
            imports = [c for c in nb.cells if cells.grade_id(c) == "imports"]
            if not any("student.activate()" in c.source for c in imports):
                missing.append(str(Path(path).relative_to(ROOT)))
    assert missing == []
