"""`nndl demo`: the whole instructor's loop on a made-up class, in a fresh course directory.

It copies the course's source notebooks, generates the student versions with nbgrader,
hands every student of a class of 30 a submission drawn from the known-bad cases (a third
of them perfect), grades everything in sandboxes, writes feedback, the class reports and
the grades CSV, and says where they are.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from nndl.cases import build_submission, case_assignments, load_cases, notebook_name
from nndl.course import CourseError, find_course_root
from nndl.nbgrader_cli import run_nbgrader

from .report import write_report
from .run import grade_assignment

CLASS_SIZE = 30


def make_demo_course(dest: Path, repo: Path, assignments: list[str]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "nbgrader_config.py", dest / "nbgrader_config.py")
    for assignment in assignments:
        shutil.copytree(repo / "source" / assignment, dest / "source" / assignment,
                        dirs_exist_ok=True)
        run_nbgrader(dest, "generate_assignment", assignment, "--force", "--log-level=WARN")
    students = [f"student{i:02d}" for i in range(1, CLASS_SIZE + 1)]
    for assignment in assignments:
        cases = load_cases(assignment, repo)
        perfect = [c for c in cases if c.name == "perfect"]
        others = [c for c in cases if c.name != "perfect"] or cases
        for i, student in enumerate(students):
            # a third perfect; the others take the remaining cases in order
            case = perfect[0] if perfect and i % 3 == 0 else others[(i - i // 3 - 1) % len(others)]
            folder = dest / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(build_submission(dest, case),
                           folder / notebook_name(dest, assignment))


def run_demo(directory: Path | None = None, workers: int = 2,
             assignments: list[str] | None = None, log=print,
             repo: Path | None = None, cluster: str | None = None) -> Path:
    repo = repo or find_course_root()
    assignments = assignments or case_assignments(repo)
    if not assignments:
        raise CourseError(f"no known-bad submissions for {repo}: neither its tests/submissions/ "
                          "nor the installed package's copy has any")
    dest = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="nndl-demo-"))
    if (dest / "gradebook.db").exists():
        raise CourseError(f"{dest} already holds a gradebook: choose an empty folder")
    start = time.monotonic()
    log(f"demo course: {dest}")
    log(f"generating the student versions of {len(assignments)} assignments ...")
    make_demo_course(dest, repo, assignments)
    total = 0
    with contextlib.ExitStack() as stack:
        if cluster == "local":  # one local Dask cluster of worker processes for them all
            from .cluster import connect

            client, local = connect("local", workers)
            stack.callback(local.close)
            stack.callback(client.close)
            cluster = local.scheduler_address
            log(f"local Dask cluster {cluster}: {workers} worker process(es)")
        for number, assignment in enumerate(assignments, 1):
            count = sum(1 for _ in (dest / "submitted").glob(f"*/{assignment}"))
            log(f"\n== {assignment} ({number} of {len(assignments)}): grading {count} "
                "submissions ==")
            outcomes = grade_assignment(dest, assignment, workers=workers, log=log,
                                        cluster=cluster)
            total += len(outcomes)
            if outcomes:
                mean = sum(o.score for o in outcomes) / len(outcomes)
                log(f"{assignment}: mean score {mean:.2f} of {outcomes[0].max_score:g}")
            run_nbgrader(dest, "generate_feedback", assignment, "--force", "--log-level=WARN")
            write_report(dest, assignment)
    run_nbgrader(dest, "export", f"--to={dest / 'grades.csv'}", "--log-level=WARN")
    log(f"\ngraded {total} submissions of {CLASS_SIZE} students in "
        f"{time.monotonic() - start:.0f} s")
    log(f"  student versions: {dest / 'release'}")
    log(f"  submissions:      {dest / 'submitted'}")
    log(f"  graded notebooks: {dest / 'autograded'}  (gradebook: {dest / 'gradebook.db'})")
    log(f"  feedback (HTML):  {dest / 'feedback'}")
    log("  class reports:    " + ", ".join(str(dest / 'reports' / a / 'report.html')
                                          for a in assignments))
    log(f"  grades (CSV):     {dest / 'grades.csv'}")
    return dest
