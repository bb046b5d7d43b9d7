"""Temporary nbgrader courses and submissions built from the known-bad cases."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat

from nndl import cases, cells
from nndl.cases import Case, build_submission, notebook_name, student_answer  # noqa: F401
from nndl.nbgrader_cli import run_nbgrader

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def load_cases(assignment: str) -> list[Case]:
    return cases.load_cases(assignment, ROOT)


def case_assignments() -> list[str]:
    """The assignments with known-bad cases; NNDL_TEST_ASSIGNMENTS=a,b narrows a local run.

    The grading tests grade every assignment in one session fixture, whatever ``-k`` picks
    (about 25 minutes here); the variable keeps a run to the assignments named. CI never
    sets it.
    """
    found = cases.case_assignments(ROOT)
    wanted = [a.strip() for a in os.environ.get("NNDL_TEST_ASSIGNMENTS", "").split(",")
              if a.strip()]
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise ValueError(f"NNDL_TEST_ASSIGNMENTS names {', '.join(unknown)}: the assignments "
                         f"with known-bad cases are {', '.join(found)}")
    return [a for a in found if a in wanted] if wanted else found


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
    return {cells.grade_id(c): cells.points(c) for c in nb.cells if cells.is_test(c)}


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


def nndl_cli(course: Path, *args: str, env: dict | None = None, **popen):
    """Run the real `nndl` command on a course: CompletedProcess, or Popen with popen."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, NNDL_COURSE_DIR=str(course), **(env or {}))
    cmd = [sys.executable, "-m", "nndl.cli", *args]
    if popen:
        return subprocess.Popen(cmd, cwd=course, env=env, **popen)
    return subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True)


def gradebook_scores(course: Path, assignment: str) -> dict[str, float]:
    """student -> total score of their submission in the course's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                found[student.id] = gb.find_submission(assignment, student.id).score
            except MissingEntry:
                pass
    return found


def verdict_text(course: Path, assignment: str, student: str, grade_id: str) -> str:
    """What `nndl grade` wrote in the autograded notebook for one test cell."""
    nb = nbformat.read(course / "autograded" / student / assignment /
                       notebook_name(course, assignment), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return " ".join(o.get("evalue", o.get("text", "")) for o in cell.outputs)
    raise KeyError(grade_id)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (servers the tests start)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
