"""The nndl command: clear errors and exit codes."""

import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from nndl.cli import main
from nndl.notebooks import tidy


def test_unknown_course_dir_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NNDL_COURSE_DIR", raising=False)
    monkeypatch.setattr("nndl.course._REPO_ROOT", tmp_path)
    assert main(["--dir", str(tmp_path), "validate"]) == 2
    assert "no course directory" in capsys.readouterr().err


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
