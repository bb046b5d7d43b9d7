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

import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from multiprocessing import get_context
from pathlib import Path

from nndl import cells as cell_roles
from nndl.course import CourseError, notebooks

from .locks import course_lock
from .program import load_program, student_answers
from .record import (  # noqa: F401 - re-exported: the recording side of a run
    MARKERS,
    Outcome,
    Recorder,
    Resubmitted,
    autograded_notebook,
    is_done,
    marker_path,
    record,
    recorded_outcomes,
    ungraded,
)
from .submission import (  # noqa: F401 - re-exported: reading what was submitted
    MAX_NOTEBOOK_BYTES,
    read_submission,
    submissions,
)

MAX_POOL_RESTARTS = 2  # a grading worker process that dies: its submissions are retried
FAULT_ENV = "NNDL_GRADER_FAULT"  # students whose grading fails on the grader's side (tests)


class NotGraded(CourseError):
    """Some submissions were not graded (a fault of the grader's, or a submission folder
    refused by name); nothing was recorded for them, and the next run grades them."""

    def __init__(self, assignment: str, not_graded: dict[str, str], outcomes: list):
        self.not_graded, self.outcomes = not_graded, outcomes
        lines = [f"{student.encode('unicode_escape').decode()[:60]}: {reason}"
                 for student, reason in sorted(not_graded.items())]
        super().__init__(f"{len(not_graded)} submission(s) of {assignment} NOT graded; "
                         "nothing was recorded for them, and nndl grade grades them when "
                         "run again:\n  " + "\n  ".join(lines))


class PreflightFailed(CourseError):
    """The sandbox does not work for this assignment on this machine: nothing was graded."""


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
    outcome = grade_notebook(student, nb, reason, digest, _STATE["program"],
                             _STATE["reference"], _STATE["workdir"], _STATE["limits"],
                             _zygote())
    outcome.grader_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return asdict(outcome)


def grade_notebook(student: str, nb, reason: str | None, digest: str, program, reference,
                   workdir: Path, limits, zygote=None) -> Outcome:
    """The outcome of one submission already read (nb None: unreadable, with reason).

    Needs no course folder: the program, the reference namespace and the release folder
    the sandbox mounts are given, so any trusted process that holds them can grade.
    """
    from .verdict import SubmissionRunner

    start = time.monotonic()
    if nb is not None and not cell_roles.has_answers(nb.cells):
        nb, reason = None, (f"{program.notebook} has no answer cells: is it the assignment's "
                            "notebook, saved from the release version?")
    max_score = sum(c.points for c in program.tests)
    if nb is None:
        cells = [{"grade_id": c.grade_id, "points": 0.0, "max_points": c.points,
                  "message": reason, "code": "unreadable"} for c in program.tests]
        return Outcome(student, 0.0, max_score, time.monotonic() - start, reason, cells,
                       digest=digest)
    result = SubmissionRunner(program, reference, student_answers(nb), workdir, limits,
                              zygote).run()
    cells = [asdict(c) for c in result.cells]  # grade_id, points, ..., message, note, code
    reason = result.reason
    twice = cell_roles.duplicated_grade_ids(nb.cells)
    if twice:  # graded all the same: the first code cell of each id, as the notebook shows
        reason = (f"the notebook holds several cells with the grade_id(s) {', '.join(twice)}"
                  "; the first code cell of each was graded" + (f"; {reason}" if reason
                                                                 else ""))[:1000]
    return Outcome(student, result.score, max_score, time.monotonic() - start,
                   reason, cells, result.answer_errors, digest)


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


def grade_assignment(root: Path, assignment: str, *, workers: int = 2,
                     students: list[str] | None = None, force: bool = False,
                     db_url: str | None = None, limits=None, progress: bool = True,
                     zygote: bool = True, log=print, cluster: str | None = None
                     ) -> list[Outcome]:
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
    from .cluster import course_db_url  # the config's c.CourseDirectory.db_url

    db_url = db_url or course_db_url(root) or f"sqlite:///{root / 'gradebook.db'}"
    warning = None if cluster else isolation_warning()  # cluster: each worker says its own
    if warning:
        log(warning)
    # One run per assignment at a time: a second one waits here, then finds the first
    # one's work done (its markers) and grades only what is left.
    with course_lock(root, f"grade-{assignment}", log=log):
        with course_lock(root, "gradebook", describe=False):
            _ensure_in_gradebook(root, assignment, db_url)
        return _grade_locked(root, assignment, source.name, workers, students, force,
                             db_url, limits, progress, zygote, log, cluster)


def _grade_locked(root, assignment, name, workers, students, force, db_url, limits,
                  progress, zygote, log, cluster=None) -> list[Outcome]:
    not_graded: dict[str, str] = {}
    everyone = submissions(root, assignment, students, refused=not_graded)
    for student, problem in not_graded.items():
        log(f"!! submitted/{student.encode('unicode_escape').decode()[:60]}/{assignment} is "
            f"refused: {problem}; rename the folder to the student's id")
    todo = [s for s in everyone if force or not is_done(root, assignment, s, name)]
    if len(todo) < len(everyone):
        log(f"{len(everyone) - len(todo)} submission(s) already graded (use --force to "
            "grade them again)")
    outcomes: list[Outcome] = []
    if todo and cluster:  # tasks on a Dask cluster, recorded here (nndl.grader.cluster)
        from .cluster import grade_on_cluster

        return grade_on_cluster(root, assignment, cluster, todo, workers=workers,
                                limits=limits, zygote=zygote, db_url=db_url,
                                progress=progress, log=log, not_graded=not_graded)
    if todo:
        for text in preflight(root, assignment, limits, zygote):
            log(text)
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
                             initargs=(str(root), assignment, limits, zygote)) as pool, \
            Recorder(root, assignment, db_url) as recorder:  # one gradebook for the run
        futures = {pool.submit(_grade_one, str(root), assignment, s): s for s in todo}
        bar = tqdm(total=len(todo), desc=f"grading {assignment}", unit="submission",
                   disable=not progress)
        for future in as_completed(futures):
            student = futures[future]
            bar.update(1)
            try:
                outcome = Outcome(**future.result())
                recorder.record(outcome)
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
    from nndl.nbgrader_cli import run_nbgrader
    from nndl.reference import regenerate_modules

    regenerate_modules(root, assignment)  # nndl release, into this gradebook (e.g. --db)
    run_nbgrader(root, "generate_assignment", assignment, "--force", "--log-level=WARN",
                 f"--db={db_url}")
