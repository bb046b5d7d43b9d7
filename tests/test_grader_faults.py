"""A fault of the grader is never a student's grade.

Through the real `nndl grade` in a temporary course: a fault on the grader's side (an
injected one, a grading worker process killed by the system, a sandbox that cannot start)
records nothing for the submissions it hit, says so, exits non-zero, and the next run
grades exactly those; every other submission is graded and recorded as usual.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from harness import build_submission, gradebook_scores, load_cases, make_course, nndl_cli, submit

from nndl.grader.sandbox import bubblewrap

pytestmark = pytest.mark.slow

ASSIGNMENT = "week2_numpy_basics"
CASES = {c.name: c for c in load_cases(ASSIGNMENT)}


def nndl(course, *args, **options):
    return nndl_cli(course, *args, **options)


def recorded(course) -> dict[str, float]:
    return gradebook_scores(course, ASSIGNMENT)


def markers(course) -> set[str]:
    return {p.stem for p in (course / ".nndl" / "graded" / ASSIGNMENT).glob("*.json")}


@pytest.fixture()
def course(tmp_path):
    course = make_course(tmp_path / "course", [ASSIGNMENT])
    for name in ("perfect", "L1_mean", "empty"):
        submit(course, ASSIGNMENT, name, build_submission(course, CASES[name]))
    submit(course, ASSIGNMENT, "perfect_too", build_submission(course, CASES["perfect"]))
    return course


def test_an_injected_grader_fault_records_nothing_and_the_rerun_grades_it(course):
    """Is a submission hit by a grader fault left without score and marker, the run
    non-zero and loud, and graded by the next run (and only it)?"""
    first = nndl(course, "grade", ASSIGNMENT, env={"NNDL_GRADER_FAULT": "perfect_too"})
    out = first.stdout + first.stderr
    assert first.returncode != 0, out
    assert "perfect_too" in out and "NOT graded" in out and "injected grader fault" in out
    assert "perfect_too" not in recorded(course)
    assert "perfect_too" not in markers(course)
    assert not (course / "autograded" / "perfect_too").exists()
    assert recorded(course)["perfect"] == 10 and recorded(course)["empty"] == 0
    export = nndl(course, "export", "--to", str(course / "grades.csv"))
    assert export.returncode == 0, export.stdout + export.stderr
    assert "NOT graded" in export.stderr and "perfect_too" in export.stderr
    with open(course / "grades.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert rows["perfect_too"]["score"] == "" and rows["perfect_too"]["status"] == "not graded"
    assert float(rows["empty"]["score"]) == 0 and rows["empty"]["status"] == ""

    second = nndl(course, "grade", ASSIGNMENT)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "3 submission(s) already graded" in second.stdout + second.stderr
    assert recorded(course)["perfect_too"] == 10
    assert markers(course) == {"perfect", "perfect_too", "L1_mean", "empty"}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _pool_processes(parent: int) -> list[int]:
    """The grading worker processes of an `nndl grade` process: its forkserver's children."""
    found = []
    for child in _children(parent):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in cmdline:
            found += _children(child)
    return found


def test_a_grading_worker_killed_by_the_system_costs_no_student_anything(course):
    """When the OOM killer (here: SIGKILL) ends a grading worker process mid-run, are
    the submissions it held graded again, each with its true score?"""
    nb = build_submission(course, CASES["perfect"])
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "L1":
            cell.source = ("import time\nimport numpy as np\ndef L1(yhat, y):\n"
                           "    time.sleep(4)\n    return float(np.sum(np.abs(y - yhat)))\n")
    submit(course, ASSIGNMENT, "slow", nb)
    proc = nndl(course, "grade", ASSIGNMENT, "--workers", "2", stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
    killed = []
    deadline = time.monotonic() + 120
    while not killed and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if (course / ".nndl" / "graded" / ASSIGNMENT).is_dir():  # grading has begun
            for pid in _pool_processes(proc.pid):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
    out, _ = proc.communicate(timeout=600)
    assert killed, out
    assert proc.returncode == 0, out
    assert "a grading worker process died" in out
    assert recorded(course) == {"perfect": 10, "perfect_too": 10, "slow": 10, "L1_mean": 9,
                                "empty": 0}


@pytest.mark.skipif(not bubblewrap(), reason="needs bubblewrap (apt-get install bubblewrap)")
def test_when_the_sandbox_cannot_start_the_preflight_stops_before_recording(course, tmp_path):
    """Does a machine where bubblewrap cannot create its namespaces get the cause and the
    fix, a non-zero exit, and no score for anyone (not a class of zeros)?"""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to create new namespace, likely because the "
        "kernel does not allow non-privileged user namespaces.' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    result = nndl(course, "grade", ASSIGNMENT,
                  env={"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "bubblewrap cannot create its namespaces" in out
    assert "nothing was graded or recorded" in out
    assert recorded(course) == {}
    assert markers(course) == set()
