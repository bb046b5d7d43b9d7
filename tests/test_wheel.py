"""A built wheel carries the datasets, and the loader finds them there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

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
