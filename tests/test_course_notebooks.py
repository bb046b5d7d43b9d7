"""The course's notebooks: clean, in sync with source/, and validated both ways."""

from __future__ import annotations

import nbformat
import pytest
from harness import ROOT, make_course

from nndl.course import assignments, notebooks
from nndl.notebooks import is_clean
from nndl.validate import validate_notebook

ASSIGNMENTS = assignments(ROOT)
ALL_NOTEBOOKS = sorted(p for tree in ("source", "release", "notebooks")
                       for p in (ROOT / tree).rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)


def test_the_course_has_assignments():
    assert ASSIGNMENTS, "source/ holds no assignment"
    assert assignments(ROOT, "release") == ASSIGNMENTS


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_clean(path):
    """Is the notebook free of outputs and execution counts, with the neutral kernel?"""
    assert is_clean(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solution_or_hidden_test(assignment):
    for path in notebooks(ROOT, assignment, "release"):
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "reference.load"):
            assert marker not in text, f"{path}: {marker}"


@pytest.mark.slow  # runs nbgrader generate_assignment
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_a_fresh_generation(assignment, tmp_path):
    """Is release/ exactly what `nbgrader generate_assignment` makes of source/ today?"""
    course = make_course(tmp_path / "course", [assignment])
    fresh = sorted(p.relative_to(course / "release")
                   for p in (course / "release" / assignment).rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT / "release")
                       for p in (ROOT / "release" / assignment).rglob("*") if p.is_file())
    assert fresh == committed, "release/ has other files than a fresh generation: nndl release"
    for rel in fresh:
        assert (course / "release" / rel).read_bytes() == (ROOT / "release" / rel).read_bytes(), (
            f"release/{rel} is stale: run `nndl release {assignment}` and commit")


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for a in ASSIGNMENTS for p in notebooks(ROOT, a)],
                         ids=lambda p: p.parent.name)
def test_source_notebook_passes_every_test(path):
    """Does the instructor's notebook run top to bottom with every test cell passing?"""
    report = validate_notebook(path, "source", ROOT)
    assert report.results and report.problems == []


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for a in ASSIGNMENTS for p in notebooks(ROOT, a, "release")],
                         ids=lambda p: p.parent.name)
def test_release_notebook_scores_zero(path):
    """Does the unanswered student version earn no point at all?"""
    report = validate_notebook(path, "release", ROOT)
    assert report.results and report.problems == []
    assert all(r.error for r in report.results), "every test cell must fail with an error"
