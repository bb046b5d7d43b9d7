"""The grader works wherever the course and its Python live.

Each layout is built for real: a clone of this repository and a new virtual environment
(its interpreter a symlink to a Python outside it, as venvs made by pyenv, uv, conda or
Debian's python3 are) inside folders the sandbox must still reach — under /tmp, with
spaces and non-ASCII characters in the path, below a home folder of mode 0700, with the
course's own files stripped of their write bits. `nndl grade` from that Python grades
known-bad cases there, and each must earn its golden score. A layout the sandbox user
cannot read is stopped by the preflight, which names the folder.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
from harness import ROOT, build_submission, load_cases, submit

from nndl.grader.sandbox import bubblewrap

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not bubblewrap(), reason="needs bubblewrap (apt-get install "
                                 "bubblewrap): these layouts test the sandbox's mounts")]

ASSIGNMENT = "week2_numpy_basics"
CASES = {c.name: c for c in load_cases(ASSIGNMENT)}
GOLDEN = ("perfect", "L1_mean", "empty", "softmax_wrong_axis")


def _layout(base: Path) -> tuple[Path, Path]:
    """(course, python): a copy of the repository and a venv beside it under base."""
    course = base / "course ü"
    shutil.copytree(ROOT, course, ignore=shutil.ignore_patterns(
        ".git", ".venv", "submitted", "autograded", "feedback", "gradebook.db", ".nndl",
        "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", "reports"))
    venv = base / "py env é" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    assert python.resolve() != python  # the interpreter lives outside the venv
    (packages,) = (venv / "lib").glob("python*/site-packages")
    # This course's code first, then the packages it needs (numpy, nbgrader, ...) from
    # the environment running the tests.
    outer = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (packages / "zz_course.pth").write_text(
        f"{course}\n" + "".join(f"import site; site.addsitedir({p!r})\n" for p in outer))
    return course, python


def _grade(course: Path, python: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(python), "-m", "nndl.cli", "--dir", str(course), "grade",
                           ASSIGNMENT, "--workers", "2"],
                          cwd=course, env=env, capture_output=True, text=True)


def _scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.id: gb.find_submission(ASSIGNMENT, s.id).score for s in gb.students}


def _golden(course: Path) -> dict[str, float]:
    import nbformat

    (source,) = (course / "source" / ASSIGNMENT).glob("*.ipynb")
    nb = nbformat.read(source, as_version=4)
    points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade")}
    golden = {}
    for name in GOLDEN:
        fails = points if CASES[name].fails == "all" else CASES[name].fails
        golden[name] = sum(p for g, p in points.items() if g not in fails)
    return golden


def _prepare(course: Path, python: Path) -> None:
    for name in GOLDEN:
        submit(course, ASSIGNMENT, name, build_submission(course, CASES[name]))
    subprocess.run([str(python), "-m", "nndl.cli", "--dir", str(course), "release",
                    ASSIGNMENT], check=True, capture_output=True)


def test_course_and_python_under_tmp_with_spaces_non_ascii_and_a_private_home(tmp_path):
    """Does a course and venv under /tmp, in paths with spaces and non-ASCII characters,
    below a home folder of mode 0700, with read-only course files, grade like anywhere?"""
    home = tmp_path / "home dir" / "ünïcode user"
    home.mkdir(parents=True)
    course, python = _layout(home)
    _prepare(course, python)
    for folder in ("nndl", "source", "release", "datasets"):
        subprocess.run(["chmod", "-R", "a-w", str(course / folder)], check=True)
    home.chmod(0o700)
    try:
        assert str(course).startswith("/tmp/") or str(course).startswith(
            os.environ.get("TMPDIR", "/tmp"))
        result = _grade(course, python)
        out = result.stdout + result.stderr
        assert result.returncode == 0, out
        assert "exit status 127" not in out
        assert _scores(course) == _golden(course), out
    finally:
        home.chmod(0o755)
        for folder in ("nndl", "source", "release", "datasets"):
            subprocess.run(["chmod", "-R", "u+w", str(course / folder)], check=True)


def test_a_python_the_sandbox_user_cannot_read_is_named_by_the_preflight(tmp_path):
    """When the venv's packages are readable by root only, does the run stop before
    recording anything, naming the folder and the fix?"""
    course, python = _layout(tmp_path)
    _prepare(course, python)
    (packages,) = (python.parent.parent / "lib").glob("python*/site-packages")
    packages.chmod(0o700)
    try:
        result = _grade(course, python)
    finally:
        packages.chmod(0o755)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert f"cannot read {packages}" in out and "chmod -R o+rX" in out, out
    assert "nothing was graded or recorded" in out
    assert not (course / ".nndl" / "graded" / ASSIGNMENT).exists()
