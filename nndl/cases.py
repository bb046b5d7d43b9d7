"""Known-bad submissions: one real mistake each, described in tests/submissions/.

A case file ``tests/submissions/<assignment>/<case>.py`` holds ANSWERS (grade_id -> the
answer cell as the student wrote it; None: the release notebook as handed out) and FAILS
(the test cells that must fail, each with a text its message must contain). The test suite
grades them; ``nndl demo`` builds a class from them.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import nbformat

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def cases_dir(root: Path) -> Path:
    return root / "tests" / "submissions"


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


def load_cases(assignment: str, root: Path) -> list[Case]:
    cases = []
    for path in sorted((cases_dir(root) / assignment).glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"case_{assignment}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.append(Case(assignment, path.stem, (module.__doc__ or "").strip(),
                          module.ANSWERS, module.FAILS))
    return cases


def case_assignments(root: Path) -> list[str]:
    folder = cases_dir(root)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.py")))


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
