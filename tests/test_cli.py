"""The nndl command: clear errors and exit codes."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from nndl.cli import main
from nndl.notebooks import tidy


def test_unknown_course_dir_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    assert main(["--dir", str(tmp_path), "validate"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path} is not a course directory" in err
    assert "no nbgrader_config.py and no source/" in err


def test_missing_folder_is_named_not_replaced_by_the_installed_course(tmp_path, capsys,
                                                                      monkeypatch):
    """`--dir` on a folder that does not exist used to report on the installed course."""
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    missing = tmp_path / "some" / "missing" / "folder"
    assert main(["--dir", str(missing), "report", "week2_quiz"]) == 2
    out, err = capsys.readouterr()
    assert f"{missing} is not a course directory: there is no such folder" in err
    assert "class report" not in out


def test_a_folder_with_only_one_part_names_the_other(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    (tmp_path / "source").mkdir()
    assert main(["report", "--dir", str(tmp_path), "week2_quiz"]) == 2
    err = capsys.readouterr().err
    assert "it has no nbgrader_config.py" in err and "source/" not in err


def test_outside_any_course_is_an_error_not_the_installed_course(tmp_path, capsys,
                                                                 monkeypatch):
    """From a folder outside any course, grade used to grade the installed course."""
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    for argv in (["grade", "week2_numpy_basics"], ["report", "week2_numpy_basics"],
                 ["feedback", "week2_numpy_basics"], ["export"], ["release"]):
        assert main(argv) == 2, argv
        assert f"no course directory at or above {tmp_path}" in capsys.readouterr().err


def fake_course(path):
    (path / "source" / "week2_numpy_basics").mkdir(parents=True)
    (path / "source" / "week2_numpy_basics" / "numpy_basics.ipynb").write_text("{}")
    (path / "nbgrader_config.py").write_text("")
    return path


def test_dir_works_before_and_after_the_subcommand(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    course = fake_course(tmp_path / "course")
    for argv in (["--dir", str(course), "grade", "week2_numpy_basics"],
                 ["grade", "--dir", str(course), "week2_numpy_basics"],
                 ["grade", "week2_numpy_basics", "--dir", str(course)]):
        assert main(argv) == 1, argv
        out, err = capsys.readouterr()
        assert out.splitlines()[0] == f"course: {course}"  # the first line names the course
        assert f"no submission of week2_numpy_basics in {course / 'submitted'}" in err


def test_the_course_named_after_the_subcommand_wins(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    first, second = fake_course(tmp_path / "a"), fake_course(tmp_path / "b")
    main(["--dir", str(first), "grade", "--dir", str(second), "week2_numpy_basics"])
    assert capsys.readouterr().out.splitlines()[0] == f"course: {second}"


@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_workers_must_be_positive(workers, capsys):
    for command in (["grade", "week2_numpy_basics"], ["demo"]):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--workers", workers])
        assert exit_.value.code == 2
        assert f"--workers: must be a whole number of at least 1, not '{workers}'" in (
            capsys.readouterr().err)


def test_nothing_submitted_names_the_folder_and_fails(tmp_path, capsys, monkeypatch):
    course = fake_course(tmp_path)
    monkeypatch.chdir(course)
    assert main(["grade", "week2_numpy_basics"]) == 1
    err = capsys.readouterr().err
    assert "nothing to grade" in err
    assert str(course / "submitted" / "<student_id>" / "week2_numpy_basics") in err
    # another assignment's submissions are not this one's
    (course / "submitted" / "alice" / "week3_quiz").mkdir(parents=True)
    assert main(["grade", "week2_numpy_basics"]) == 1
    # a student named without a submission
    (course / "submitted" / "alice" / "week2_numpy_basics").mkdir(parents=True)
    assert main(["grade", "week2_numpy_basics", "--student", "bob"]) == 2
    assert "no submission of week2_numpy_basics for: bob" in capsys.readouterr().err


def test_grading_an_unknown_assignment_names_the_known_ones(tmp_path, capsys):
    course = fake_course(tmp_path)
    assert main(["grade", "--dir", str(course), "week9"]) == 2
    assert "no assignment 'week9'" in capsys.readouterr().err


def test_export_to_a_missing_folder_is_one_line(tmp_path, capsys):
    course = fake_course(tmp_path / "course")
    target = tmp_path / "nonexistent" / "dir" / "g.csv"
    assert main(["--dir", str(course), "export", "--to", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"nndl: cannot write {target}: the folder {target.parent} "
                           "does not exist")


def test_help_describes_arguments_and_lists_assignments(capsys):
    from nndl.course import _REPO_ROOT, assignments

    names = assignments(_REPO_ROOT)
    assert names
    for command in ("grade", "feedback", "report", "validate", "release", "demo"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--dir" in text, command
        assert all(name in text for name in names), command
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--workers WORKERS submissions graded at once" in text


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"nndl {version('nndl')}"


def test_unknown_assignment_is_a_clear_error(capsys):
    assert main(["release", "week9_nothing"]) == 2
    assert "no assignment 'week9_nothing'" in capsys.readouterr().err


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "nndl.cli", "--help"], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "validate" in proc.stdout


def test_tidy_strips_outputs_but_keeps_nbgrader_metadata(tmp_path):
    """Does tidy clean a notebook without losing what nbgrader needs?"""
    cell = new_code_cell("1 + 1", metadata={"nbgrader": {"grade_id": "x", "solution": True}})
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                           execution_count=3)]
    cell.execution_count = 3
    kernel = {"name": "myenv", "display_name": "My env"}
    nb = new_notebook(cells=[cell], metadata={"kernelspec": kernel, "widgets": {}})
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert tidy(path) is True
    cleaned = nbformat.read(path, as_version=4)
    assert cleaned.cells[0].outputs == [] and cleaned.cells[0].execution_count is None
    assert cleaned.cells[0].metadata.nbgrader.grade_id == "x"
    assert cleaned.metadata.kernelspec.name == "python3" and "widgets" not in cleaned.metadata
    assert tidy(path) is False  # idempotent


def test_demo_prints_a_header_per_assignment(tmp_path, monkeypatch):
    """The per-student lines of each assignment come after a header naming it."""
    from types import SimpleNamespace

    from nndl.grader import demo

    def fake_course(dest, repo, assignments):
        for a in assignments:
            for s in ("s1", "s2"):
                (dest / "submitted" / s / a).mkdir(parents=True)

    def fake_grade(dest, assignment, workers, log, **options):
        for s in ("s1", "s2"):
            log(f"{s} graded")
        return [SimpleNamespace(score=1.0, max_score=2.0)] * 2

    monkeypatch.setattr(demo, "make_demo_course", fake_course)
    monkeypatch.setattr(demo, "grade_assignment", fake_grade)
    monkeypatch.setattr(demo, "run_nbgrader", lambda *a: "")
    monkeypatch.setattr(demo, "write_report", lambda *a: None)
    lines = []
    demo.run_demo(tmp_path / "d", assignments=["week_a", "week_b"], log=lines.append)
    text = "\n".join(lines)
    a = text.index("== week_a (1 of 2): grading 2 submissions ==")
    b = text.index("== week_b (2 of 2): grading 2 submissions ==")
    assert a < text.index("s1 graded") < b < text.rindex("s1 graded")
    assert "week_a: mean score 1.00 of 2" in text


def test_demo_names_the_course_it_copies(capsys, monkeypatch):
    import nndl.grader.demo

    seen = {}
    monkeypatch.setattr(nndl.grader.demo, "run_demo", lambda *a, **k: seen.update(k))
    assert main(["demo", "--workers", "1"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"course: {seen['repo']} (copied into the demo course)"
