"""The benchmark scripts run and print their ratios (on small sizes; no speed is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.slow  # trains a network
def test_train_speed_prints_ratio_and_blas():
    out = run("benchmarks/train_speed.py", "--iterations", "6", "--rounds", "2")
    ratio = re.search(r"ratio training / products: ([0-9.]+)", out)
    assert ratio and float(ratio.group(1)) > 0, out
    assert re.search(r"cost 0\.\d+ -> 0\.\d+", out), out
    assert "ratio of each round:" in out
    assert re.search(r"BLAS \(threadpoolctl\):\n  \S+ \S+, kernel", out), out


@pytest.mark.slow
def test_grade_speed_grades_one_class_both_ways():
    out = run("benchmarks/grade_speed.py", "--count", "3", "--cold", "week1_quiz")
    line = re.search(r"week1_quiz\s+3 submissions: nbgrader autograde\s+[0-9.]+ s .*nndl grade"
                     r"\s+[0-9.]+ s .*: ([0-9.]+)x; --cold\s+[0-9.]+ s", out)
    assert line, out
    assert re.search(r"all assignments: .* ([0-9.]+)x faster \(--cold", out), out


@pytest.mark.slow  # starts sandboxes and a zygote
def test_sandbox_start_compares_cold_and_zygote():
    from nndl.grader.sandbox import bubblewrap

    if not bubblewrap():
        pytest.skip("bubblewrap is not installed: no zygote to compare")
    out = run("benchmarks/sandbox_start.py", "--rounds", "2", "week2_numpy_basics")
    assert re.search(r"cold start: +median [0-9.]+ s", out), out
    assert re.search(r"zygote fork: +median [0-9.]+ s", out), out
    assert re.search(r"ratio cold / zygote \(medians\): [0-9.]+x", out), out


def test_progress_overhead_prints_its_ratio():
    out = run("benchmarks/progress_overhead.py", "--iterations", "2", "--rounds", "1")
    assert re.search(r"without the bar, [0-9.]+ s with it: ratio [0-9.]+", out), out
    assert re.search(r"the bar's own cost: [0-9.]+ µs per iteration", out), out
