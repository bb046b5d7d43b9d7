"""Temporary nbgrader courses and submissions built from the known-bad cases."""

from __future__ import annotations

import importlib.util
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nndl.validate import run_nbgrader

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "submissions"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Case:
    assignment: str
    name: str
    doc: str
    answers: dict | None  # None: the release notebook as handed out
    fails: dict | str  # "all", or {test grade_id: substring of its message or None}

    @property
    def student(self) -> str:
        return self.name


def load_cases(assignment: str) -> list[Case]:
    cases = []
    for path in sorted((CASES_DIR / assignment).glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"case_{assignment}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.append(Case(assignment, path.stem, (module.__doc__ or "").strip(),
                          module.ANSWERS, module.FAILS))
    return cases


def case_assignments() -> list[str]:
    return sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir() and any(p.glob("*.py")))


def notebook_name(root: Path, assignment: str) -> str:
    (path,) = sorted((root / "source" / assignment).glob("*.ipynb"))
    return path.name


def student_answer(solution_text: str) -> str:
    """What a student who wrote the reference solution leaves in the answer cell."""
    return "\n".join(line for line in solution_text.splitlines()
                     if line.strip() not in MARKERS)


def build_submission(root: Path, case: Case) -> nbformat.NotebookNode:
    """The release notebook with its answer cells filled as the case says."""
    name = notebook_name(root, case.assignment)
    release = nbformat.read(root / "release" / case.assignment / name, as_version=4)
    if case.answers is None:
        return release
    source = nbformat.read(root / "source" / case.assignment / name, as_version=4)
    solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    unknown = set(case.answers) - set(solutions)
    if unknown:
        raise ValueError(f"case {case.name}: no answer cell {sorted(unknown)}")
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            gid = meta["grade_id"]
            cell.source = case.answers.get(gid, student_answer(solutions[gid]))
    return release


def make_course(dest: Path, assignments: list[str]) -> Path:
    """A fresh course directory with the repository's config and sources, released."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for assignment in assignments:
        shutil.copytree(ROOT / "source" / assignment, dest / "source" / assignment)
        nbgrader(dest, "generate_assignment", assignment, "--force")
    return dest


def nbgrader(course: Path, *args: str) -> str:
    return run_nbgrader(course, *args)


def submit(course: Path, assignment: str, student: str, nb: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / notebook_name(course, assignment))


def points_of_test_cells(nb: nbformat.NotebookNode) -> dict[str, float]:
    """grade_id -> points of the autograded test cells."""
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader.get("points", 0))
            for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata.nbgrader.get("solution")}


def cell_errors(nb: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> the text of its error and stderr outputs (ANSI codes removed)."""
    found = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not gid or cell.cell_type != "code":
            continue
        texts = []
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                texts.append(f"{out.ename}: {out.evalue}\n" + "\n".join(out.traceback))
            elif out.output_type == "stream" and out.name == "stderr":
                texts.append(out.text)
        found[gid] = ANSI.sub("", "\n".join(texts))
    return found
