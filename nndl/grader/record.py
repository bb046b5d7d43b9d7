"""Recording a graded submission where nbgrader and the instructor look for it.

``record`` writes the gradebook rows (scores, the submission's timestamp and nbgrader's
late penalty, as stock ``nbgrader autograde`` does), ``autograded/<student>/<assignment>/``
(the notebook formgrader and ``generate_feedback`` read: the release notebook with the
student's answers as graded, their outputs reduced to text and images, our verdicts), and
last a marker under ``.nndl/graded/`` holding the digest of the bytes that were graded. A
submission whose marker matches its file is done; anything else is graded again.

Every artefact is bounded: an autograded notebook (and so its feedback page) holds at most
``MAX_ARTEFACT_BYTES``, cutting the student's own outputs first and, if need be, long
answer cells, each cut marked "… truncated".
"""

from __future__ import annotations

import contextlib
import json
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from nndl import cells
from nndl.course import notebooks

from .locks import course_lock
from .submission import digest as submission_digest
from .submission import exchange_files, read_submission, read_timestamp, submissions

MARKERS = Path(".nndl") / "graded"  # in the course folder, never in what students receive
MAX_ARTEFACT_BYTES = 5 * 2**20  # one autograded notebook, and so one feedback page
MAX_MESSAGE_CHARS = 10_000  # one verdict
MAX_SHOWN_SOURCE_CHARS = 500_000  # all answer cells of one graded notebook
MAX_KEPT_SOURCE_CHARS = 50_000  # an answer cell cut to fit that


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
    grader_peak_mb: float = 0.0  # the grading process's peak resident memory so far



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
    """The release notebook with the student's answers and outputs and our verdicts.

    An answer cell shows exactly the code that was graded: the first code cell carrying
    its grade_id, as the grader takes it (nndl.cells.answers); a markdown cell that
    carries the same id shows nothing in its place.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    answers = {}
    by_id = {}
    if submitted is not None:
        graded = cells.answers(submitted.cells)
        for cell in submitted.cells:
            gid = cells.grade_id(cell)
            if gid in graded and cells.is_answer(cell) and cell.get("source") == graded[gid]:
                answers.setdefault(gid, cell)
            elif gid and cells.is_solution(cell) and cell.get("cell_type") == "markdown":
                answers.setdefault(f"markdown:{gid}", cell)
            if cell.get("id"):
                by_id.setdefault(cell["id"], cell)
    verdicts = {c["grade_id"]: c for c in outcome.cells}
    for cell in nb.cells:
        gid = cells.grade_id(cell)
        if cell.cell_type != "code":
            if cells.is_solution(cell) and f"markdown:{gid}" in answers:
                cell.source = answers[f"markdown:{gid}"].get("source", "")
            continue
        if cells.is_solution(cell):
            student = answers.get(gid)
            cell.source = student.get("source", "") if student else cell.source
            cell.outputs = _sanitized(student.get("outputs")) if student else []
            if gid in outcome.answer_errors:
                ename, _, evalue = outcome.answer_errors[gid].partition(": ")
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename=ename, evalue=evalue,
                    traceback=[f"This cell raised {outcome.answer_errors[gid]}"]))
        elif cells.is_grade(cell) and gid in verdicts:
            verdict = verdicts[gid]
            if verdict["message"]:
                verdict = {**verdict, "message": _cut(str(verdict["message"]),
                                                      MAX_MESSAGE_CHARS)}
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
    return _bounded(nb)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… truncated ({len(text) - limit} more characters)"


def _size(value) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def _bounded(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """nb within MAX_ARTEFACT_BYTES, its answer cells within MAX_SHOWN_SOURCE_CHARS in all
    (code grows about threefold as highlighted HTML in the feedback): the longest answer
    cells are cut first, then the student's outputs go, largest first; each cut says so."""
    answers = [c for c in nb.cells if cells.is_solution(c)]
    for cell in sorted(answers, key=lambda c: len(c.source), reverse=True):
        if sum(len(c.source) for c in answers) <= MAX_SHOWN_SOURCE_CHARS:
            break
        cell.source = _cut(cell.source, MAX_KEPT_SOURCE_CHARS)
    total = len(nbformat.writes(nb))
    if total <= MAX_ARTEFACT_BYTES:
        return nb
    mine = [c for c in nb.cells if c.cell_type == "code" and c.outputs and not cells.is_grade(c)]
    for cell in sorted(mine, key=lambda c: _size(c.outputs), reverse=True):
        before = _size(cell.outputs)
        cell.outputs = [nbformat.v4.new_output(
            "stream", name="stdout", text=f"… truncated: {before} bytes of this cell's "
            f"outputs (a graded notebook holds at most {MAX_ARTEFACT_BYTES >> 20} MB)\n")]
        total -= before - _size(cell.outputs)
        if total <= MAX_ARTEFACT_BYTES:
            return nb
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
    """Record one graded submission (a Recorder of its own; see Recorder.record)."""
    with Recorder(root, assignment, db_url) as recorder:
        recorder.record(outcome)


class Recorder:
    """Records the graded submissions of one run, through one gradebook session.

    Opening nbgrader's ``Gradebook`` (an engine, its schema checked, the course looked up)
    costs more than writing one submission's rows, so a run keeps one open and uses it for
    every submission (``benchmarks/gradebook_rate.py`` measures both). What a submission
    gets is unchanged: each is written and committed on its own, under the course's
    gradebook lock (``course_lock(root, "gradebook")``, taken per submission so that
    other runs write in between); the session is closed after each (no transaction or
    database lock is held between submissions). A write that fails raises: what it had
    not committed is rolled back (grade cells the gradebook does not know are caught
    before the first write; nbgrader's helpers commit the student and submission rows as
    they go), no marker is written, so the run reports the submission NOT graded and the
    next run grades it again; the gradebook is opened afresh for the next submission, so a
    broken connection costs only the submission it broke in.

    Use it from one thread (nbgrader's session is thread-local), as a context manager.
    """

    def __init__(self, root: Path, assignment: str, db_url: str):
        self.root, self.assignment, self.db_url = root, assignment, db_url
        (self.source,) = notebooks(root, assignment, "source")
        self._release = None
        self._gradebook = None
        self._late = None
        self._cells = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        gradebook, self._gradebook = self._gradebook, None
        if gradebook is not None:
            with warnings.catch_warnings(), contextlib.suppress(Exception):
                warnings.simplefilter("ignore")  # a dead connection: nothing to close
                gradebook.close()

    def record(self, outcome: Outcome) -> None:
        """Scores into the gradebook, the autograded notebook beside them, then the marker.

        The autograded notebook shows the submission that was graded (the same bytes); if
        the file changed meanwhile, Resubmitted is raised before anything is written. The
        submission's timestamp.txt, the assignment's due date and the configured late
        submission plugin give the same timestamp and penalty as stock autograde.
        """
        root, assignment = self.root, self.assignment
        name = self.source.name
        folder = root / "submitted" / outcome.student / assignment
        submitted, _, digest = read_submission(folder, name)
        if digest != outcome.digest:
            raise Resubmitted(outcome.student)
        timestamp = read_timestamp(folder)
        if self._release is None:
            self._release = nbformat.read(root / "release" / assignment / name, as_version=4)
        marker = marker_path(root, assignment, outcome.student)
        marker.unlink(missing_ok=True)
        out_dir = root / "autograded" / outcome.student / assignment
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(autograded_notebook(self._release, submitted, outcome), out_dir / name)
        for kept, data in exchange_files(folder).items():  # as stock autograde copies them
            (out_dir / kept).write_bytes(data)
        with course_lock(root, "gradebook", describe=False), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy warnings
            self._write_gradebook(outcome, timestamp)
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(json.dumps({"submission_sha256": outcome.digest, **asdict(outcome)},
                                  indent=1))
        tmp.replace(marker)

    def _write_gradebook(self, outcome: Outcome, timestamp) -> None:
        from nbgrader.api import Gradebook

        if self._gradebook is None:
            self._gradebook = Gradebook(self.db_url)
        gb = self._gradebook
        try:
            _write_rows(gb, self, outcome, timestamp)
        except BaseException:
            self.close()  # rolled back; the next submission gets a fresh gradebook
            raise
        finally:
            if self._gradebook is not None:
                gb.db.close()  # no transaction left open between submissions

    def grade_cells(self, gb) -> set[str]:
        """The assignment's graded cells as the gradebook knows them (read once a run)."""
        if self._cells is None:
            notebook = gb.find_notebook(self.source.stem, self.assignment)
            self._cells = {cell.name for cell in notebook.grade_cells}
        return self._cells

    def late_penalty(self):
        if self._late is None:
            self._late = late_penalty_plugin(self.root)
        return self._late


def _write_rows(gb, recorder: Recorder, outcome: Outcome, timestamp) -> None:
    from nbgrader.api import MissingEntry

    assignment, notebook = recorder.assignment, recorder.source.stem
    student = outcome.student
    # nbgrader commits as it goes: check what would fail half-way before the first write
    unknown = sorted({c["grade_id"] for c in outcome.cells} - recorder.grade_cells(gb))
    if unknown:
        raise MissingEntry(f"the gradebook's {assignment}/{notebook} has no grade cell "
                           f"{', '.join(unknown)} (regenerate the assignment: nndl release)")
    gb.update_or_create_student(student)
    if timestamp is not None:
        gb.update_or_create_submission(assignment, student, timestamp=timestamp)
    else:
        gb.update_or_create_submission(assignment, student)
    for cell in outcome.cells:
        grade = gb.find_grade(cell["grade_id"], notebook, assignment, student)
        grade.auto_score = float(cell["points"])
        grade.needs_manual_grade = grade.manual_score is not None
    gb.db.commit()
    # as nbgrader's AssignLatePenalties does after autograding
    late = gb.find_submission(assignment, student).total_seconds_late
    scored = gb.find_submission_notebook(notebook, assignment, student)
    scored.late_submission_penalty = None
    if late > 0:
        penalty = recorder.late_penalty().late_submission_penalty(student, scored.score, late)
        if penalty is not None:
            scored.late_submission_penalty = min(max(float(penalty), 0.0), scored.score)
    gb.db.commit()


def late_penalty_plugin(root: Path):
    """The course's late submission plugin, configured as nbgrader_config.py says."""
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    assigner = AssignLatePenalties(config=config)
    return assigner.plugin_class(parent=assigner)


def is_done(root: Path, assignment: str, student: str, name: str) -> bool:
    marker = marker_path(root, assignment, student)
    if not marker.is_file():
        return False
    try:
        saved = json.loads(marker.read_text())
    except (OSError, json.JSONDecodeError):
        return False
    folder = root / "submitted" / student / assignment
    return saved.get("submission_sha256") == submission_digest(folder, name)


def ungraded(root: Path, assignment: str) -> list[str]:
    """Students with a submission of the assignment that has no up-to-date grade."""
    (source,) = notebooks(root, assignment, "source")
    return [s for s in submissions(root, assignment)
            if not is_done(root, assignment, s, source.name)]
