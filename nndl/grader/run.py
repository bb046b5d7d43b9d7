"""`nndl grade`: every submission of an assignment, in parallel, into nbgrader's gradebook.

For each ``submitted/<student>/<assignment>/``: read the notebook (a missing, corrupt or
huge notebook is recorded with its reason), grade it (nndl.grader.verdict), then record
the scores in the gradebook and write ``autograded/<student>/<assignment>/`` — the
notebook nbgrader's formgrader and ``generate_feedback`` read — and, last, a marker that
says this submission is done. A run that is killed and started again grades only the
submissions without an up-to-date marker.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import nbformat

from nndl.course import CourseError, notebooks

from .program import load_program, student_answers

MAX_NOTEBOOK_BYTES = 20 * 2**20
MARKER = ".nndl-graded.json"


@dataclass
class Outcome:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    reason: str | None = None  # why the submission (or its process) ended early
    cells: list[dict] = field(default_factory=list)  # grade_id, points, max_points, message
    answer_errors: dict = field(default_factory=dict)


def submissions(root: Path, assignment: str, students: list[str] | None = None):
    base = root / "submitted"
    found = sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())
    if students:
        missing = sorted(set(students) - set(found))
        if missing:
            raise CourseError(f"no submission of {assignment} for: {', '.join(missing)}")
        found = [s for s in found if s in students]
    return found


def read_submission(folder: Path, name: str) -> tuple[nbformat.NotebookNode | None, str | None]:
    path = folder / name
    if not path.is_file():
        present = sorted(p.name for p in folder.glob("*.ipynb")) or ["no notebook"]
        return None, f"missing notebook: expected {name}, found {', '.join(present)}"
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        limit = MAX_NOTEBOOK_BYTES >> 20
        return None, f"{name} is {size / 2**20:.0f} MB, over the {limit} MB limit"
    try:
        return nbformat.read(path, as_version=4), None
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
        return None, f"{name} is not a readable notebook ({type(exc).__name__}: {exc})"[:500]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


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
    from .verdict import SubmissionRunner

    program = _STATE["program"]
    start = time.monotonic()
    folder = Path(root) / "submitted" / student / assignment
    nb, reason = read_submission(folder, program.notebook)
    max_score = sum(c.points for c in program.tests)
    if nb is None:
        cells = [{"grade_id": c.grade_id, "points": 0.0, "max_points": c.points,
                  "message": reason} for c in program.tests]
        return asdict(Outcome(student, 0.0, max_score, time.monotonic() - start, reason, cells))
    result = SubmissionRunner(program, _STATE["reference"], student_answers(nb),
                              _STATE["workdir"], _STATE["limits"], _zygote()).run()
    cells = [{"grade_id": c.grade_id, "points": c.points, "max_points": c.max_points,
              "message": c.message} for c in result.cells]
    return asdict(Outcome(student, result.score, max_score, time.monotonic() - start,
                          result.reason, cells, result.answer_errors))


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
                cell.outputs = [nbformat.v4.new_output(
                    "stream", name="stdout",
                    text=f"passed: {verdict['points']:g} of {verdict['max_points']:g} "
                         "point(s)\n")]
        else:
            student = by_id.get(cell.get("id"))
            cell.outputs = _sanitized(student.get("outputs")) if student else []
        if cell.cell_type == "code":
            cell.execution_count = None
    return nb


def record(root: Path, assignment: str, outcome: Outcome, db_url: str) -> None:
    """Scores into the gradebook, the autograded notebook beside them, then the marker."""
    from nbgrader.api import Gradebook

    (source,) = notebooks(root, assignment, "source")
    name = source.name
    folder = root / "submitted" / outcome.student / assignment
    submitted, _ = read_submission(folder, name)
    release = nbformat.read(root / "release" / assignment / name, as_version=4)
    out_dir = root / "autograded" / outcome.student / assignment
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).unlink(missing_ok=True)
    nbformat.write(autograded_notebook(release, submitted, outcome), out_dir / name)
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(outcome.student)
        gb.update_or_create_submission(assignment, outcome.student)
        for cell in outcome.cells:
            grade = gb.find_grade(cell["grade_id"], source.stem, assignment, outcome.student)
            grade.auto_score = float(cell["points"])
            grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
    marker = {"submission_sha256": _digest(folder / name), **asdict(outcome)}
    tmp = out_dir / (MARKER + ".tmp")
    tmp.write_text(json.dumps(marker, indent=1))
    tmp.replace(out_dir / MARKER)


def is_done(root: Path, assignment: str, student: str, name: str) -> bool:
    marker = root / "autograded" / student / assignment / MARKER
    if not marker.is_file():
        return False
    try:
        saved = json.loads(marker.read_text())
    except (OSError, json.JSONDecodeError):
        return False
    folder = root / "submitted" / student / assignment
    return saved.get("submission_sha256") == _digest(folder / name)


def grade_assignment(root: Path, assignment: str, *, workers: int = 2,
                     students: list[str] | None = None, force: bool = False,
                     db_url: str | None = None, limits=None, progress: bool = True,
                     zygote: bool = True, log=print) -> list[Outcome]:
    """Grade every (or the named) submission; returns the outcomes graded in this run.

    zygote=False starts every submission's worker cold (a new Python process), as a
    check on the zygote or when it misbehaves on some machine.
    """
    from tqdm import tqdm

    from .sandbox import Limits, isolation_warning

    (source,) = notebooks(root, assignment, "source")
    if not (root / "release" / assignment / source.name).is_file():
        raise CourseError(f"release/{assignment}/{source.name} is missing: run nndl release")
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
    outcomes: list[Outcome] = []
    if not todo:
        return outcomes
    context = get_context("forkserver")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=context,
                             initializer=_init_worker,
                             initargs=(str(root), assignment, limits or Limits(), zygote)) as pool:
        futures = {pool.submit(_grade_one, str(root), assignment, s): s for s in todo}
        bar = tqdm(total=len(todo), desc=f"grading {assignment}", unit="submission",
                   disable=not progress)
        for future in as_completed(futures):
            student = futures[future]
            try:
                outcome = Outcome(**future.result())
            except Exception as exc:  # noqa: BLE001 - a grader fault is recorded, not fatal
                outcome = Outcome(student, reason=f"the grader failed: {exc}"[:500])
                outcome.max_score = 0.0
            with warnings.catch_warnings():  # nbgrader's own SQLAlchemy warnings
                warnings.simplefilter("ignore")
                record(root, assignment, outcome, db_url)
            outcomes.append(outcome)
            bar.update(1)
            if progress:
                bar.write(f"{student:20s} {outcome.score:5g}/{outcome.max_score:g}  "
                          f"{outcome.seconds:5.1f} s" + (f"  {outcome.reason}"
                                                         if outcome.reason else ""))
        bar.close()
    return outcomes


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
