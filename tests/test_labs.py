"""The lecture labs in notebooks/ run top to bottom, quietly and quickly, and draw figures.

Each lab is executed in a fresh kernel on a temporary copy of its folder. A lab passes when
no cell raised, nothing was written to stderr (a warning there would greet every student),
at least one figure was drawn, and the whole run took less than a minute.

A lab that hangs fails fast, naming itself and the cell: each cell may take at most
CELL_SECONDS and whatever is left of the lab's minute; after the kernel's reply, its outputs
and its "idle" status must arrive within IOPUB_SECONDS (nbclient's default is to wait for
ever, or to skip the cell silently after 4 s); and a watchdog kills the kernel if the run
as a whole (kernel start and shutdown included) overruns. The week-3 lab once hung under
nbconvert with an idle kernel: its last cell calls ipywidgets.interact, and executing a
widget cell headless sometimes stalls (jupyter/nbconvert#2029, jupyter/nbclient#312).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest
from harness import ROOT

pytestmark = pytest.mark.slow

LABS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_SECONDS = 60
CELL_SECONDS = 45  # one cell; also never past what is left of MAX_SECONDS
IOPUB_SECONDS = 15  # after the kernel's reply, for the rest of the cell's outputs
GRACE_SECONDS = 60  # kernel start and shutdown, beyond MAX_SECONDS, before the watchdog


class LabHung(AssertionError):
    pass


def _first_line(cell) -> str:
    return next((line for line in cell.source.splitlines() if line.strip()), "")[:80]


def run_lab(path: Path, *, max_seconds: float = MAX_SECONDS, cell_seconds: float = CELL_SECONDS,
            iopub_seconds: float = IOPUB_SECONDS, grace: float = GRACE_SECONDS):
    """Execute a lab in a fresh kernel on a temporary copy of its folder; a stall raises
    LabHung naming the lab, the cell and what it waited for."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    deadline = time.monotonic() + max_seconds
    current = {"index": None}

    def cell_limit(_source) -> int:
        return max(1, int(min(cell_seconds, deadline - time.monotonic())))

    def where() -> str:
        index = current["index"]
        if index is None:
            return f"{path.name}, before its first cell (kernel start)"
        return f"{path.name}, cell {index} ({_first_line(nb.cells[index])!r})"

    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    outcome: dict = {}
    with tempfile.TemporaryDirectory(prefix="nndl-lab-") as tmp:
        work = Path(tmp) / path.parent.name
        shutil.copytree(path.parent, work,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        client = NotebookClient(
            nb, kernel_name="python3", allow_errors=True, timeout_func=cell_limit,
            iopub_timeout=iopub_seconds, raise_on_iopub_timeout=True, startup_timeout=grace,
            resources={"metadata": {"path": str(work)}},
            on_cell_execute=lambda cell, cell_index: current.update(index=cell_index))

        def execute():
            try:
                client.execute(env=env)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                outcome["error"] = exc

        runner = threading.Thread(target=execute, daemon=True)
        runner.start()
        runner.join(max_seconds + grace)
        if runner.is_alive():  # stalled outside a cell's own timeouts: kill the kernel
            stalled_at = where()
            provisioner = getattr(client.km, "provisioner", None)
            pid = getattr(provisioner, "pid", None)
            if pid:
                os.kill(pid, 9)
            runner.join(30)
            raise LabHung(f"{stalled_at}: the run did not end within {max_seconds + grace:.0f} s "
                          "(the kernel was killed)")
    error = outcome.get("error")
    if isinstance(error, CellTimeoutError):
        waited = ("the kernel replied, but the cell's outputs and idle status never came"
                  if "IOPub" in str(error) else "no reply from the kernel")
        raise LabHung(f"{where()}: did not finish in time: {waited} "
                      f"({str(error).splitlines()[0]})")
    if isinstance(error, DeadKernelError):
        raise LabHung(f"{where()}: the kernel died ({error})")
    if error is not None:
        raise error
    return nb


def test_there_is_a_lab_for_every_week():
    """Does notebooks/ hold one lab for each of the four weeks?"""
    weeks = {path.name.split("_")[0] for path in LABS}
    assert {"week1", "week2", "week3", "week4"} <= weeks, sorted(weeks)


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_lab_runs_cleanly_and_quickly(path):
    """Does the lab run without errors or stderr output, draw a figure, within a minute?"""
    start = time.perf_counter()
    nb = run_lab(path)
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


def _write_lab(folder: Path, sources: list[str]) -> Path:
    folder.mkdir()
    path = folder / "lab.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(nb, path)
    return path


def test_a_hanging_cell_fails_fast_naming_the_lab_and_the_cell(tmp_path):
    """A cell that never ends stops the run after its own limit, not after nbclient's none."""
    path = _write_lab(tmp_path / "lab", ["x = 1", "import time\ntime.sleep(600)", "y = 2"])
    start = time.perf_counter()
    with pytest.raises(LabHung, match=r"lab\.ipynb, cell 1 \('import time'\).*no reply"):
        run_lab(path, cell_seconds=5)
    assert time.perf_counter() - start < 45


def test_a_lab_over_its_budget_fails_at_the_cell_that_overruns(tmp_path):
    """Each cell is short, but together they overrun the lab's budget."""
    path = _write_lab(tmp_path / "lab", [f"import time\ntime.sleep(3)  # {i}" for i in range(6)])
    with pytest.raises(LabHung, match=r"cell [1-4] \('import time'\)"):
        run_lab(path, max_seconds=8)
