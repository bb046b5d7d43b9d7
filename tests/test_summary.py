"""nndl.summary: every visible check of a notebook at once, as a table in the last cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from nndl import cells, summary

ROOT = Path(__file__).resolve().parent.parent
GRADED = ["week2_numpy_basics", "week2_logistic_regression", "week3_planar_classification",
          "week4_deep_nn_step_by_step", "week4_deep_nn_application"]


def _notebook(kind: str, assignment: str) -> Path:
    [path] = sorted((ROOT / kind / assignment).glob("*.ipynb"))
    return path


def _summary_cell(nb) -> int:
    found = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and "summary()" in c.source]
    assert len(found) == 1, "one summary cell"
    return found[0]


# ------------------------------------------------------------------------- fast tests
@pytest.mark.parametrize("assignment", GRADED)
@pytest.mark.parametrize("kind", ["source", "release"])
def test_last_code_cell_is_a_free_summary_cell(kind, assignment):
    nb = nbformat.read(_notebook(kind, assignment), as_version=4)
    index = _summary_cell(nb)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert index == code_cells[-1], "the summary is the last code cell"
    cell = nb.cells[index]
    assert cells.role(cell) == "free" and not cells.points(cell), \
        "no points, no nbgrader role: nndl grade never runs it, autograde scores nothing"
    assert "from nndl.summary import summary" in cell.source


def test_visible_source_drops_hidden_tests_and_keeps_line_numbers():
    text = "a = 1\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nb = 2\n%time c"
    visible = summary.visible_source(text)
    assert "secret" not in visible and "a = 1" in visible and "b = 2" in visible
    assert visible.splitlines()[4] == "b = 2", "line numbers kept"
    assert "%time" not in visible


def test_run_checks_in_plain_python_rows_and_table():
    """A made-up notebook: a passing check, a named mistake, a stub, a missing function."""
    from nndl import checks

    def test_cell(name, points, body):
        cell = nbformat.v4.new_code_cell(body)
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                     "points": points, "grade_id": f"test_{name}",
                                     "schema_version": 3}
        return cell

    def double(x):
        return 2 * x

    def halve(x):
        return x * 2  # the mistake

    def stub(x):
        raise NotImplementedError()

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        test_cell("double", 2, "check = checks.Function(double)\n"
                               "check.expect('double(3)', check.call(3.0), 6.0)\nkept = 1"),
        test_cell("halve", 1, "check = checks.Function(halve)\n"
                              "check.expect('halve(4)', check.call(4.0), 2.0)"),
        test_cell("stub", 1, "check = checks.Function(stub)\ncheck.call(1.0)"),
        test_cell("absent", 3, "check = checks.Function(absent)\ncheck.call(1.0)"),
        test_cell("hidden", 1, "x = 1\n### BEGIN HIDDEN TESTS\nraise ValueError('hidden')\n"
                               "### END HIDDEN TESTS"),
    ]
    namespace = {"checks": checks, "double": double, "halve": halve, "stub": stub}
    rows = summary.run_checks(nb, namespace)
    got = {row.name: row.status for row in rows}
    assert got == {"double": "passed", "halve": "failing", "stub": "not written yet",
                   "absent": "not defined yet", "hidden": "passed"}
    assert "kept" not in namespace and "check" not in namespace, "the namespace is a copy"
    halve_row = next(row for row in rows if row.name == "halve")
    assert halve_row.code and "\n" not in halve_row.message
    text = summary.table(rows)
    assert "2 of 5 checks pass (3 of 8 points)" in text
    assert "Traceback" not in text


# ------------------------------------------------------------------------- kernel tests
def _execute(folder: Path, name: str, nb) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def _summary_output(nb) -> str:
    cell = nb.cells[_summary_cell(nb)]
    kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
    assert kinds == [("stream", "stdout")], f"one stdout output, no error or stderr: {kinds}"
    return cell.outputs[0].text


def _rows(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert lines[0].split() == ["function", "points", "result"]
    rows = {}
    for line in lines[1:]:
        if not line.strip():
            break
        name, _points, result = line.split(None, 2)
        rows[name] = result
    return rows


@pytest.mark.slow  # a notebook in a Jupyter kernel
def test_release_notebook_with_stubs_one_line_each_and_a_partial_solution(tmp_path):
    """The student version: filled answers pass, a wrong one names its mistake, stubs say so."""
    assignment = "week2_numpy_basics"
    folder = tmp_path / assignment
    shutil.copytree(ROOT / "release" / assignment, folder)
    path = _notebook("release", assignment)
    nb = nbformat.read(folder / path.name, as_version=4)
    source = cells.answers(nbformat.read(_notebook("source", assignment), as_version=4).cells)
    for cell in nb.cells:
        gid = cells.grade_id(cell)
        if cells.is_answer(cell) and gid == "sigmoid":
            cell.source = "\n".join(line for line in source[gid].splitlines()
                                    if "### BEGIN SOLUTION" not in line
                                    and "### END SOLUTION" not in line)
        if cells.is_answer(cell) and gid == "L1":
            cell.source = "def L1(yhat, y):\n    return np.sum(yhat - y)\n"  # no abs
        if cells.is_answer(cell) and gid == "L2":
            cell.source = "# not written\n"
    nbformat.write(nb, folder / path.name)  # the summary reads the saved file
    nb = _execute(folder, path.name, nb)
    text = _summary_output(nb)
    rows = _rows(text)
    tests = [cells.grade_id(c)[len("test_"):] for c in nb.cells if cells.is_test(c)]
    assert list(rows) == tests, "one row per test cell, in order"
    assert rows["sigmoid"] == "passed"
    assert rows["L1"].startswith("failing: ") and "L1" in rows["L1"]
    assert rows["L2"].startswith("not defined yet")
    for name in tests:
        if name not in ("sigmoid", "L1", "L2"):
            assert rows[name] == "not written yet", (name, rows[name])
    assert f"1 of {len(tests)} checks pass" in text
    assert "Traceback" not in text and "NotImplementedError" not in text


@pytest.mark.slow  # a notebook in a Jupyter kernel
def test_source_notebook_all_pass_and_hidden_tests_never_run(tmp_path):
    assignment = "week2_numpy_basics"
    folder = tmp_path / assignment
    shutil.copytree(ROOT / "source" / assignment, folder)
    path = folder / _notebook("source", assignment).name
    nb = nbformat.read(path, as_version=4)
    marked = 0
    for cell in nb.cells:  # each hidden part counts its runs
        if cells.is_test(cell) and "### END HIDDEN TESTS" in cell.source:
            cell.source = cell.source.replace(
                "### END HIDDEN TESTS",
                "import builtins\nbuiltins.HIDDEN_RUNS = getattr(builtins, 'HIDDEN_RUNS', 0) + 1"
                "\n### END HIDDEN TESTS")
            marked += 1
    assert marked
    nb.cells.append(nbformat.v4.new_code_cell(
        "import builtins\nprint('hidden runs', getattr(builtins, 'HIDDEN_RUNS', 0))"))
    nbformat.write(nb, path)
    nb = _execute(folder, path.name, nb)
    text = _summary_output(nb)
    rows = _rows(text)
    assert rows and set(rows.values()) == {"passed"}, rows
    assert nb.cells[-1].outputs[0].text.strip() == f"hidden runs {marked}", \
        "the notebook ran each hidden part once; the summary none"
