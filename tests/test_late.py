"""Late submissions: `nndl grade` honours what `nbgrader autograde` honours.

One class (on time, 7 days late, no timestamp) is graded by stock `nbgrader autograde` in
one copy of a course and by `nndl grade` in another, with a due date in the gradebook and
nbgrader's LateSubmissionPlugin set to `penalty_method = 'zero'`; both exports must give
the same timestamps, penalties and scores.
"""

from __future__ import annotations

import csv
import shutil

import pytest
from harness import build_submission, load_cases, make_course, nbgrader, nndl_cli, submit

pytestmark = pytest.mark.slow

ASSIGNMENT = "week2_numpy_basics"
CASES = {c.name: c for c in load_cases(ASSIGNMENT)}
DUE = "2026-01-10 12:00:00 UTC"
TIMES = {"on_time": "2026-01-09 08:30:00.000000 UTC", "late": "2026-01-17 12:00:00.000000 UTC",
         "no_timestamp": None, "late_and_wrong": "2026-01-11 00:00:00.000000 UTC"}


def _export(course) -> dict[str, dict]:
    nbgrader(course, "export", "--to=grades.csv")
    with open(course / "grades.csv", newline="") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def test_late_penalties_and_timestamps_match_stock_autograde(tmp_path):
    """Do the same late, on-time and untimed submissions get the same timestamps,
    penalties and scores from `nndl grade` as from stock `nbgrader autograde`?"""
    ours = make_course(tmp_path / "ours", [ASSIGNMENT])
    with open(ours / "nbgrader_config.py", "a") as config:
        config.write("\nc.LateSubmissionPlugin.penalty_method = 'zero'\n")
    nbgrader(ours, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    for student, stamp in TIMES.items():
        case = CASES["L1_mean" if student == "late_and_wrong" else "perfect"]
        submit(ours, ASSIGNMENT, student, build_submission(ours, case))
        if stamp:
            (ours / "submitted" / student / ASSIGNMENT / "timestamp.txt").write_text(stamp)
        # what nbgrader's exchange adds on submit; release_feedback needs it with the feedback
        (ours / "submitted" / student / ASSIGNMENT / "submission_secret.txt").write_text(
            f"secret-of-{student}")
    stock = tmp_path / "stock"
    shutil.copytree(ours, stock)

    nbgrader(stock, "autograde", ASSIGNMENT)
    result = nndl_cli(ours, "grade", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr

    theirs, mine = _export(stock), _export(ours)
    assert set(theirs) == set(mine) == set(TIMES)
    for student in TIMES:
        for column in ("timestamp", "duedate", "late_submission_penalty", "raw_score",
                       "score"):
            assert mine[student][column] == theirs[student][column], (student, column)
    assert float(mine["late"]["score"]) == 0 and float(mine["late"]["raw_score"]) == 10
    assert float(mine["late_and_wrong"]["late_submission_penalty"]) == 9
    assert float(mine["on_time"]["score"]) == 10 and float(mine["no_timestamp"]["score"]) == 10
    assert mine["late"]["timestamp"].startswith("2026-01-17 12:00:00")
    for student in TIMES:
        for name in ("timestamp.txt", "submission_secret.txt"):
            theirs_file = stock / "autograded" / student / ASSIGNMENT / name
            mine_file = ours / "autograded" / student / ASSIGNMENT / name
            assert mine_file.is_file() == theirs_file.is_file(), (student, name)
            if theirs_file.is_file():
                assert mine_file.read_text() == theirs_file.read_text(), (student, name)
