"""nndl.reference and nndl.course: reading the reference solutions from source notebooks."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nndl import reference
from nndl.course import CourseError, find_course_root


def nbgrader_meta(grade_id, *, solution=False, grade=False, points=0):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def make_course(root, cells, assignment="demo"):
    (root / "source" / assignment).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    nb = new_notebook(cells=cells)
    nbformat.write(nb, root / "source" / assignment / f"{assignment}.ipynb")
    return root


def test_loads_imports_and_solutions_only(tmp_path):
    """Does the loader take imports and definitions, and run no notebook code?"""
    cells = [
        new_markdown_cell("# Demo"),
        new_code_cell("%matplotlib inline\nimport numpy as np\nimport math",
                      metadata=nbgrader_meta("imports")),
        new_code_cell("raise RuntimeError('data loading must not run')"),
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * np.asarray(x)\n"
                      "    ### END SOLUTION\nprint('side effect')",
                      metadata=nbgrader_meta("double", solution=True)),
        new_code_cell("assert double(1) == 2", metadata=nbgrader_meta("test_double", grade=True,
                                                                      points=1)),
        new_code_cell("def twice_root(x):\n    return math.sqrt(double(x))",
                      metadata=nbgrader_meta("twice_root", solution=True)),
    ]
    root = make_course(tmp_path, cells)
    ref = reference.load("demo", course_dir=root)
    assert ref.double(3) == 6 and ref.twice_root(8) == 4.0
    assert not hasattr(ref, "print")


def test_unknown_assignment_lists_the_known_ones(tmp_path):
    root = make_course(tmp_path, [new_code_cell("x = 1")])
    with pytest.raises(CourseError, match=r"no assignment 'other'.*known: demo"):
        reference.load("other", course_dir=root)


def test_syntax_error_in_solution_is_located(tmp_path):
    root = make_course(tmp_path, [new_code_cell("def f(:\n    pass",
                                                metadata=nbgrader_meta("f", solution=True))])
    with pytest.raises(CourseError, match="cell 0 is not valid Python"):
        reference.load("demo", course_dir=root)


def test_course_root_is_found_from_a_nested_folder(tmp_path, monkeypatch):
    """Does a notebook run by nbgrader in autograded/<student>/<assignment>/ find the course?"""
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    root = make_course(tmp_path, [new_code_cell("x = 1")])
    nested = root / "autograded" / "alice" / "demo"
    nested.mkdir(parents=True)
    assert find_course_root(nested) == root


def test_course_root_from_environment(tmp_path, monkeypatch):
    root = make_course(tmp_path, [new_code_cell("x = 1")])
    monkeypatch.setenv("NNDL_COURSE_DIR", str(root))
    assert find_course_root("/") == root
    monkeypatch.setenv("NNDL_COURSE_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(CourseError, match="is not a course directory"):
        find_course_root()
