"""Validating the course both ways, and regenerating the student versions.

Every source notebook must pass all of its test cells; every release notebook, run as a
student receives it, must earn no point (a test that a stub passes is a vacuous test).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .course import CourseError, assignments, notebooks
from .notebooks import TestResult, run_copy, score


@dataclass
class NotebookReport:
    path: Path
    kind: str  # "source" or "release"
    results: list[TestResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        if not self.results:
            return [f"{self.path}: no autograded test cell"]
        if self.kind == "source":
            return [f"{self.path}: test {r.grade_id} fails on the solution ({r.error})"
                    for r in self.results if not r.passed]
        return [f"{self.path}: test {r.grade_id} gives {r.points:g} point(s) to the unanswered "
                "student version" for r in self.results if r.points > 0]


def validate_notebook(path: Path, kind: str, root: Path, timeout: int = 600) -> NotebookReport:
    start = time.perf_counter()
    nb = run_copy(path, course_dir=root, timeout=timeout)
    return NotebookReport(path, kind, score(nb, path.name), time.perf_counter() - start)


def validate_course(root: Path, ids: list[str] | None = None, *, log=print) -> list[str]:
    """Run every source and release notebook; return the problems found (empty: valid)."""
    ids = ids or assignments(root)
    problems: list[str] = []
    for assignment in ids:
        for kind in ("source", "release"):
            try:
                paths = notebooks(root, assignment, kind)
            except CourseError as exc:
                problems.append(str(exc))
                continue
            for path in paths:
                report = validate_notebook(path, kind, root)
                earned = sum(r.points for r in report.results)
                total = sum(r.max_points for r in report.results)
                verdict = "ok" if not report.problems else "FAILED"
                log(f"{verdict:6} {kind:7} {assignment}/{path.name}: {earned:g}/{total:g} points "
                    f"in {len(report.results)} test cells, {report.seconds:.1f} s")
                problems.extend(report.problems)
    return problems


def nbgrader_process(root: Path, *args: str, **popen) -> subprocess.Popen:
    """Start `nbgrader ARGS` in the course directory with this interpreter.

    The interpreter's bin/ goes first on PATH: nbgrader runs `alembic` from there when it
    creates a gradebook, which fails when a virtual environment is used without activation.
    """
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, NNDL_COURSE_DIR=str(root),
               PATH=os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
    # Kernels run beside other kernels and graders: with a second BLAS thread competing for
    # the same cores, training ran several times slower (../shared/MEASUREMENTS.md).
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                            text=True, **popen)


def run_nbgrader(root: Path, *args: str) -> str:
    """Run `nbgrader ARGS` to completion; raise CourseError with its output when it fails."""
    proc = nbgrader_process(root, *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.communicate()[0]
    if proc.returncode != 0:
        raise CourseError(f"nbgrader {' '.join(args)} failed:\n{output}")
    return output


def generate_release(root: Path, assignment: str) -> None:
    """Regenerate release/<assignment>/ from source/ with nbgrader generate_assignment.

    The generated modules of source/<assignment>/ (see nndl.reference) are rewritten from
    the assignments they name first, so that nbgrader copies them fresh into release/.
    """
    from .reference import regenerate_modules

    notebooks(root, assignment, "source")  # a clear error for an unknown assignment
    regenerate_modules(root, assignment)
    run_nbgrader(root, "generate_assignment", assignment, "--force", "--log-level=WARN")
