"""How fast nbgrader's gradebook takes grades: SQLite against PostgreSQL, in one run.

    python benchmarks/gradebook_rate.py [--count 200] [--writers 4] [--db URL]

Starts a PostgreSQL server in a temporary folder (tests/postgres.py; needs Debian's
`postgresql`) unless --db names one, and times the gradebook part of recording one graded
submission exactly as `nndl grade` does it (nndl.grader.record's Gradebook calls: student,
submission, one grade per test cell, commit) for --count students of week2_numpy_basics:
one writer on SQLite, one writer on PostgreSQL, and --writers processes at once on
PostgreSQL (each its own students), as several `nndl grade` runs of different assignments
or several recording clients would; and, for comparison, one writer that keeps one
Gradebook open for all its students (what batching the recording would gain). Then the
whole of recording (nndl.grader.record: the autograded notebook, the gradebook rows under
the course's gradebook lock, the marker) of --count real submissions on PostgreSQL, before
and after: ``record()`` per submission (a Gradebook opened for each) against one
``Recorder`` for the run, as ``nndl grade --cluster`` records. Prints submissions per
second for each.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

ASSIGNMENT = "week2_numpy_basics"


def grade_ids() -> tuple[str, list[str]]:
    import nbformat

    (path,) = (ROOT / "source" / ASSIGNMENT).glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    return path.stem, [c.metadata.nbgrader["grade_id"] for c in nb.cells
                       if c.metadata.get("nbgrader", {}).get("grade")
                       and not c.metadata.nbgrader.get("solution")]


def write(db_url: str, students: list[str]) -> float:
    """Record one graded submission per student as nndl grade does; seconds taken."""
    from nbgrader.api import Gradebook

    notebook, cells = grade_ids()
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    for student in students:
        with Gradebook(db_url) as gb:
            _write(gb, notebook, cells, student)
    return time.perf_counter() - start


def _write(gb, notebook: str, cells: list[str], student: str) -> None:
    """One graded submission's rows, as nndl.grader.record writes them."""
    gb.update_or_create_student(student)
    gb.update_or_create_submission(ASSIGNMENT, student)
    for gid in cells:
        grade = gb.find_grade(gid, notebook, ASSIGNMENT, student)
        grade.auto_score = 1.0
        grade.needs_manual_grade = False
    gb.db.commit()


def write_one_session(db_url: str, students: list[str]) -> float:
    """The same writes through one Gradebook (one engine, one session) for all students:
    what batching the recording would gain."""
    from nbgrader.api import Gradebook

    notebook, cells = grade_ids()
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    with Gradebook(db_url) as gb:
        for student in students:
            _write(gb, notebook, cells, student)
    return time.perf_counter() - start


def record_path(course: Path, db_url: str, students: list[str], one_recorder: bool) -> float:
    """Record one graded submission (the perfect case, submitted) per student through
    nndl.grader.record, a Gradebook per submission or one Recorder for all; seconds."""
    from harness import build_submission, load_cases, submit

    from nndl.grader.record import Outcome, Recorder, record
    from nndl.grader.submission import read_submission

    notebook, cells = grade_ids()
    (perfect,) = [c for c in load_cases(ASSIGNMENT) if c.name == "perfect"]
    nb = build_submission(course, perfect)
    outcomes = []
    for student in students:
        submit(course, ASSIGNMENT, student, nb)
        digest = read_submission(course / "submitted" / student / ASSIGNMENT,
                                 f"{notebook}.ipynb")[2]
        outcomes.append(Outcome(student, score=len(cells), max_score=len(cells), digest=digest,
                                cells=[{"grade_id": g, "points": 1.0, "max_points": 1.0,
                                        "message": "", "passed": True} for g in cells]))
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    if one_recorder:
        with Recorder(course, ASSIGNMENT, db_url) as recorder:
            for outcome in outcomes:
                recorder.record(outcome)
    else:
        for outcome in outcomes:
            record(course, ASSIGNMENT, outcome, db_url)
    return time.perf_counter() - start


def prepare(course: Path, db_url: str) -> None:
    """The assignment in the gradebook, as nbgrader generate_assignment puts it there."""
    from nndl.validate import run_nbgrader

    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN",
                 f"--db={db_url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="submissions per writer")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--db", help="a PostgreSQL server URL without database name "
                                     "(default: start one here)")
    args = parser.parse_args()
    from harness import make_course

    folder = Path(tempfile.mkdtemp(prefix="nndl-gb-rate-"))
    server = None
    try:
        course = make_course(folder / "course", [ASSIGNMENT])
        if args.db:
            base = args.db.rstrip("/")
            make_db = None
        else:
            from postgres import PostgresServer, why_not

            reason = why_not()
            if reason:
                sys.exit(f"cannot start PostgreSQL: {reason}")
            server = PostgresServer().start()
            base, make_db = server.url, server.database
        sqlite = f"sqlite:///{folder / 'gradebook.db'}"
        prepare(course, sqlite)
        seconds = write(sqlite, [f"a{i:05d}" for i in range(args.count)])
        print(f"sqlite, 1 writer:      {args.count / seconds:7.1f} submissions/s "
              f"({seconds / args.count * 1000:.1f} ms each)", flush=True)
        pg = make_db() if make_db else f"{base}/postgres"
        prepare(course, pg)
        seconds = write(pg, [f"b{i:05d}" for i in range(args.count)])
        print(f"postgresql, 1 writer:  {args.count / seconds:7.1f} submissions/s "
              f"({seconds / args.count * 1000:.1f} ms each)", flush=True)
        seconds = write_one_session(pg, [f"c{i:05d}" for i in range(args.count)])
        print(f"postgresql, 1 writer, one session for all: {args.count / seconds:7.1f} "
              f"submissions/s ({seconds / args.count * 1000:.1f} ms each)", flush=True)
        for label, one in (("record() per submission (before)", False),
                           ("one Recorder per run (after)", True)):
            seconds = record_path(course, pg, [f"{'r1' if one else 'r0'}_{i:05d}"
                                               for i in range(args.count)], one)
            print(f"postgresql, whole recording, {label}: {args.count / seconds:7.1f} "
                  f"submissions/s ({seconds / args.count * 1000:.1f} ms each)", flush=True)
        jobs = [(pg, [f"w{w}_{i:05d}" for i in range(args.count)])
                for w in range(args.writers)]
        start = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(args.writers) as pool:
            pool.starmap(write, jobs)
        wall = time.perf_counter() - start
        total = args.count * args.writers
        print(f"postgresql, {args.writers} writers: {total / wall:7.1f} submissions/s in all "
              f"({total} submissions in {wall:.1f} s, process start included)")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
