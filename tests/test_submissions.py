"""Known-bad submissions graded by real `nbgrader autograde` earn their golden scores.

Each case in tests/submissions/<assignment>/ is built from the student version, graded in
a temporary course with nbgrader's own autograde and feedback commands, and checked cell
by cell: the tests it must fail fail with the message that names the mistake, all others
pass, and its feedback shows no hidden test and no solution.
"""

from __future__ import annotations

import html
import re
import subprocess

import nbformat
import pytest
from harness import (
    ROOT,
    Case,
    build_submission,
    case_assignments,
    cell_errors,
    load_cases,
    make_course,
    nbgrader,
    notebook_name,
    points_of_test_cells,
    submit,
)

from nndl.course import CourseError
from nndl.nbgrader_cli import nbgrader_process

pytestmark = pytest.mark.slow

ASSIGNMENTS = case_assignments()
CASES = [case for a in ASSIGNMENTS for case in load_cases(a)]
SOURCE_COPY = "source_copy"  # the source notebook itself, submitted as a student would


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """One course with every case submitted, autograded and given feedback.

    Returns the course and {assignment: log} of the assignments whose grading failed, so
    that one broken assignment fails its own tests only.
    """
    course = make_course(tmp_path_factory.mktemp("course"), ASSIGNMENTS)
    for case in CASES:
        submit(course, case.assignment, case.name, build_submission(course, case))
    for assignment in ASSIGNMENTS:
        name = notebook_name(course, assignment)
        submit(course, assignment, SOURCE_COPY,
               nbformat.read(ROOT / "source" / assignment / name, as_version=4))
    # Two assignments at a time, one per core; nbgrader's SQLite gradebook copes with that.
    procs, logs = [], []
    for i in range(0, len(ASSIGNMENTS), 2):
        batch = [nbgrader_process(course, "autograde", a, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT) for a in ASSIGNMENTS[i:i + 2]]
        logs += [p.communicate()[0] for p in batch]
        procs += batch
    failed = {}
    for assignment, proc, log in zip(ASSIGNMENTS, procs, logs, strict=True):
        if proc.returncode != 0:
            # Once more, alone: nbgrader grades only the submissions still missing. Two
            # concurrent autogrades share one SQLite gradebook, and on a loaded machine one
            # has failed its first submission; a failure that is not transient fails again.
            again = nbgrader_process(course, "autograde", assignment, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
            retry_log = again.communicate()[0]
            if again.returncode != 0:
                failed[assignment] = (f"nbgrader autograde {assignment} failed twice; first "
                                      f"run:\n{_ends(log)}\nsecond run, alone:\n"
                                      f"{_ends(retry_log)}")
                continue
        try:
            nbgrader(course, "generate_feedback", assignment, "--force")
        except CourseError as exc:
            failed[assignment] = str(exc)
    return course, failed


def _ends(log: str, size: int = 4000) -> str:
    """The start (where nbgrader prints the first traceback) and the end of a long log."""
    return log if len(log) <= 2 * size else f"{log[:size]}\n[...]\n{log[-size:]}"


def graded_for(graded_course, assignment):
    course, failed = graded_course
    if assignment in failed:
        pytest.fail(failed[assignment])
    return course


def _scores(course, assignment, student):
    from nbgrader.api import Gradebook

    stem = notebook_name(course, assignment).removesuffix(".ipynb")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(stem, assignment, student)
        return {g.name: (g.score, g.max_score) for g in nb.grades}


def _autograded(course, assignment, student):
    name = notebook_name(course, assignment)
    return nbformat.read(course / "autograded" / student / assignment / name, as_version=4)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.assignment}/{c.name}")
def test_case_earns_its_golden_score_and_message(graded_course, case: Case):
    """Does each known-bad submission lose exactly the points of its mistake, named?"""
    graded = graded_for(graded_course, case.assignment)
    source = nbformat.read(ROOT / "source" / case.assignment /
                           notebook_name(graded, case.assignment), as_version=4)
    points = points_of_test_cells(source)
    fails = dict.fromkeys(points) if case.fails == "all" else case.fails
    assert set(fails) <= set(points), f"unknown test cells in FAILS: {set(fails) - set(points)}"
    scores = _scores(graded, case.assignment, case.name)
    errors = cell_errors(_autograded(graded, case.assignment, case.name))
    for gid, max_points in points.items():
        score, recorded_max = scores[gid]
        assert recorded_max == max_points
        if gid in fails:
            assert score == 0, f"{case.name}: {gid} should fail ({case.doc})"
            if fails[gid]:
                assert fails[gid] in errors.get(gid, ""), (
                    f"{case.name}: {gid} should say {fails[gid]!r}; it said:\n{errors.get(gid)}")
        else:
            assert score == max_points, (
                f"{case.name}: {gid} should pass; it failed with:\n{errors.get(gid)}")
    expected_total = sum(p for gid, p in points.items() if gid not in fails)
    assert sum(s for s, _ in scores.values()) == expected_total


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_submitted_as_is_gets_full_marks(graded_course, assignment):
    """Does the instructor's own notebook, submitted as a student's, earn every point?"""
    graded = graded_for(graded_course, assignment)
    scores = _scores(graded, assignment, SOURCE_COPY)
    assert scores and all(score == max_ for score, max_ in scores.values()), scores


def page_text(page: str) -> str:
    """The text a reader sees in an nbconvert HTML page (code is split into many spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def page_lines(text: str) -> set[str]:
    """Whole lines of a page, stripped: a hidden line leaks when one of them equals it."""
    return {line.strip() for line in text.splitlines()}


def _hidden_and_solution_lines(assignment: str) -> tuple[list[str], list[str]]:
    """Distinctive lines of the hidden tests and of the solutions of the source notebook
    that the student version does not show anyway."""
    name = notebook_name(ROOT, assignment)
    source = nbformat.read(ROOT / "source" / assignment / name, as_version=4)
    release = nbformat.read(ROOT / "release" / assignment / name, as_version=4)
    visible = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    hidden, solution = [], []
    for cell in source.cells:
        inside = None
        for line in cell.source.splitlines():
            text = line.strip()
            if text in ("### BEGIN HIDDEN TESTS", "### BEGIN SOLUTION"):
                inside = hidden if "HIDDEN" in text else solution
                continue
            if text in ("### END HIDDEN TESTS", "### END SOLUTION"):
                inside = None
                continue
            if (inside is not None and len(text) >= 20 and not text.startswith("#")
                    and text not in visible):
                inside.append(text)
    return hidden, solution


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_hidden_test_and_no_solution(graded_course, assignment):
    """Can a student read hidden tests or the solution in the feedback they get back?"""
    graded = graded_for(graded_course, assignment)
    hidden, solution = _hidden_and_solution_lines(assignment)
    assert hidden, "the source notebook has no hidden tests"
    assert solution, "the source notebook has no solutions"
    stem = notebook_name(graded, assignment).removesuffix(".ipynb")
    for case in load_cases(assignment):
        page = page_lines(page_text((graded / "feedback" / case.name / assignment /
                                     f"{stem}.html").read_text()))
        for line in hidden:
            assert line not in page, f"feedback of {case.name} shows hidden test line {line!r}"
        if case.answers is None:  # nothing of the solution may appear in an empty submission
            for line in solution:
                assert line not in page, (
                    f"feedback of {case.name} shows solution line {line!r}")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_leak_detector_finds_hidden_tests_in_unfiltered_html(assignment):
    """Would the feedback test notice hidden tests if feedback showed them?"""
    from nbconvert import HTMLExporter

    hidden, _ = _hidden_and_solution_lines(assignment)
    source = ROOT / "source" / assignment / notebook_name(ROOT, assignment)
    page = page_lines(page_text(HTMLExporter().from_filename(str(source))[0]))
    assert all(line in page for line in hidden)
