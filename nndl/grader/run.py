"""`nndl grade`: every submission of an assignment, in parallel, into nbgrader's gradebook.

Before anything is graded, a preflight proves that the sandbox works for the assignment
(it starts one, runs the assignment's imports and a known-good call); if it does not, the
run stops with the cause and records nothing.

For each ``submitted/<student>/<assignment>/``: read the notebook once (a missing,
corrupt, linked or huge notebook is the student's, recorded with its reason), grade those
very bytes (nndl.grader.verdict), then record the scores in the gradebook and write
``autograded/<student>/<assignment>/`` — the notebook nbgrader's formgrader and
``generate_feedback`` read — and, last, a marker (``.nndl/graded/<assignment>/``) holding
the digest of the bytes that were graded. A run that is killed and started again grades
only the submissions without an up-to-date marker.

Two kinds of failure are never mixed. What the student's code did after its worker
greeted the grader costs that test's points, with a named reason. A fault of the grader
(a sandbox that does not start, a worker process that dies, an error in the grader or in
recording) records nothing for that submission: no score, no marker. The run goes on with
the others, says loudly which were not graded and why, and raises ``NotGraded`` at the
end (``nndl grade`` exits non-zero); the next run grades exactly those.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import nbformat

from nndl.course import CourseError, notebooks

from .program import load_program, student_answers

MAX_NOTEBOOK_BYTES = 20 * 2**20
MARKERS = Path(".nndl") / "graded"  # in the course folder, never in what students receive
MAX_POOL_RESTARTS = 2  # a grading worker process that dies: its submissions are retried
FAULT_ENV = "NNDL_GRADER_FAULT"  # students whose grading fails on the grader's side (tests)


class NotGraded(CourseError):
    """Some submissions were not graded because of a fault of the grader's; nothing was
    recorded for them, and the next run grades them."""

    def __init__(self, assignment: str, not_graded: dict[str, str], outcomes: list):
        self.not_graded, self.outcomes = not_graded, outcomes
        lines = [f"{student}: {reason}" for student, reason in sorted(not_graded.items())]
        super().__init__(f"{len(not_graded)} submission(s) of {assignment} NOT graded, "
                         "because of a fault of the grader's (nothing was recorded for them;"
                         " run nndl grade again to grade them):\n  " + "\n  ".join(lines))


class PreflightFailed(CourseError):
    """The sandbox does not work for this assignment on this machine: nothing was graded."""


@dataclass
class Outcome:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    reason: str | None = None  # why the submission (or its process) ended early
    cells: list[dict] = field(default_factory=list)  # grade_id, points, max_points, message
    answer_errors: dict = field(default_factory=dict)
    digest: str = ""  # sha256 of the submitted notebook's bytes that were graded


def submissions(root: Path, assignment: str, students: list[str] | None = None):
    base = root / "submitted"
    found = sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())
    if students:
        missing = sorted(set(students) - set(found))
        if missing:
            raise CourseError(f"no submission of {assignment} for: {', '.join(missing)}")
        found = [s for s in found if s in students]
    return found


def read_submission(folder: Path, name: str):
    """(notebook or None, reason or None, sha256 of the bytes read).

    The notebook is read once, without following symbolic links: a link could point at
    the instructor's files or at the machine's, and its target would be graded, or leak
    into the feedback. Grading uses exactly the bytes whose digest the marker records.
    """
    path = folder / name
    for part in (folder.parent, folder, path):
        if part.is_symlink():
            return None, (f"{part.name} is a symbolic link; submissions are read only as "
                          "regular files and folders"), "refused"
    if not path.is_file():
        present = sorted(p.name for p in folder.glob("*.ipynb"))[:20] or ["no notebook"]
        return None, f"missing notebook: expected {name}, found {', '.join(present)}"[:500], \
            "missing"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return None, f"{name} cannot be read ({exc.strerror})", "unreadable"
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return None, f"{name} is not a regular file", "refused"
        data = file.read(MAX_NOTEBOOK_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_NOTEBOOK_BYTES:
        size = path.stat().st_size
        limit = MAX_NOTEBOOK_BYTES >> 20
        return None, f"{name} is {size / 2**20:.0f} MB, over the {limit} MB limit", digest
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4), None, digest
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
        return None, f"{name} is not a readable notebook ({type(exc).__name__}: {exc})"[:500], \
            digest


def _digest(folder: Path, name: str) -> str:
    return read_submission(folder, name)[2]


def has_answers(nb: nbformat.NotebookNode) -> bool:
    return any(cell.get("metadata", {}).get("nbgrader", {}).get("solution")
               for cell in nb.cells)


# ------------------------------------------------------------------------ worker process
_STATE: dict = {}


def _init_worker(root: str, assignment: str, limits, use_zygote: bool = True):
    from .verdict import reference_namespace

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    root_path = Path(root)
    (source,) = notebooks(root_path, assignment, "source")
    program = load_program(source, assignment)
    workdir = root_path / "release" / assignment
    _STATE.update(program=program, workdir=workdir, limits=limits, use_zygote=use_zygote,
                  reference=reference_namespace(program, root_path, workdir))


def _zygote():
    """This worker's zygote, (re)started when it is gone; None means cold workers."""
    from .sandbox import Zygote, ZygoteError, bubblewrap

    zygote = _STATE.get("zygote")
    if zygote is not None and zygote.usable:
        return zygote
    if zygote is not None:
        zygote.close()
    _STATE["zygote"] = None
    if not _STATE.get("use_zygote") or not bubblewrap():
        return None
    try:
        _STATE["zygote"] = Zygote(_STATE["workdir"], _STATE["limits"],
                                  _STATE["program"].given_modules())
    except ZygoteError:
        _STATE["zygote"] = None
    return _STATE["zygote"]


def _grade_one(root: str, assignment: str, student: str) -> dict:
    """Grade one submission in this pool process; a GraderFault propagates (not recorded)."""
    from .sandbox import GraderFault

    if student in os.environ.get(FAULT_ENV, "").split(","):
        raise GraderFault(f"an injected grader fault ({FAULT_ENV})")
    folder = Path(root) / "submitted" / student / assignment
    nb, reason, digest = read_submission(folder, _STATE["program"].notebook)
    return asdict(grade_notebook(student, nb, reason, digest, _STATE["program"],
                                 _STATE["reference"], _STATE["workdir"], _STATE["limits"],
                                 _zygote()))


def grade_notebook(student: str, nb, reason: str | None, digest: str, program, reference,
                   workdir: Path, limits, zygote=None) -> Outcome:
    """The outcome of one submission already read (nb None: unreadable, with reason).

    Needs no course folder: the program, the reference namespace and the release folder
    the sandbox mounts are given, so any trusted process that holds them can grade.
    """
    from .verdict import SubmissionRunner

    start = time.monotonic()
    if nb is not None and not has_answers(nb):
        nb, reason = None, (f"{program.notebook} has no answer cells: is it the assignment's "
                            "notebook, saved from the release version?")
    max_score = sum(c.points for c in program.tests)
    if nb is None:
        cells = [{"grade_id": c.grade_id, "points": 0.0, "max_points": c.points,
                  "message": reason} for c in program.tests]
        return Outcome(student, 0.0, max_score, time.monotonic() - start, reason, cells,
                       digest=digest)
    result = SubmissionRunner(program, reference, student_answers(nb), workdir, limits,
                              zygote).run()
    cells = [{"grade_id": c.grade_id, "points": c.points, "max_points": c.max_points,
              "message": c.message, "note": c.note} for c in result.cells]
    return Outcome(student, result.score, max_score, time.monotonic() - start,
                   result.reason, cells, result.answer_errors, digest)


def preflight(root: Path, assignment: str, limits, use_zygote: bool = True) -> list[str]:
    """Prove that the sandbox works for this assignment before anything is graded.

    Starts a sandbox as grading will (cold, and from a zygote when one is used), runs the
    assignment's imports there and a known-good call, and checks the answer. Returns
    warnings (e.g. no zygote: grading goes on cold, slower); raises PreflightFailed with
    the cause when grading cannot work.
    """
    import numpy as np

    from .encoding import decode, encode
    from .protocol import CALL, RUN
    from .sandbox import GraderFault, Sandbox, SandboxError, Zygote, ZygoteError, bubblewrap

    (source,) = notebooks(root, assignment, "source")
    program = load_program(source, assignment)
    workdir = root / "release" / assignment
    imports = [{"id": c.grade_id or f"cell{c.index}", "source": c.source}
               for c in program.cells if c.kind == "imports"]
    probe = "def _nndl_preflight(x):\n    return x * 2\n"
    warnings_: list[str] = []

    def check(zygote):
        sandbox = Sandbox(workdir, limits, zygote)
        try:
            reply = sandbox.request({"op": RUN, "cells": [*imports, {"id": "probe",
                                                                      "source": probe}]})
            errors = reply.get("errors") or {}
            if errors:
                cid, error = next(iter(errors.items()))
                raise GraderFault(f"the assignment's cell {cid} fails in the sandbox: {error}")
            reply = sandbox.request({"op": CALL, "name": "_nndl_preflight",
                                     "args": [encode(np.arange(3.0))], "kwargs": {}})
            result = decode(reply.get("result")) if reply.get("ok") else None
            if not (isinstance(result, np.ndarray) and result.tolist() == [0.0, 2.0, 4.0]):
                raise GraderFault(f"a known-good call came back wrong: {str(reply)[:300]}")
        except SandboxError as exc:
            raise GraderFault(f"the sandbox ended during the preflight: {exc}") from None
        finally:
            sandbox.close()

    try:
        check(None)
    except GraderFault as exc:
        raise PreflightFailed(f"the grader's sandbox does not work for {assignment} on this "
                              f"machine, so nothing was graded or recorded: {exc}") from None
    if use_zygote and bubblewrap():
        try:
            zygote = Zygote(workdir, limits, program.given_modules())
            try:
                check(zygote)
            finally:
                zygote.close()
        except (ZygoteError, GraderFault) as exc:
            warnings_.append(f"WARNING: the warm sandbox (zygote) does not work here ({exc}); "
                             "every submission starts a cold sandbox, which is slower")
    return warnings_


# --------------------------------------------------------------------- trusted recording
def _sanitized(outputs) -> list:
    """The student's own outputs, reduced to text and PNG images (no HTML, no scripts)."""
    kept = []
    for out in outputs or []:
        kind = out.get("output_type")
        if kind == "stream":
            kept.append(nbformat.v4.new_output("stream", name="stdout",
                                               text=str(out.get("text", ""))[:10_000]))
        elif kind in ("display_data", "execute_result"):
            data = {k: v for k, v in out.get("data", {}).items()
                    if k in ("image/png", "text/plain") and len(str(v)) < 2 * 2**20}
            if data:
                kept.append(nbformat.v4.new_output("display_data", data=data))
        elif kind == "error":
            kept.append(nbformat.v4.new_output(
                "error", ename=str(out.get("ename", ""))[:200],
                evalue=str(out.get("evalue", ""))[:2000], traceback=[]))
    return kept


def autograded_notebook(release: nbformat.NotebookNode, submitted, outcome: Outcome):
    """The release notebook with the student's answers and outputs and our verdicts."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    answers = {}
    by_id = {}
    if submitted is not None:
        for cell in submitted.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                answers.setdefault(gid, cell)
            if cell.get("id"):
                by_id.setdefault(cell["id"], cell)
    verdicts = {c["grade_id"]: c for c in outcome.cells}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if cell.cell_type != "code":
            if meta.get("solution") and gid in answers:
                cell.source = answers[gid].get("source", "")
            continue
        if meta.get("solution"):
            student = answers.get(gid)
            cell.source = student.get("source", "") if student else cell.source
            cell.outputs = _sanitized(student.get("outputs")) if student else []
            if gid in outcome.answer_errors:
                ename, _, evalue = outcome.answer_errors[gid].partition(": ")
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename=ename, evalue=evalue,
                    traceback=[f"This cell raised {outcome.answer_errors[gid]}"]))
        elif meta.get("grade") and gid in verdicts:
            verdict = verdicts[gid]
            if verdict["message"]:
                ename, sep, evalue = verdict["message"].partition(": ")
                if not (sep and ename.isidentifier()):
                    ename, evalue = "GradingError", verdict["message"]
                cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                                       traceback=[verdict["message"]])]
            else:
                note = f"{verdict['note']}\n" if verdict.get("note") else ""
                cell.outputs = [nbformat.v4.new_output(
                    "stream", name="stdout",
                    text=f"passed: {verdict['points']:g} of {verdict['max_points']:g} "
                         f"point(s)\n{note}")]
        else:
            student = by_id.get(cell.get("id"))
            cell.outputs = _sanitized(student.get("outputs")) if student else []
        if cell.cell_type == "code":
            cell.execution_count = None
    return nb


class Resubmitted(Exception):
    """The submitted notebook changed while it was being graded: grade it again."""


def marker_path(root: Path, assignment: str, student: str) -> Path:
    return root / MARKERS / assignment / f"{student}.json"


def recorded_outcomes(root: Path, assignment: str) -> list[dict]:
    """What the markers of an assignment hold: one outcome (as a dict) per graded student."""
    found = []
    for path in sorted((root / MARKERS / assignment).glob("*.json")):
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError):
            continue
    return found


def record(root: Path, assignment: str, outcome: Outcome, db_url: str) -> None:
    """Scores into the gradebook, the autograded notebook beside them, then the marker.

    The autograded notebook shows the submission that was graded (the same bytes); if the
    file changed meanwhile, Resubmitted is raised before anything is written.
    """
    from nbgrader.api import Gradebook

    (source,) = notebooks(root, assignment, "source")
    name = source.name
    folder = root / "submitted" / outcome.student / assignment
    submitted, _, digest = read_submission(folder, name)
    if digest != outcome.digest:
        raise Resubmitted(outcome.student)
    release = nbformat.read(root / "release" / assignment / name, as_version=4)
    marker = marker_path(root, assignment, outcome.student)
    marker.unlink(missing_ok=True)
    out_dir = root / "autograded" / outcome.student / assignment
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(autograded_notebook(release, submitted, outcome), out_dir / name)
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(outcome.student)
        gb.update_or_create_submission(assignment, outcome.student)
        for cell in outcome.cells:
            grade = gb.find_grade(cell["grade_id"], source.stem, assignment, outcome.student)
            grade.auto_score = float(cell["points"])
            grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"submission_sha256": outcome.digest, **asdict(outcome)},
                              indent=1))
    tmp.replace(marker)


def is_done(root: Path, assignment: str, student: str, name: str) -> bool:
    marker = marker_path(root, assignment, student)
    if not marker.is_file():
        return False
    try:
        saved = json.loads(marker.read_text())
    except (OSError, json.JSONDecodeError):
        return False
    folder = root / "submitted" / student / assignment
    return saved.get("submission_sha256") == _digest(folder, name)


def ungraded(root: Path, assignment: str) -> list[str]:
    """Students with a submission of the assignment that has no up-to-date grade."""
    (source,) = notebooks(root, assignment, "source")
    return [s for s in submissions(root, assignment)
            if not is_done(root, assignment, s, source.name)]


def grade_assignment(root: Path, assignment: str, *, workers: int = 2,
                     students: list[str] | None = None, force: bool = False,
                     db_url: str | None = None, limits=None, progress: bool = True,
                     zygote: bool = True, log=print) -> list[Outcome]:
    """Grade every (or the named) submission; returns the outcomes graded in this run.

    Raises PreflightFailed before recording anything when the sandbox does not work, and
    NotGraded at the end when a grader fault left some submissions ungraded (everything
    else is recorded by then). zygote=False starts every submission's worker cold (a new
    Python process), as a check on the zygote or when it misbehaves on some machine.
    """
    from .sandbox import Limits, isolation_warning

    (source,) = notebooks(root, assignment, "source")
    if not (root / "release" / assignment / source.name).is_file():
        raise CourseError(f"release/{assignment}/{source.name} is missing: run nndl release")
    limits = limits or Limits()
    db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    _ensure_in_gradebook(root, assignment, db_url)
    warning = isolation_warning()
    if warning:
        log(warning)
    everyone = submissions(root, assignment, students)
    todo = [s for s in everyone if force or not is_done(root, assignment, s, source.name)]
    if len(todo) < len(everyone):
        log(f"{len(everyone) - len(todo)} submission(s) already graded (use --force to "
            "grade them again)")
    if not todo:
        return []
    for text in preflight(root, assignment, limits, zygote):
        log(text)
    outcomes: list[Outcome] = []
    not_graded: dict[str, str] = {}
    restarts, changes = 0, {}
    while todo:
        again, died = _grade_in_pool(root, assignment, todo, workers, limits, zygote, db_url,
                                     progress, log, outcomes, not_graded)
        for student in again:
            changes[student] = changes.get(student, 0) + 1
            if changes[student] >= 3:
                not_graded[student] = "the notebook kept changing while it was graded"
        todo = [s for s in again if s not in not_graded] + died
        if died:
            restarts += 1
            if restarts > MAX_POOL_RESTARTS:
                for student in died:
                    not_graded[student] = ("the grading worker process died (killed by the "
                                           "system?) while grading it, again and again")
                todo = again
            else:
                log(f"!! a grading worker process died (killed by the system?); "
                    f"{len(died)} submission(s) it held are graded again")
    if not_graded:
        raise NotGraded(assignment, not_graded, outcomes)
    return outcomes


def _grade_in_pool(root, assignment, todo, workers, limits, zygote, db_url, progress, log,
                   outcomes, not_graded) -> tuple[list[str], list[str]]:
    """One process pool over todo; records what it grades into outcomes / not_graded.

    Returns (resubmitted while graded, held by a pool process that died): both to grade
    again.
    """
    from tqdm import tqdm

    again, died = [], []
    context = get_context("forkserver")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=context,
                             initializer=_init_worker,
                             initargs=(str(root), assignment, limits, zygote)) as pool:
        futures = {pool.submit(_grade_one, str(root), assignment, s): s for s in todo}
        bar = tqdm(total=len(todo), desc=f"grading {assignment}", unit="submission",
                   disable=not progress)
        for future in as_completed(futures):
            student = futures[future]
            bar.update(1)
            try:
                outcome = Outcome(**future.result())
                with warnings.catch_warnings():  # nbgrader's own SQLAlchemy warnings
                    warnings.simplefilter("ignore")
                    record(root, assignment, outcome, db_url)
            except BrokenProcessPool:
                died.append(student)
                continue
            except Resubmitted:
                again.append(student)
                bar.write(f"{student:20s} changed while it was graded: graded again")
                continue
            except Exception as exc:  # noqa: BLE001 - a grader fault: nothing recorded
                not_graded[student] = f"{type(exc).__name__}: {exc}"[:500]
                bar.write(f"!! {student:17s} NOT graded (a fault of the grader's, nothing "
                          f"recorded): {not_graded[student]}")
                continue
            not_graded.pop(student, None)
            outcomes.append(outcome)
            if progress:
                bar.write(f"{student:20s} {outcome.score:5g}/{outcome.max_score:g}  "
                          f"{outcome.seconds:5.1f} s" + (f"  {outcome.reason}"
                                                         if outcome.reason else ""))
        bar.close()
    return again, died


def _ensure_in_gradebook(root: Path, assignment: str, db_url: str) -> None:
    """The assignment must be known to the gradebook (nbgrader generate_assignment does it)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    from nndl.validate import generate_release

    generate_release(root, assignment)
