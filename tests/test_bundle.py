"""nndl student-bundle: release notebooks, data and the helper package, and no solution.

The bundle is built from a copy of the course's release/, datasets/ and pyproject.toml
(others may be regenerating release/ in a shared checkout), then searched for every
solution line and hidden-test line of source/ that the release does not show on purpose,
and for the known-bad submissions; the slow test installs it from its own pyproject.toml
and runs the first checks of a release notebook away from the repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from harness import ROOT

from nndl import bundle
from nndl.course import CourseError

STEP, APP = "week4_deep_nn_step_by_step", "week4_deep_nn_application"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with the committed release/, the datasets and the project file."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "release", root / "release",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "datasets", root / "datasets")
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy2(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "source").mkdir()
    return root


def _marked_blocks(text: str, begin: str, end: str) -> list[str]:
    return re.findall(rf"{re.escape(begin)}\n(.*?){re.escape(end)}", text, flags=re.S)


def _secret_lines() -> dict[str, set[str]]:
    """Distinctive lines of source/'s solutions and hidden tests, by kind.

    A line the release notebooks show anyway (a hint in a markdown cell or a check
    message) is no secret; nor is an import, or a short line (``m = X.shape[1]``). The
    helper package ships by necessity: a hidden-test line it holds is a check helper the
    visible checks use too (nndl.testcells), not a secret; a solution line it holds is.
    """
    shown = {line.strip() for p in (ROOT / "release").glob("*/*.ipynb")
             for cell in nbformat.read(p, as_version=4).cells
             for line in cell.source.splitlines()}
    helpers = {line.strip() for p in (ROOT / "nndl").rglob("*.py")
               for line in p.read_text(encoding="utf-8").splitlines()}
    found = {"solution": set(), "hidden test": set()}
    for path in (ROOT / "source").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for kind, (begin, end) in {
                    "solution": ("### BEGIN SOLUTION", "### END SOLUTION"),
                    "hidden test": ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")}.items():
                for block in _marked_blocks(cell.source, begin, end):
                    for line in block.splitlines():
                        line = line.strip()
                        if len(line) < 24 or line.startswith(("#", "import ", "from ")) \
                                or line in shown or kind == "hidden test" and line in helpers:
                            continue
                        found[kind].add(line)
    return found


def _texts(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".toml", ".json",
                                               ".txt", ".cfg"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":  # compare the cells' lines, not JSON strings
                text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
            yield path, "\n".join(line.strip() for line in text.splitlines())


def _leaks(folder: Path) -> list[str]:
    secrets = _secret_lines()
    assert len(secrets["solution"]) > 20 and len(secrets["hidden test"]) > 50, secrets
    found = []
    for path, text in _texts(folder):
        lines = set(text.splitlines())
        for marker in ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
                       "### END HIDDEN TESTS"):
            if marker in lines:
                found.append(f"{path.relative_to(folder)}: {marker}")
        if re.search(r"^(ANSWERS|FAILS) = \{", text, flags=re.M):
            found.append(f"{path.relative_to(folder)}: a known-bad submission")
        for kind, secret in secrets.items():
            for line in sorted(secret & lines)[:3]:
                found.append(f"{path.relative_to(folder)}: {kind} line {line!r}")
    return found


def test_default_bundle_holds_no_solution_and_leaves_the_application_out(course, tmp_path):
    path, keep, notes = bundle.build(course, tmp_path / "b")
    released = sorted(p.name for p in (course / "release").iterdir() if p.is_dir())
    assert APP not in keep and set(keep) == set(released) - {APP}
    assert len(notes) == 1 and APP in notes[0] and STEP in notes[0] and "dnn_utils.py" in notes[0]
    top = {p.name for p in path.iterdir()}
    assert top == {*keep, "nndl", "README.md", "pyproject.toml"}
    assert not list(path.rglob("source")) and not list(path.rglob("_cases"))
    assert not list(path.rglob("dnn_utils.py"))
    assert list((path / "nndl" / "_datasets").glob("*/train_*.h5"))
    for assignment in keep:  # the release exactly as committed
        for f in (course / "release" / assignment).rglob("*"):
            if f.is_file():
                assert (path / assignment / f.relative_to(course / "release" / assignment)
                        ).read_bytes() == f.read_bytes()
    assert _leaks(path) == []
    readme = (path / "README.md").read_text()
    assert "pip install ." in readme and all(f"`{a}/`" in readme for a in keep)


def test_the_leak_search_finds_the_step_by_step_solutions_in_dnn_utils(course, tmp_path):
    """The search can fail: bundled with --allow-generated, dnn_utils.py shows solutions."""
    path, keep, notes = bundle.build(course, tmp_path / "b", [STEP, APP], allow_generated=True)
    assert keep == [STEP, APP] and notes == []
    leaks = _leaks(path)
    assert leaks and all(f"{APP}/dnn_utils.py" in leak for leak in leaks), leaks


def test_the_application_alone_after_the_deadline(course, tmp_path):
    path, keep, notes = bundle.build(course, tmp_path / "b", [APP])
    assert keep == [APP] and notes == [] and (path / APP / "dnn_utils.py").is_file()


def test_zip_exclude_and_refusals(course, tmp_path):
    archive, keep, _ = bundle.build(course, tmp_path / "z", exclude=["week1_quiz"], as_zip=True)
    assert archive.suffix == ".zip" and not (tmp_path / "z").exists()
    names = zipfile.ZipFile(archive).namelist()
    assert "week1_quiz" not in keep and not any(n.startswith("z/week1_quiz/") for n in names)
    assert "z/README.md" in names and not any("/_cases/" in n for n in names)
    with pytest.raises(CourseError, match="no assignment 'week9'"):
        bundle.build(course, tmp_path / "x", ["week9"])
    bundle.build(course, tmp_path / "y", ["week1_quiz"])
    with pytest.raises(CourseError, match="not empty"):
        bundle.build(course, tmp_path / "y", ["week1_quiz"])


def test_the_command(course, tmp_path):
    from nndl.cli import main

    assert main(["--dir", str(course), "student-bundle", "week2_logistic_regression",
                 "--to", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "week2_logistic_regression").is_dir()


def _first_checks_script(bundle_dir: Path, assignment: str, upto: str) -> str:
    """Code of the release notebook up to the test cell ``upto``, answers filled from source/
    (as a student who solved them would), to run with the bundle's package."""
    (release,) = (bundle_dir / assignment).glob("*.ipynb")
    source = nbformat.read(ROOT / "source" / assignment / release.name, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    parts = []
    for cell in nbformat.read(release, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        text = answers.get(gid, cell.source)
        parts.append("\n".join(line for line in text.splitlines()
                               if "### BEGIN SOLUTION" not in line
                               and "### END SOLUTION" not in line))
        if gid == upto:
            break
    return "\n\n".join(parts)


@pytest.mark.slow
def test_installed_bundle_runs_a_release_notebooks_first_checks(course, tmp_path):
    """pip builds the bundle's package; its first checks pass away from the repository."""
    path, _, _ = bundle.build(course, tmp_path / "b", ["week2_logistic_regression"])
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(path)], check=True)
    (wheel,) = out.glob("nndl-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        assert any(n.startswith("nndl/_datasets/") and n.endswith(".h5") for n in zf.namelist())
        zf.extractall(site)
    script = _first_checks_script(path, "week2_logistic_regression", "test_sigmoid")
    script = ("import nndl, nndl.data as d\n"
              "print('package:', nndl.__file__, d.find_dataset(d.DEFAULT_DATASET))\n" + script)
    env = {k: v for k, v in os.environ.items()
           if k not in ("NNDL_DATA_DIR", "NNDL_DATASET", "NNDL_COURSE_DIR")}
    env.update(PYTHONPATH=str(site), MPLBACKEND="Agg")
    workdir = path / "week2_logistic_regression"
    proc = subprocess.run([sys.executable, "-c", script], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first = proc.stdout.splitlines()[0]
    assert str(site / "nndl") in first and str(ROOT) not in first, first
    assert "sigmoid: all checks passed" in proc.stdout, proc.stdout[-2000:]
