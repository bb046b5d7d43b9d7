"""`nndl grade --cluster` on a real Dask cluster, recording into a real PostgreSQL server.

A module-wide scheduler and two worker processes (`dask scheduler`, `dask worker`, each a
subprocess started in a folder of their own, without the course folder or
$NNDL_COURSE_DIR) and a PostgreSQL server (tests/postgres.py) serve every test; each test
has its own course and its own database. Covered: the known-bad cases graded through the
cluster give the local pool's verdicts (week2_numpy_basics) and their golden verdicts and
scores (every assignment with cases, one test each), `nndl demo --cluster local` prints
and grades as the local demo, `nndl export` reads what the cluster run recorded
(gradebook and cluster named by the course's config only), a worker killed mid-run, the
client killed and resumed, two assignments graded at once into one gradebook, and a
second run of the same assignment refused while the first records.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from harness import (
    ROOT,
    build_submission,
    case_assignments,
    free_port,
    load_cases,
    make_course,
    nbgrader,
    submit,
)
from postgres import PostgresServer, why_not

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed", reason="needs the cluster extra: "
                                  "pip install -e '.[cluster]'")

ASSIGNMENT = "week2_numpy_basics"
CASES = {c.name: c for c in load_cases(ASSIGNMENT)}
OTHERS = [a for a in case_assignments() if a != ASSIGNMENT]  # graded by another test
SLOW_L1 = ("import time\nimport numpy as np\ndef L1(yhat, y):\n    time.sleep({})\n"
           "    return float(np.sum(np.abs(y - yhat)))\n")


def nndl(course, *args, env=None, **popen):
    env = {k: v for k, v in os.environ.items() if k != "NNDL_CLUSTER"} | (env or {})
    env["NNDL_COURSE_DIR"] = str(course)
    cmd = [sys.executable, "-m", "nndl.cli", *args]
    if popen:
        return subprocess.Popen(cmd, cwd=course, env=env, **popen)
    return subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True,
                          timeout=300)


class DaskCluster:
    """A scheduler and two `dask worker` processes, one thread each, on 127.0.0.1."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="nndl-dask-"))
        self.address = f"tcp://127.0.0.1:{free_port()}"
        dask = str(Path(sys.executable).parent / "dask")
        # the workers know nothing of any course: they get it from the client
        env = {k: v for k, v in os.environ.items() if k != "NNDL_COURSE_DIR"}
        port = self.address.rsplit(":", 1)[1]
        self.procs = [subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
            cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        for n in (1, 2):
            self.procs.append(subprocess.Popen(
                [dask, "worker", self.address, "--nthreads", "1", "--name", f"w{n}",
                 "--no-dashboard", "--local-directory", str(self.folder / f"w{n}")],
                cwd=self.folder, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL))
        self.client = distributed.Client(self.address, timeout=60)
        self.wait_for_workers()

    def wait_for_workers(self, n: int = 2) -> None:
        self.client.wait_for_workers(n, timeout=120)

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)

    def close(self) -> None:
        self.client.close()
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def dask_cluster():
    cluster = DaskCluster()
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def postgres():
    reason = why_not()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def base_course(tmp_path_factory):
    """A released course (copied by each test: nbgrader generate_assignment is slow)."""
    return make_course(tmp_path_factory.mktemp("base") / "course", [ASSIGNMENT, "week1_quiz"])


@pytest.fixture()
def course(base_course, tmp_path, dask_cluster):
    dask_cluster.wait_for_workers(2)  # a worker killed by an earlier test is back
    dest = tmp_path / "course"
    shutil.copytree(base_course, dest)
    return dest


def slow_perfect(course, student, seconds):
    nb = build_submission(course, CASES["perfect"])
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "L1":
            cell.source = SLOW_L1.format(seconds)
    submit(course, ASSIGNMENT, student, nb)


def rows(db_url: str, assignment: str = ASSIGNMENT) -> dict[str, list[float]]:
    """student -> the scores of every submission row of the assignment (one, if right)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        found: dict[str, list[float]] = {}
        for student, score in conn.execute(text(
                "SELECT s.student_id, sum(g.auto_score) FROM submitted_assignment s "
                "JOIN assignment a ON a.id = s.assignment_id "
                "JOIN submitted_notebook n ON n.assignment_id = s.id "
                "JOIN grade g ON g.notebook_id = n.id WHERE a.name = :a "
                "GROUP BY s.id, s.student_id"), {"a": assignment}):
            found.setdefault(student, []).append(float(score or 0))
    engine.dispose()
    return found


def graded_points(course, assignment) -> dict[str, float]:
    """grade_id -> points of the graded cells of the assignment's source notebook."""
    import nbformat

    (path,) = (course / "source" / assignment).glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def verdicts(course, assignment: str = ASSIGNMENT) -> dict[str, dict]:
    """student -> what the marker says was decided: score, reason, each cell's verdict."""
    found = {}
    for path in (course / ".nndl" / "graded" / assignment).glob("*.json"):
        saved = json.loads(path.read_text())
        found[path.stem] = {"score": saved["score"], "reason": saved["reason"],
                            "cells": saved["cells"], "answer_errors": saved["answer_errors"]}
    return found


def assert_golden(course, assignment: str, db: str, cases: dict) -> None:
    """Every case's recorded verdicts are its golden ones: exactly the test cells its case
    file names fail, each message holding the text it gives and carrying the mistake code
    it gives, the other cells earn their points, and PostgreSQL holds that score once."""
    got = verdicts(course, assignment)
    assert set(got) == set(cases)
    points = graded_points(course, assignment)
    recorded = rows(db, assignment)
    assert set(recorded) == set(cases)
    for case in cases.values():
        cells = {c["grade_id"]: c for c in got[case.name]["cells"]}
        assert set(cells) == set(points), case.name
        failed = {g: c["message"] for g, c in cells.items() if c["message"] is not None}
        expected = set(points) if case.fails == "all" else set(case.fails)
        assert set(failed) == expected, (case.name, failed)
        for gid, text in ({} if case.fails == "all" else case.fails).items():
            assert text is None or text in failed[gid], (case.name, gid, failed[gid])
        for gid, code in case.codes.items():
            assert cells[gid]["code"] == code, (case.name, gid, cells[gid])
        score = sum(p for g, p in points.items() if g not in failed)
        assert got[case.name]["score"] == score, case.name
        assert recorded[case.name] == [score], case.name


def test_the_cluster_gives_the_local_pools_verdicts_on_every_known_case(course, dask_cluster,
                                                                       postgres):
    """Do the known-bad cases graded on two Dask workers, recorded into PostgreSQL, get
    exactly the verdicts (scores, messages, reasons) of the local process pool, and their
    golden scores?"""
    for case in CASES.values():
        submit(course, ASSIGNMENT, case.name, build_submission(course, case))
    local = course.parent / "local"
    shutil.copytree(course, local)
    db = postgres.database()
    run = nndl(course, "grade", ASSIGNMENT, "--cluster", dask_cluster.address, "--db", db)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "2 of 2 worker(s) ready" in out
    assert out.count("graded per worker:") == 1 and out.count("tcp://127.0.0.1:") >= 3, out
    here = nndl(local, "grade", ASSIGNMENT, "--workers", "2")
    assert here.returncode == 0, here.stdout + here.stderr
    cluster, pool = verdicts(course), verdicts(local)
    assert set(cluster) == set(CASES) and cluster == pool
    assert_golden(course, ASSIGNMENT, db, CASES)
    # the autograded notebooks are written by the client, in the course
    assert len(list((course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb"))) == len(CASES)


@pytest.fixture(scope="module")
def every_course(tmp_path_factory, postgres):
    """A released course of every other assignment with known cases, each case submitted
    (by a student of its name), and one PostgreSQL gradebook for them all, named in the
    course's config before the assignments are generated into it (so that no `nndl grade`
    has to generate its assignment into the gradebook again: 10-20 s each)."""
    db = postgres.database()
    course = make_course(tmp_path_factory.mktemp("every") / "course", [])
    with open(course / "nbgrader_config.py", "a") as f:
        f.write(f"\nc.CourseDirectory.db_url = {db!r}\n")
    for assignment in OTHERS:
        shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
        nbgrader(course, "generate_assignment", assignment, "--force")
    for assignment in OTHERS:
        for case in load_cases(assignment):
            submit(course, assignment, case.name, build_submission(course, case))
    return course, db


@pytest.mark.parametrize("assignment", OTHERS)
def test_every_assignments_known_cases_get_their_golden_verdicts_on_the_cluster(
        assignment, every_course, dask_cluster):
    """Graded on two Dask workers and recorded into PostgreSQL, does every known case of
    the assignment get exactly its golden verdicts and score? (week2_numpy_basics: the
    test above, which compares with the local pool too.)"""
    course, db = every_course
    dask_cluster.wait_for_workers(2)  # a worker killed by an earlier test is back
    cases = {c.name: c for c in load_cases(assignment)}
    run = nndl(course, "grade", assignment, "--cluster", dask_cluster.address, "--db", db)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "2 of 2 worker(s) ready" in out and f"graded {len(cases)} submission(s)" in out, out
    assert_golden(course, assignment, db, cases)


def test_one_recorder_per_run_keeps_each_submissions_guarantees(base_course, tmp_path,
                                                                postgres):
    """Recording a run's submissions through one Recorder (one gradebook session): does a
    submission whose recording fails leave no row and no marker while those before and
    after it are recorded, does a connection cut under it cost nothing once retried, and
    is the course's gradebook lock still taken for each submission?"""
    from nbgrader.api import MissingEntry

    from nndl.grader.cluster import record_retrying
    from nndl.grader.record import Outcome, Recorder, marker_path
    from nndl.grader.run import _ensure_in_gradebook
    from nndl.grader.submission import read_submission

    course = tmp_path / "course"
    shutil.copytree(base_course, course)
    db = postgres.database()
    _ensure_in_gradebook(course, ASSIGNMENT, db)
    points = graded_points(course, ASSIGNMENT)
    (source,) = (course / "source" / ASSIGNMENT).glob("*.ipynb")
    for student in "abcde":
        submit(course, ASSIGNMENT, student, build_submission(course, CASES["perfect"]))

    def outcome(student, cells=points):
        digest = read_submission(course / "submitted" / student / ASSIGNMENT, source.name)[2]
        return Outcome(student, score=sum(cells.values()), max_score=sum(cells.values()),
                       digest=digest, cells=[{"grade_id": g, "points": p, "max_points": p,
                                              "message": None} for g, p in cells.items()])

    with Recorder(course, ASSIGNMENT, db) as recorder:
        recorder.record(outcome("a"))
        first = recorder._gradebook
        with pytest.raises(MissingEntry, match="no_such_test"):
            recorder.record(outcome("b", {**points, "no_such_test": 1.0}))
        recorder.record(outcome("c"))
        import psycopg  # cut the run's connection: the next write fails, then is retried

        name = db.rsplit("/", 1)[1]
        with psycopg.connect(host="127.0.0.1", port=postgres.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            cut = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM "
                               "pg_stat_activity WHERE datname = %s", (name,)).fetchone()[0]
        assert cut >= 1
        record_retrying(recorder, outcome("d"))
        assert recorder._gradebook is not first  # opened afresh after the failed write
        (course / ".nndl" / "locks").mkdir(parents=True, exist_ok=True)
        holder = subprocess.Popen(  # another writer holds the course's gradebook lock
            [sys.executable, "-c", "import fcntl, os, sys, time\n"
             "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
             "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(2)",
             str(course / ".nndl" / "locks" / "gradebook.lock")],
            stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        recorder.record(outcome("e"))
        waited = time.monotonic() - start
        holder.wait(timeout=10)
        assert waited > 1.0, waited
    assert rows(db) == {s: [sum(points.values())] for s in "acde"}
    assert [s for s in "abcde" if marker_path(course, ASSIGNMENT, s).is_file()] == list("acde")


def test_nbgrader_export_reads_what_the_cluster_recorded(course, dask_cluster, postgres):
    """With the gradebook and the cluster named only in nbgrader_config.py, does `nndl
    grade` use both, and `nndl export` (nbgrader export) read the scores recorded?"""
    db = postgres.database()
    with open(course / "nbgrader_config.py", "a") as f:
        f.write(f"\nc.CourseDirectory.db_url = {db!r}\nc.NndlGrade.cluster = "
                f"{dask_cluster.address!r}\n")
    for name in ("perfect", "L1_mean", "empty"):
        submit(course, ASSIGNMENT, name, build_submission(course, CASES[name]))
    run = nndl(course, "grade", ASSIGNMENT)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert f"on the cluster {dask_cluster.address}" in out
    assert not (course / "gradebook.db").exists() or rows(f"sqlite:///{course}/gradebook.db") \
        == {}
    export = nndl(course, "export", "--to", str(course / "grades.csv"))
    assert export.returncode == 0, export.stdout + export.stderr
    with open(course / "grades.csv") as f:
        got = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)
               if r["assignment"] == ASSIGNMENT}
    assert got == {"perfect": 10.0, "L1_mean": 9.0, "empty": 0.0}


def test_a_worker_killed_mid_run_costs_nothing_and_records_each_submission_once(
        course, dask_cluster, postgres):
    """When the worker grading a submission is killed (SIGKILL), is that submission graded
    by another worker, and does every submission appear once, with its one true score?"""
    slow_perfect(course, "slow", 6)
    for name in ("perfect", "L1_mean", "empty", "softmax_wrong_axis"):
        submit(course, ASSIGNMENT, name, build_submission(course, CASES[name]))
    db = postgres.database()
    proc = nndl(course, "grade", ASSIGNMENT, "--cluster", dask_cluster.address, "--db", db,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    client = dask_cluster.client
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        for worker, keys in client.processing().items():
            if any("-slow-" in str(k) for k in keys):
                time.sleep(1)  # it is in the middle of grading "slow"
                pid = client.run(os.getpid, workers=[worker])[worker]
                os.kill(pid, signal.SIGKILL)
                killed = worker
                break
        time.sleep(0.2)
    out, _ = proc.communicate(timeout=300)
    assert killed, out
    assert proc.returncode == 0, out
    assert f"worker {killed} left the cluster" in out
    assert rows(db) == {"slow": [10.0], "perfect": [10.0], "L1_mean": [9.0], "empty": [0.0],
                        "softmax_wrong_axis": [8.0]}


def test_a_client_killed_mid_run_resumes_without_regrading(course, dask_cluster, postgres):
    """Killing `nndl grade --cluster` half-way and starting it again: is only what is
    missing graded, and every submission in the gradebook once?"""
    students = [f"s{i:02d}" for i in range(10)]
    for student in students:
        slow_perfect(course, student, 0.5)
    db = postgres.database()
    proc = nndl(course, "grade", ASSIGNMENT, "--cluster", dask_cluster.address, "--db", db,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    marks = course / ".nndl" / "graded" / ASSIGNMENT
    deadline = time.monotonic() + 120
    while len(list(marks.glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list(marks.glob("*.json")))
    assert 3 <= finished < len(students), "the run should have been killed half-way"
    again = nndl(course, "grade", ASSIGNMENT, "--cluster", dask_cluster.address, "--db", db)
    out = again.stdout + again.stderr
    assert again.returncode == 0, out
    assert f"{finished} submission(s) already graded" in out
    assert f"graded {len(students) - finished} submission(s)" in out
    assert rows(db) == {s: [10.0] for s in students}


def test_runs_at_once_on_one_gradebook(course, dask_cluster, postgres, tmp_path):
    """Two assignments graded at once into one PostgreSQL gradebook: do both complete with
    nothing lost? A second run of the same assignment (from another copy of the course,
    so only the gradebook is shared) while the first records: is it refused, clearly,
    and does no submission get two rows?"""
    quiz = {c.name: c for c in load_cases("week1_quiz")}
    students = [f"s{i:02d}" for i in range(8)]
    for student in students:  # slow enough that the first run still records when the
        slow_perfect(course, student, 3)  # same assignment's second run starts
        submit(course, "week1_quiz", student, build_submission(course, quiz["perfect"]))
    other = tmp_path / "other"
    shutil.copytree(course, other)
    db = postgres.database()
    grade = ("grade", "--cluster", dask_cluster.address, "--db", db)
    first = nndl(course, *grade[:1], ASSIGNMENT, *grade[1:], stdout=subprocess.PIPE,
                 stderr=subprocess.STDOUT, text=True)
    second = nndl(course, *grade[:1], "week1_quiz", *grade[1:], stdout=subprocess.PIPE,
                  stderr=subprocess.STDOUT, text=True)
    marks = course / ".nndl" / "graded" / ASSIGNMENT
    deadline = time.monotonic() + 120
    while not list(marks.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    same = nndl(other, *grade[:1], ASSIGNMENT, *grade[1:])
    outs = [p.communicate(timeout=300)[0] for p in (first, second)]
    assert first.returncode == 0, outs[0]
    assert second.returncode == 0, outs[1]
    said = same.stdout + same.stderr
    assert same.returncode == 2, said
    assert f"another nndl grade of {ASSIGNMENT} is recording into this gradebook" in said
    assert rows(db) == {s: [10.0] for s in students}
    full = sum(graded_points(course, "week1_quiz").values())
    assert rows(db, "week1_quiz") == {s: [full] for s in students}
    assert not list((other / ".nndl" / "graded").glob("*/*.json"))


def test_demo_on_a_local_cluster_prints_and_grades_as_the_local_demo(tmp_path):
    """`nndl demo --cluster local`: a local Dask cluster of worker processes grades the
    class; does it print the local demo's header and summary lines, and does every
    student get the golden score of the known case they submitted?"""
    import nbformat

    quiz = "week1_quiz"
    env = {k: v for k, v in os.environ.items() if k not in ("NNDL_CLUSTER", "NNDL_COURSE_DIR")}
    dest = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-m", "nndl.cli", "demo", str(dest), "--assignment",
                           quiz, "--workers", "2", "--cluster", "local"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    said = proc.stdout
    assert proc.returncode == 0, said + proc.stderr
    assert "local Dask cluster tcp://127.0.0.1:" in said and "2 worker process(es)" in said
    assert f"2 of 2 worker(s) ready for {quiz}" in said
    assert said.count("graded per worker: tcp://") == 1, said
    # which case each student submitted, from the submitted notebook itself
    points = graded_points(dest, quiz)
    golden = {}
    for case in load_cases(quiz):
        fails = points if case.fails == "all" else case.fails
        built = nbformat.writes(build_submission(dest, case))
        golden[built] = sum(p for g, p in points.items() if g not in fails)
    expected = {}
    for folder in sorted((dest / "submitted").glob(f"*/{quiz}")):
        (path,) = folder.glob("*.ipynb")
        expected[folder.parent.name] = golden[nbformat.writes(nbformat.read(path, 4))]
    with open(dest / "grades.csv") as f:
        grades = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert len(expected) == 30 and grades == expected
    assert len(set(grades.values())) > 1  # the class holds more than one case
    mean = sum(expected.values()) / 30
    lines = said.splitlines()
    for line in (f"== {quiz} (1 of 1): grading 30 submissions ==",
                 f"{quiz}: mean score {mean:.2f} of {sum(points.values()):g}"):
        assert line in lines, said
    assert any(line.startswith("graded 30 submissions of 30 students in ") for line in lines)
    assert len(list((dest / "feedback").glob(f"*/{quiz}/*.html"))) == 30
