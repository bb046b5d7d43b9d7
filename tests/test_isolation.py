"""No submission can touch another's grade, the grader's memory or the instructor's files.

Each test grades a small class through the real `nndl grade` in a temporary course, with
one or more attackers of one class among honest students, and checks that the attacker
loses at most its own points, with a named reason, while every other student gets the
score they get when graded alone (the known-bad cases' golden scores). See
docs/security.md for the threat model and the list of attack classes.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import nbformat
import pytest
from harness import (
    build_submission,
    gradebook_scores,
    load_cases,
    make_course,
    nndl_cli,
    notebook_name,
    submit,
    verdict_text,
)

from nndl.grader.sandbox import bubblewrap

pytestmark = pytest.mark.slow

ASSIGNMENT = "week2_numpy_basics"
CASES = {c.name: c for c in load_cases(ASSIGNMENT)}


def with_l1(course, body: str) -> nbformat.NotebookNode:
    """The perfect submission with L1's body replaced (indented by the caller)."""
    nb = build_submission(course, CASES["perfect"])
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "L1":
            cell.source = f"import numpy as np\ndef L1(yhat, y):\n{body}\n"
    return nb


def message(course, student, grade_id="test_L1") -> str:
    return verdict_text(course, ASSIGNMENT, student, grade_id)


@pytest.fixture()
def course(tmp_path):
    return make_course(tmp_path / "course", [ASSIGNMENT])


POLLUTE = """    import ctypes, os, platform
    import numpy as np
    libc = ctypes.CDLL(None)
    libc.shmget(0, 64 * 2**20, 0o1666)  # IPC_PRIVATE, IPC_CREAT | 0666: 64 MB kept
    libc.semget(0, 4, 0o1666)
    libc.msgget(0, 0o1666)
    open('/tmp/left.txt', 'w').write('x')
    try:  # not writable in bubblewrap's /dev; elsewhere it must be emptied
        open('/dev/shm/left', 'w').write('x')
    except OSError:
        pass
    number = {'x86_64': 248, 'aarch64': 217}.get(platform.machine())  # add_key(2)
    if number:
        libc.syscall(number, b'user', b'left', b'secret', 6, ctypes.c_long(-4))
    os.environ['LEFT'] = '1'
    state = np.random.get_state()
    np.random.set_state((state[0], state[1], 10**6, 0, 0.0))  # reads past its key
    return float(np.sum(np.abs(y - yhat)))"""

PROBE = """    import os
    import numpy as np
    left = []
    for kind in ('shm', 'sem', 'msg'):
        with open(f'/proc/sysvipc/{kind}') as table:
            if len(table.read().splitlines()) > 1:
                left.append(kind)
    if os.path.exists('/tmp/left.txt'):
        left.append('tmp')
    if os.path.exists('/dev/shm/left'):
        left.append('dev/shm')
    import ctypes, platform
    number = {'x86_64': 250, 'aarch64': 219}.get(platform.machine())  # keyctl(2)
    if number and ctypes.CDLL(None).syscall(number, 11, ctypes.c_long(-4), None, 0) > 0:
        left.append('keyring')  # KEYCTL_READ of the user keyring: bytes of key ids
    if 'LEFT' in os.environ:
        left.append('environment')
    np.random.rand(3)  # crashes on a broken global random state
    if left:
        raise RuntimeError('left behind by another submission: ' + ', '.join(left))
    return float(np.sum(np.abs(y - yhat)))"""


@pytest.mark.skipif(not bubblewrap(), reason="needs bubblewrap: the zygote runs only in it")
def test_nothing_one_submission_leaves_reaches_the_next(course):
    """Does a submission graded right after one that leaves IPC objects, keys, files and
    a broken random state behind (same worker, same zygote) find a fresh sandbox?"""
    submit(course, ASSIGNMENT, "a1_pollutes", with_l1(course, POLLUTE))
    submit(course, ASSIGNMENT, "a2_probe", with_l1(course, PROBE))
    submit(course, ASSIGNMENT, "a3_perfect", build_submission(course, CASES["perfect"]))
    result = nndl_cli(course, "grade", ASSIGNMENT, "--workers", "1")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert gradebook_scores(course, ASSIGNMENT) == {"a1_pollutes": 10, "a2_probe": 10,
                                                   "a3_perfect": 10}, \
        message(course, "a2_probe")


def test_a_symlinked_submission_is_refused_by_name(course, tmp_path):
    """Does a submission that links to the instructor's notebook or to a system file earn
    nothing and show nothing of the target?"""
    name = notebook_name(course, ASSIGNMENT)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE")
    for student, target in (("links_source", course / "source" / ASSIGNMENT / name),
                            ("links_secret", secret), ("links_environ",
                                                       "/proc/self/environ")):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / name).symlink_to(target)
    linked = course / "submitted" / "links_folder"
    linked.mkdir()
    (linked / ASSIGNMENT).symlink_to(course / "source" / ASSIGNMENT)
    submit(course, ASSIGNMENT, "perfect", build_submission(course, CASES["perfect"]))
    result = nndl_cli(course, "grade", ASSIGNMENT)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    scores = gradebook_scores(course, ASSIGNMENT)
    assert scores == {"links_source": 0, "links_secret": 0, "links_environ": 0,
                      "links_folder": 0, "perfect": 10}
    assert "is a symbolic link" in message(course, "links_secret")
    assert nndl_cli(course, "feedback", ASSIGNMENT).returncode == 0
    for page in (course / "feedback").rglob("*.html"):
        text = page.read_text()
        assert "TOP-SECRET-LINE" not in text and "BEGIN SOLUTION" not in text


def test_a_slow_submission_is_stopped_by_its_budget(course):
    """Does a submission that sleeps just under the call limit in every call stop at the
    per-submission budget, losing only the tests after it, while others are unaffected?"""
    nb = build_submission(course, CASES["perfect"])
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") != "imports":
            cell.source = "import time\n" + cell.source.replace(
                "):\n", "):\n    time.sleep(0.9)\n", 1)
    submit(course, ASSIGNMENT, "sleepy", nb)
    submit(course, ASSIGNMENT, "perfect", build_submission(course, CASES["perfect"]))
    start = time.monotonic()
    result = nndl_cli(course, "grade", ASSIGNMENT, "--timeout", "2",
                      "--submission-timeout", "4")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert time.monotonic() - start < 120
    scores = gradebook_scores(course, ASSIGNMENT)
    assert scores["perfect"] == 10 and scores["sleepy"] < 10, out
    nb = nbformat.read(course / "autograded" / "sleepy" / ASSIGNMENT /
                       notebook_name(course, ASSIGNMENT), as_version=4)
    texts = " ".join(o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []))
    assert "took over 4 s in all, the limit for one submission" in texts


def test_student_ids_that_would_break_files_are_refused_by_name(course):
    """Are folder names with commas, quotes or line breaks refused, while every other
    student is graded, exported and given feedback?"""
    bad = ["evil,0,0,0,100,0,100,100\nfake", "quote\"d", "new\nline"]
    for student in [*bad, "perfect", "L1_mean"]:
        case = CASES["L1_mean" if student == "L1_mean" else "perfect"]
        submit(course, ASSIGNMENT, student, build_submission(course, case))
    result = nndl_cli(course, "grade", ASSIGNMENT)
    out = result.stdout + result.stderr
    assert result.returncode == 3, out
    assert out.count("is not a valid student id") >= len(bad)
    assert gradebook_scores(course, ASSIGNMENT) == {"perfect": 10, "L1_mean": 9}
    assert nndl_cli(course, "feedback", ASSIGNMENT).returncode == 0
    assert (course / "feedback" / "L1_mean" / ASSIGNMENT).is_dir()
    export = nndl_cli(course, "export", "--to", str(course / "grades.csv"))
    assert export.returncode == 0, export.stdout + export.stderr
    import csv

    with open(course / "grades.csv", newline="") as f:
        students = {row["student_id"] for row in csv.DictReader(f)}
    assert students == {"perfect", "L1_mean"}


def test_the_graded_notebook_shows_the_code_that_was_graded(course):
    """Does a markdown cell that carries the answer's grade_id, placed before the real
    answer, change nothing the instructor sees, and is the duplicate named?"""
    nb = build_submission(course, CASES["L1_mean"])
    index = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "L1")
    decoy = nbformat.v4.new_markdown_cell("def L1(yhat, y):\n    return CORRECT_LOOKING")
    decoy.metadata["nbgrader"] = dict(nb.cells[index].metadata["nbgrader"])
    nb.cells.insert(index, decoy)
    graded_source = nb.cells[index + 1].source
    submit(course, ASSIGNMENT, "decoy", nb)
    result = nndl_cli(course, "grade", ASSIGNMENT)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert gradebook_scores(course, ASSIGNMENT) == {"decoy": 9}
    assert "several cells with the grade_id(s) L1" in out
    shown = nbformat.read(course / "autograded" / "decoy" / ASSIGNMENT /
                          notebook_name(course, ASSIGNMENT), as_version=4)
    (cell,) = [c for c in shown.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "L1"]
    assert cell.cell_type == "code" and cell.source == graded_source
    assert "CORRECT_LOOKING" not in json.dumps(shown)


def test_stored_artefacts_stay_under_their_bound(course):
    """Does a submission stuffed with huge outputs and a huge answer cell get an
    autograded notebook and a feedback page of at most a few MB, saying what was cut?"""
    nb = build_submission(course, CASES["perfect"])
    png = "iVBORw0KGgo" + "A" * (1_900_000)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code[:2]:
        cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})
                        for _ in range(3)]
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "L1":
            cell.source += "\n" + "# padding\n" * 300_000
    submit(course, ASSIGNMENT, "stuffed", nb)
    result = nndl_cli(course, "grade", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    graded = course / "autograded" / "stuffed" / ASSIGNMENT / notebook_name(course, ASSIGNMENT)
    assert graded.stat().st_size <= 5 * 2**20
    assert "truncated" in graded.read_text()
    assert gradebook_scores(course, ASSIGNMENT) == {"stuffed": 10}
    assert nndl_cli(course, "feedback", ASSIGNMENT).returncode == 0
    (page,) = (course / "feedback" / "stuffed" / ASSIGNMENT).glob("*.html")
    assert page.stat().st_size <= 7 * 2**20
    if os.environ.get("NNDL_SHOW_FIGURES"):  # pytest -s: the figures docs/security.md gives
        submitted = course / "submitted" / "stuffed" / ASSIGNMENT / graded.name
        print(f"\nsubmitted {submitted.stat().st_size / 2**20:.1f} MB -> autograded "
              f"{graded.stat().st_size / 2**20:.1f} MB, feedback "
              f"{page.stat().st_size / 2**20:.1f} MB")


def test_a_notebook_replaced_while_it_is_graded_is_graded_as_replaced(course):
    """When a student's notebook changes during grading, does the recorded grade belong
    to the new file (never the old score under the new file's name)?"""
    slow = with_l1(course, "    import time\n    time.sleep(20)\n"
                           "    return float(np.sum(np.abs(y - yhat)))")
    submit(course, ASSIGNMENT, "changes", slow)
    proc = nndl_cli(course, "grade", ASSIGNMENT, "--workers", "1",
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(10)  # past the preflight (a few s): its first L1 call takes 20 s
    submit(course, ASSIGNMENT, "changes", build_submission(course, CASES["perfect"]))
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert "changes              changed while it was graded: graded again" in out
    rerun = nndl_cli(course, "grade", ASSIGNMENT)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert gradebook_scores(course, ASSIGNMENT) == {"changes": 10}


def test_two_runs_at_once_wait_for_each_other(course):
    """Do two `nndl grade` runs started together on one course and gradebook finish
    without a crash, a lost or a doubled row, every time (five tries)?"""
    students = [f"s{i}" for i in range(4)]
    for student in students:
        submit(course, ASSIGNMENT, student, build_submission(course, CASES["perfect"]))
    for attempt in range(5):
        procs = [nndl_cli(course, "grade", ASSIGNMENT, "--workers", "1", "--force",
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(2)]
        outs = [p.communicate(timeout=300)[0] for p in procs]
        for p, out in zip(procs, outs, strict=True):
            assert p.returncode == 0, f"attempt {attempt}: {out}"
        assert any("waiting: another run holds grade-" in out for out in outs), outs
        assert gradebook_scores(course, ASSIGNMENT) == dict.fromkeys(students, 10)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert len(gb.assignment_submissions(ASSIGNMENT)) == len(students)


def test_the_grader_process_memory_stays_bounded_against_hostile_replies(course):
    """Do replies announced as 1 GiB, or made of millions of tiny objects, cost only
    their test, and does each grading process stay under 1 GiB resident?"""
    flood = ("    import fcntl, os, struct, time\n"
             "    for fd in range(3, 256):\n"
             "        try:\n"
             "            if os.readlink(f'/proc/self/fd/{fd}').startswith('pipe:') and \\\n"
             "                    fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_WRONLY:\n"
             "                os.write(fd, PAYLOAD)\n"
             "        except OSError:\n"
             "            pass\n"
             "    time.sleep(5)\n"
             "    return 0.0")
    payloads = {"streams_a_gigabyte": "struct.pack('!Q', 2**30) + b'[' + b'1,' * 2**24",
                "tiny_objects": "(lambda b: struct.pack('!Q', len(b)) + b)"
                                "(b'[' + b'{},' * (13 * 2**20))"}
    for student, payload in payloads.items():
        submit(course, ASSIGNMENT, student, with_l1(course, flood.replace("PAYLOAD", payload)))
    submit(course, ASSIGNMENT, "perfect", build_submission(course, CASES["perfect"]))
    result = nndl_cli(course, "grade", ASSIGNMENT, "--timeout", "10")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert gradebook_scores(course, ASSIGNMENT) == {"streams_a_gigabyte": 9,
                                                   "tiny_objects": 9, "perfect": 10}
    for student in payloads:
        assert "more than it accepts" in message(course, student)
    peaks = [json.loads(p.read_text())["grader_peak_mb"]
             for p in (course / ".nndl" / "graded" / ASSIGNMENT).glob("*.json")]
    assert peaks and max(peaks) < 1024, peaks
    if os.environ.get("NNDL_SHOW_FIGURES"):  # pytest -s: the figures docs/security.md gives
        print(f"\ngrading processes' peak resident memory: {max(peaks):.0f} MB")
