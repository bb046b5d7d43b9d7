"""Running notebooks in a real Jupyter kernel, scoring their test cells, keeping them clean."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import COURSE_DIR_ENV

NEUTRAL_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python",
                      "name": "python3"}


@dataclass(frozen=True)
class TestResult:
    """One autograded test cell of an executed notebook."""

    notebook: str
    grade_id: str
    points: float
    max_points: float
    error: str | None  # the exception line when the cell failed

    @property
    def passed(self) -> bool:
        return self.points == self.max_points


def execute(nb: nbformat.NotebookNode, workdir: Path, *, course_dir: Path | None = None,
            timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell in a fresh python3 kernel started in workdir; errors do not stop it."""
    from nbclient import NotebookClient

    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per kernel: see nbgrader_cli
    if course_dir is not None:
        env[COURSE_DIR_ENV] = str(course_dir)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    return nb


def run_copy(notebook: Path, *, course_dir: Path | None = None,
             timeout: int = 600) -> nbformat.NotebookNode:
    """Execute a notebook in a temporary copy of its folder (the original is untouched)."""
    nb = nbformat.read(notebook, as_version=4)
    with tempfile.TemporaryDirectory(prefix="nndl-run-") as tmp:
        work = Path(tmp) / notebook.parent.name
        shutil.copytree(notebook.parent, work,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        return execute(nb, work, course_dir=course_dir, timeout=timeout)


def score(nb: nbformat.NotebookNode, name: str = "") -> list[TestResult]:
    """Points of every autograded test cell, decided by nbgrader's own rules."""
    from nbgrader import utils

    from . import cells

    results = []
    for cell in nb.cells:
        if not (cells.is_code(cell) and cells.is_grade(cell)):
            continue
        points, max_points = utils.determine_grade(cell)
        error = None
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                error = f"{out.ename}: {out.evalue}"
            elif out.output_type == "stream" and out.name == "stderr" and error is None:
                error = f"wrote to stderr: {out.text.strip()[:200]}"
        results.append(TestResult(name, cells.grade_id(cell), float(points or 0),
                                  float(max_points), error))
    return results


def is_clean(nb: nbformat.NotebookNode) -> list[str]:
    """What makes a notebook unfit to commit: outputs, execution counts, a custom kernel."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"cell {i} has outputs or an execution count")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec is not python3")
    return problems


def tidy(path: Path) -> bool:
    """Strip outputs and execution counts, set the neutral kernelspec; keep nbgrader metadata.

    Returns True when the file changed.
    """
    original = path.read_text(encoding="utf-8")
    nb = nbformat.reads(original, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
    nb.metadata = {key: value for key, value in nb.metadata.items()
                   if key in ("kernelspec", "language_info", "nbgrader")}
    nb.metadata["kernelspec"] = dict(NEUTRAL_KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    text = nbformat.writes(nb) + "\n"
    if text != original:
        path.write_text(text, encoding="utf-8")
        return True
    return False
