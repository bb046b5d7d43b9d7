"""Known-bad submissions: one real mistake each, described in tests/submissions/.

A case file ``tests/submissions/<assignment>/<case>.py`` holds ANSWERS (grade_id -> the
answer cell as the student wrote it; None: the release notebook as handed out), FAILS
(the test cells that must fail, each with a text its message must contain) and, optionally,
CODES (test grade_id -> the mistake code its failure must carry, nndl.checks.MISTAKES).
The test suite grades them; ``nndl demo`` builds a class from them.

tests/submissions/ is the one copy. A wheel carries it as package data (``nndl/_cases``,
see pyproject.toml), so ``nndl demo`` works from an installed package too; a checkout or an
editable install reads tests/submissions/ itself.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import cells

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


PACKAGED = Path(__file__).resolve().parent / "_cases"  # in a wheel only
_REPO_CASES = Path(__file__).resolve().parent.parent / "tests" / "submissions"


def cases_dir(root: Path | None = None) -> Path:
    """Where the cases are: the course's tests/submissions/ when it has one, else the
    installed package's copy, else the repository an editable install points at."""
    for folder in ([Path(root) / "tests" / "submissions"] if root else []) + [PACKAGED,
                                                                             _REPO_CASES]:
        if folder.is_dir():
            return folder
    return PACKAGED


@dataclass
class Case:
    assignment: str
    name: str
    doc: str
    answers: dict | None  # None: the release notebook as handed out
    fails: dict | str  # "all", or {test grade_id: substring of its message or None}
    codes: dict = field(default_factory=dict)  # {test grade_id: its failure's mistake code}


def load_cases(assignment: str, root: Path | None = None) -> list[Case]:
    cases = []
    for path in sorted((cases_dir(root) / assignment).glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"case_{assignment}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.append(Case(assignment, path.stem, (module.__doc__ or "").strip(),
                          module.ANSWERS, module.FAILS, dict(getattr(module, "CODES", {}))))
    return cases


def case_assignments(root: Path | None = None) -> list[str]:
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
    solutions = {cells.grade_id(c): c.source for c in source.cells if cells.is_solution(c)}
    unknown = set(case.answers) - set(solutions)
    if unknown:
        raise ValueError(f"case {case.name}: no answer cell {sorted(unknown)}")
    for cell in release.cells:
        if cells.is_solution(cell):
            gid = cells.grade_id(cell)
            cell.source = case.answers.get(gid, student_answer(solutions[gid]))
    return release
