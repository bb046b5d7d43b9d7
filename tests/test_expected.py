"""The "Expected output" cells that nndl release writes from the reference (nndl.expected)."""

from __future__ import annotations

import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nndl import checks, expected

ROOT = Path(__file__).resolve().parents[1]
GRADED = ["week2_numpy_basics", "week2_logistic_regression", "week3_planar_classification",
          "week4_deep_nn_step_by_step", "week4_deep_nn_application"]


def test_floats_have_eight_significant_digits_and_no_negative_zero():
    assert expected.format_value(5.801545319394553) == "5.8015453"
    assert expected.format_value(np.float64(-0.0)) == "0.0"
    assert expected.format_value(2.0) == "2.0"
    assert expected.format_value(1.6125273e-06) == "1.6125273e-06"
    assert expected.format_value(np.array(0.25)) == "0.25"  # a 0-d array prints as its number
    assert expected.format_value(np.array([[-0.0, 1 / 3]])) == "array([[0.0, 0.33333333]])"
    assert expected.format_value(np.array([[True, False]])) == "array([[ True, False]])"
    assert expected.format_value(3) == "3" and expected.format_value(True) == "True"


def test_nested_values_indent_and_arrays_align():
    text = expected.format_value({"dw": np.array([[1.0], [2.5]]), "db": 0.5}, "grads = ")
    assert text == ("{\n"
                    "    'dw': array([[1.0],\n"
                    "                 [2.5]]),\n"
                    "    'db': 0.5,\n"
                    "}")
    assert expected.format_value([0.5, 0.25]) == "[0.5, 0.25]"
    assert expected.format_value((1,)) == "(1,)"


def test_arguments_are_described_by_shape_beyond_a_small_vector():
    assert expected.describe_argument(np.array([1.0, 2.0])) == "array([1.0, 2.0])"
    assert expected.describe_argument(np.zeros((2, 3))) == "<(2, 3) array>"
    assert expected.describe_argument({"W": np.zeros((2, 3))}) == "{'W': <(2, 3) array>}"
    assert expected.describe_argument([(np.zeros((2, 2)),)]) == "<list of 1>"


def _course_notebook(visible: str, hidden: str = "raise AssertionError('hidden ran')"):
    def meta(**kw):
        return {"nbgrader": {"schema_version": 3, **kw}}

    return new_notebook(cells=[
        new_code_cell("import numpy as np\nfrom nndl import checks",
                      metadata=meta(grade_id="imports", locked=True)),
        new_code_cell("def twice(x):\n    ### BEGIN SOLUTION\n    return 2 * x, x.sum()\n"
                      "    ### END SOLUTION", metadata=meta(grade_id="twice", solution=True,
                                                           grade=False)),
        new_code_cell(f"{visible}\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS",
                      metadata=meta(grade_id="test_twice", grade=True, solution=False,
                                    points=1, locked=True)),
        new_markdown_cell("the next section"),
    ])


def _reference():
    module = types.ModuleType("ref")
    module.np, module.checks = np, checks

    def twice(x):
        return 2 * x, x.sum()

    module.twice = twice
    return module


VISIBLE = """check = checks.Function(twice)
for _ in range(2):  # the same call twice is shown once
    y, s = check.expect_tuple(check.call(np.array([1.0, 2.5])), 2, "y, total")
check.expect("y", y, np.array([2.0, 5.0]))
check.call(np.array([-1.0]))
print("printed output is not shown")"""


def test_the_visible_calls_are_recorded_with_the_reference_and_the_hidden_part_never_runs():
    texts = expected.expected_outputs(_course_notebook(VISIBLE), _reference(), "demo")
    assert list(texts) == ["twice"]
    body = texts["twice"].split("```text\n")[1]
    assert body == ("twice(x=array([1.0, 2.5]))\n"
                    "y = array([2.0, 5.0])\n"
                    "total = 3.5\n"
                    "\n"
                    "twice(x=array([-1.0]))\n"
                    "returns (array([-2.0]), -1.0)\n"
                    "```")


def test_a_visible_check_that_fails_on_the_reference_is_an_error():
    nb = _course_notebook("check = checks.Function(twice)\n"
                          "check.expect('y', check.call(1.0)[0], 3.0)")
    with pytest.raises(Exception, match="fails on the reference"):
        expected.expected_outputs(nb, _reference(), "demo")


def test_apply_inserts_after_the_test_cell_then_updates_in_place_and_drops_stale_cells():
    nb = _course_notebook(VISIBLE)
    texts = expected.expected_outputs(nb, _reference(), "demo")
    assert expected.apply(nb, texts)
    assert expected.marked(nb.cells[3]) == "twice" and nb.cells[3].source == texts["twice"]
    assert nb.cells[4].source == "the next section"
    assert not expected.apply(nb, texts)  # a second run changes nothing
    nb.cells[3].source = "typed by hand"
    nb.cells.insert(1, expected.new_cell("gone", "a function that is no longer graded"))
    assert expected.apply(nb, texts)
    assert [expected.marked(c) for c in nb.cells] == [None, None, None, "twice", None]
    assert nb.cells[3].source == texts["twice"]


@pytest.mark.parametrize("assignment", GRADED)
def test_committed_expected_outputs_are_what_release_writes(assignment):
    """Regenerating the expected-output cells from the reference changes no notebook."""
    stale = expected.regenerate(ROOT, assignment, write=False)
    assert stale == [], f"expected outputs are stale in {stale}: run `nndl release {assignment}`"


@pytest.mark.parametrize("assignment", GRADED)
def test_every_graded_function_with_a_visible_check_has_its_cell(assignment):
    for path in (ROOT / "source" / assignment).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        tested = {c.metadata["nbgrader"]["grade_id"].removeprefix("test_") for c in nb.cells
                  if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
                  and "checks.Function(" in c.source}
        shown = {expected.marked(c) for c in nb.cells} - {None}
        assert expected.graded_functions(nb) & tested <= shown
        assert shown, f"{path.name} has no expected-output cell"
