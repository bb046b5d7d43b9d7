"""The layout the design asks for: the sandbox loads only what it must; grader/ is whole."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from harness import ROOT


def test_the_sandbox_side_imports_only_the_protocol():
    """The student's process loads none of the grader, nbgrader, numpy or the reference."""
    probe = ("import sys, nndl.grader.worker; "
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('nndl', 'nbgrader', 'numpy', 'nbformat'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == ["nndl", "nndl.grader", "nndl.grader.protocol", "nndl.grader.worker"]


def test_grader_folder_lists_what_it_holds():
    readme = (ROOT / "grader" / "README.md").read_text()
    listed = set(re.findall(r"^\| `([^`]+)`", readme, re.MULTILINE))
    listed |= set(re.findall(r"`(systemd/[^`]+)`", readme))
    held = {str(p.relative_to(ROOT / "grader")) for p in (ROOT / "grader").rglob("*")
            if p.is_file() and p.name != "README.md"}
    assert held == listed


@pytest.mark.parametrize("script", ["grade-assignment.sh", "cluster/dask-cluster.sh"])
def test_grader_scripts_parse(script):
    subprocess.run(["sh", "-n", str(ROOT / "grader" / script)], check=True)
