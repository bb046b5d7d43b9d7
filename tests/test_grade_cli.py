"""`nndl grade` end to end: a class with honest, broken and hostile submissions.

A temporary course gets the week 2 numpy-basics known-bad cases plus submissions that
attack the grader; the real command grades them into nbgrader's gradebook, `nndl
feedback` and `nndl export` run on what it recorded, and a run killed half-way is resumed.
"""

from __future__ import annotations

import csv
import html
import os
import re
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from harness import (
    build_submission,
    load_cases,
    make_course,
    nndl_cli,
    notebook_name,
    submit,
    verdict_text,
)

pytestmark = pytest.mark.slow

ASSIGNMENT = "week2_numpy_basics"
CASES = load_cases(ASSIGNMENT)
PERFECT = next(c for c in CASES if c.name == "perfect")


def nndl(course, *args, check=True, **popen):
    proc = nndl_cli(course, *args, **popen)
    if check and not popen:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def hostile(course, name, l1_body):
    """The perfect submission with L1 replaced by hostile code."""
    nb = build_submission(course, PERFECT)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "L1":
            cell.source = f"import numpy as np\ndef L1(yhat, y):\n    {l1_body}\n"
    submit(course, ASSIGNMENT, name, nb)


ATTACKS = {
    # student id: (L1 body, text the test_L1 message must contain)
    "loops_forever": ("while True:\n        pass", "did not finish within 3 s"),
    "exits": ("import os; os._exit(1)", "exit status 1"),
    "segfaults": ("import ctypes; ctypes.string_at(0)", "segmentation fault"),
    "reads_solutions": ("return float(len(open('../../source/week2_numpy_basics/"
                        "numpy_basics.ipynb').read()))", "L1 raised"),
    "rebinds_numpy": ("np.allclose = np.isclose = lambda *a, **k: True\n    return 0.0",
                      "L1(yhat, y) is 0.0"),
    "rebinds_builtins": ("import builtins; builtins.isinstance = lambda *a: True\n"
                         "    builtins.float = lambda *a: 0.0\n    return 0.0", "L1"),
    "forges_eq": ("class Yes(float):\n        def __eq__(self, o): return True\n"
                  "    return Yes(0.0)", "L1(yhat, y) is an object of type L1.<locals>.Yes"),
    "memory_bomb": ("x = [bytearray(10**8) for _ in range(100)]",
                    ("MemoryError", "did not finish within 3 s")),
    # EAGAIN once the process limit is reached; or, when its forks keep ending and making
    # room, the call's time limit
    "fork_bomb": ("import os\n    while True:\n        os.fork()",
                  ("L1 raised", "did not finish within 3 s")),
    "floods_output": ("print('x' * 10**8)\n    return 0.0", "L1(yhat, y) is 0.0"),
    "prints_success": ("print('All tests passed: 10/10')\n    return 0.0",
                       "L1(yhat, y) is 0.0"),
    "writes_files": ("open('/tmp/verdict.json', 'w').write('{\"score\": 10}')\n"
                     "    return 0.0", "L1(yhat, y) is 0.0"),
    "syntax_error": ("return (", "its answer cell raised SyntaxError"),
    # Against the zygote (the warm process that forks each submission's worker): its
    # parent. In a cold sandbox the parent is bubblewrap (root), and the kill fails.
    "kills_zygote": ("import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                     "    return 0.0", ("L1(yhat, y) is 0.0", "ended the Python process",
                                       "L1 raised PermissionError")),
    "stops_zygote": ("import os, signal\n    os.kill(os.getppid(), signal.SIGSTOP)\n"
                     "    return 0.0", ("L1(yhat, y) is 0.0", "L1 raised PermissionError")),
    # A process left behind that kills every newer process (the next submissions' workers)
    # for 30 s: every other case's golden score shows it never reached them.
    "haunts_next": ("import os, signal, time\n    if os.fork() == 0:\n"
                    "        me, end = os.getpid(), time.time() + 30\n"
                    "        while time.time() < end:\n"
                    "            for p in os.listdir('/proc'):\n"
                    "                if p.isdigit() and int(p) > me:\n"
                    "                    try:\n"
                    "                        os.kill(int(p), signal.SIGKILL)\n"
                    "                    except OSError:\n"
                    "                        pass\n"
                    "            time.sleep(0.01)\n"
                    "        os._exit(0)\n"
                    "    return 0.0", "L1(yhat, y) is 0.0"),
}


def _writes_reply_pipe(payload: str, then: str = "time.sleep(30)") -> str:
    """An L1 body that writes payload (a bytes expression) to its own reply pipe, then
    does `then`: attacks on the grader's wire protocol."""
    return ("import fcntl, os, struct, time\n"
            "    for fd in range(3, 256):\n"
            "        try:\n"
            "            pipe = os.readlink(f'/proc/self/fd/{fd}').startswith('pipe:')\n"
            "            if pipe and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_WRONLY:\n"
            f"                os.write(fd, {payload})\n"
            "        except OSError:\n"
            "            pass\n"
            f"    {then}\n"
            "    return 0.0")


ATTACKS.update({
    # Each costs only test_L1, within the call's time limit (3 s here), never the run.
    "partial_header": (_writes_reply_pipe("b'\\0\\0\\0\\0'"), "did not finish within 3 s"),
    "partial_body": (_writes_reply_pipe("struct.pack('!Q', 100) + b'{\"ok\": tr'"),
                     "did not finish within 3 s"),
    "oversized_header": (_writes_reply_pipe("struct.pack('!Q', 2**40)"),
                         "more than it accepts"),
    "garbage_reply": (_writes_reply_pipe("struct.pack('!Q', 10) + b'not json!!'", "pass"),
                      "could not read your process's answer"),
    "object_flood": (_writes_reply_pipe("struct.pack('!Q', 3 * 2**23 + 1) + b'[' + "
                                        "b'{},' * 2**23", "pass"),
                     "more than it accepts"),
})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("course"), [ASSIGNMENT])
    for case in CASES:
        submit(course, ASSIGNMENT, case.name, build_submission(course, case))
    for student, (body, _) in ATTACKS.items():
        hostile(course, student, body)
    name = notebook_name(course, ASSIGNMENT)
    (course / "submitted" / "corrupt" / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / "corrupt" / ASSIGNMENT / name).write_text('{"cells": [')
    (course / "submitted" / "renamed" / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / "renamed" / ASSIGNMENT / "Copy1.ipynb").write_text("{}")
    (course / "submitted" / "huge" / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / "huge" / ASSIGNMENT / name).write_text(" " * (21 * 2**20))
    # a perfect submission that also deletes one test cell, guts another and claims 100
    # points for an answer cell: the grader uses the course's own test cells
    nb = build_submission(course, PERFECT)
    kept = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_L2":
            continue
        if meta.get("grade_id") == "test_softmax":
            cell.source = "pass"
        if meta.get("grade_id") == "L1":
            meta.update(grade=True, points=100)
        kept.append(cell)
    nb.cells = kept
    submit(course, ASSIGNMENT, "edits_tests", nb)
    result = nndl(course, "grade", ASSIGNMENT, "--workers", "2", "--timeout", "3")
    nndl(course, "feedback", ASSIGNMENT)
    nndl(course, "export", "--to", str(course / "grades.csv"))
    return course, result.stdout + result.stderr


def scores(course):
    with open(course / "grades.csv") as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}


def cell_message(course, student, grade_id):
    return verdict_text(course, ASSIGNMENT, student, grade_id)


def test_every_case_gets_its_golden_score(graded):
    """Does the export hold, for each known-bad case, the total minus its mistakes?"""
    course, _ = graded
    got = scores(course)
    nb = nbformat.read(course / "source" / ASSIGNMENT / notebook_name(course, ASSIGNMENT),
                       as_version=4)
    points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade")}
    for case in CASES:
        fails = points if case.fails == "all" else case.fails
        assert got[case.name] == sum(p for g, p in points.items() if g not in fails), case.name


@pytest.mark.parametrize("student", sorted(ATTACKS))
def test_attack_costs_only_its_function_and_is_named(graded, student):
    course, _ = graded
    assert scores(course)[student] == 9.0
    expected = ATTACKS[student][1]
    message = cell_message(course, student, "test_L1")
    assert any(text in message for text in
               (expected if isinstance(expected, tuple) else (expected,))), message


def test_edited_test_cells_change_nothing(graded):
    """Do deleted, gutted or re-labelled cells leave a perfect submission at 10 of 10?"""
    course, _ = graded
    assert scores(course)["edits_tests"] == 10.0


def test_unreadable_submissions_are_recorded_with_their_reason(graded):
    course, output = graded
    assert scores(course)["corrupt"] == 0.0 and scores(course)["renamed"] == 0.0
    assert scores(course)["huge"] == 0.0 and "over the 20 MB limit" in output
    assert "corrupt: numpy_basics.ipynb is not a readable notebook" in output
    assert "renamed: missing notebook: expected numpy_basics.ipynb, found Copy1.ipynb" in output
    assert "not a readable notebook" in cell_message(course, "corrupt", "test_L1")


def test_feedback_has_verdicts_but_no_hidden_tests(graded):
    course, _ = graded
    page = (course / "feedback" / "softmax_wrong_axis" / ASSIGNMENT /
            notebook_name(course, ASSIGNMENT).replace(".ipynb", ".html")).read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "a softmax over the columns (axis=0) instead of the rows" in text
    assert "passed: 1 of 1 point(s)" in text
    for secret in ("BEGIN HIDDEN TESTS", "_hidden_", "reference.load", str(course)):
        assert secret not in text, secret


def test_a_killed_run_resumes_without_regrading(tmp_path):
    """Does killing `nndl grade` and starting it again grade only what is missing?"""
    course = make_course(tmp_path / "course", [ASSIGNMENT])
    students = [f"s{i:02d}" for i in range(12)]
    for student in students:
        submit(course, ASSIGNMENT, student, build_submission(course, PERFECT))
    proc = nndl(course, "grade", ASSIGNMENT, "--workers", "1", stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    done = lambda: len(list((course / ".nndl" / "graded" / ASSIGNMENT).glob("*.json")))  # noqa: E731
    while done() < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = done()
    assert 3 <= finished < len(students), "the run should have been killed half-way"
    second = nndl(course, "grade", ASSIGNMENT, "--workers", "2")
    assert f"{finished} submission(s) already graded" in second.stdout
    assert f"graded {len(students) - finished} submission(s)" in second.stdout
    nndl(course, "export", "--to", str(course / "grades.csv"))
    assert scores(course) == dict.fromkeys(students, 10.0)


def test_report_shows_distribution_pass_rates_and_named_mistakes(graded):
    """Does the class report name the mistakes and the submissions that ended early?"""
    course, _ = graded
    result = nndl(course, "report", ASSIGNMENT)
    report = course / "reports" / ASSIGNMENT / "report.html"
    assert str(report) in result.stdout
    text = html.unescape(re.sub(r"<[^>]+>", " ", report.read_text()))
    for expected in ("a softmax over the columns (axis=0) instead of the rows",
                     "changes its argument in place", "endless loop or too slow",
                     "crashed its process", "unreadable or missing notebook", "corrupt"):
        assert expected in text, expected
    for image in ("scores.png", "pass_rates.png"):
        assert (report.parent / image).read_bytes()[:4] == b"\x89PNG"


def test_demo_runs_the_whole_loop(tmp_path):
    """Does `nndl demo` release, grade a class of 30, and write feedback, report and CSV?"""
    proc = subprocess.run([sys.executable, "-m", "nndl.cli", "demo", str(tmp_path / "demo"),
                           "--assignment", ASSIGNMENT, "--workers", "2"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    demo = tmp_path / "demo"
    assert "graded 30 submissions of 30 students" in proc.stdout
    assert len(list((demo / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))) == 30
    assert (demo / "reports" / ASSIGNMENT / "report.html").is_file()
    with open(demo / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30 and {r["score"] for r in rows} >= {"10.0", "0.0"}
