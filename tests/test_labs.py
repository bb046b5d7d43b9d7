"""The lecture labs in notebooks/ run top to bottom, quietly and quickly, and draw figures.

Each lab is executed in a fresh kernel on a temporary copy of its folder. A lab passes when
no cell raised, nothing was written to stderr (a warning there would greet every student),
at least one figure was drawn, and the whole run took less than a minute.
"""

from __future__ import annotations

import time

import pytest
from harness import ROOT

from nndl.notebooks import run_copy

pytestmark = pytest.mark.slow

LABS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_SECONDS = 60


def test_there_is_a_lab_for_every_week():
    """Does notebooks/ hold one lab for each of the four weeks?"""
    weeks = {path.name.split("_")[0] for path in LABS}
    assert {"week1", "week2", "week3", "week4"} <= weeks, sorted(weeks)


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_lab_runs_cleanly_and_quickly(path):
    """Does the lab run without errors or stderr output, draw a figure, within a minute?"""
    start = time.perf_counter()
    nb = run_copy(path, timeout=MAX_SECONDS)
    seconds = time.perf_counter() - start
    print(f"\n{path.name}: {seconds:.1f} s")

    errors, stderr, images = [], [], 0
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                errors.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                stderr.append(f"cell {index}: {output.text.strip()[:300]}")
            elif "image/png" in output.get("data", {}):
                images += 1
    assert errors == [], f"{path.name} raised:\n" + "\n".join(errors)
    assert stderr == [], f"{path.name} wrote to stderr:\n" + "\n".join(stderr)
    assert images >= 1, f"{path.name} drew no figure"
    assert seconds < MAX_SECONDS, f"{path.name} took {seconds:.1f} s (limit {MAX_SECONDS} s)"
