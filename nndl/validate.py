"""Validating the course both ways.

Every source notebook must pass all of its test cells; every release notebook, run as a
student receives it, must earn no point (a test that a stub passes is a vacuous test).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .course import CourseError, assignments, notebooks

# nbgrader's command line lives in nndl.nbgrader_cli; these names stay importable from
# here for the callers not changed yet (nndl/grader/run.py, benchmarks/).
from .nbgrader_cli import generate_release, nbgrader_process, run_nbgrader  # noqa: F401
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
