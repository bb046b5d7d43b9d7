"""A built wheel carries the datasets and the known-bad submissions: the loader finds the
datasets there, and `nndl demo` runs from an installed wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from harness import ROOT

pytestmark = pytest.mark.slow


def test_wheel_installs_a_working_loader(tmp_path):
    """Does `load_dataset()` work from a wheel, away from the repository?"""
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True)
    (wheel,) = out.glob("nndl-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert any(n.startswith("nndl/_datasets/") and n.endswith(".h5") for n in names)
        assert not any("catvnoncat" in n for n in names)
        zf.extractall(site)
    env = {k: v for k, v in os.environ.items()
           if k not in ("NNDL_DATA_DIR", "NNDL_DATASET", "NNDL_COURSE_DIR")}
    env["PYTHONPATH"] = str(site)
    probe = ("import nndl.data as d; x = d.load_dataset(); "
             "print(d.find_dataset(d.DEFAULT_DATASET), x[0].shape)")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=True)
    assert str(site / "nndl" / "_datasets") in proc.stdout


def test_demo_runs_from_an_installed_wheel(tmp_path):
    """Does `nndl demo` run from a wheel in a fresh venv, on a course folder that is no
    checkout (no tests/), taking its known-bad submissions from the package?"""
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True)
    (wheel,) = out.glob("nndl-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        cases = [n for n in zf.namelist() if n.startswith("nndl/_cases/week2_numpy_basics/")]
    assert len(cases) == len(list((ROOT / "tests" / "submissions" / "week2_numpy_basics")
                                  .glob("*.py")))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True)
    # the dependencies come from this environment (no download); nndl only from the wheel
    import sysconfig

    Path(site.stdout.strip(), "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    course = tmp_path / "course"
    shutil.copytree(ROOT / "source" / "week2_numpy_basics",
                    course / "source" / "week2_numpy_basics")
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    env = {k: v for k, v in os.environ.items()
           if k not in ("NNDL_DATA_DIR", "NNDL_DATASET", "NNDL_COURSE_DIR", "PYTHONPATH",
                        "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    # nbconvert's templates are data files of the environment the dependencies come from
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = subprocess.run([str(python), "-c", "import nndl, nndl.cases as c; "
                            "print(nndl.__file__); print(c.cases_dir())"], cwd=course, env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    proc = subprocess.run([str(venv / "bin" / "nndl"), "demo", str(tmp_path / "demo"),
                           "--assignment", "week2_numpy_basics", "--workers", "2"],
                          cwd=course, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "graded 30 submissions of 30 students" in proc.stdout
    assert (tmp_path / "demo" / "reports" / "week2_numpy_basics" / "report.html").is_file()
