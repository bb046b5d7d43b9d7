"""`nndl grade --cluster`: every submission a task on a Dask distributed cluster.

What goes where:

- The client (the machine that runs ``nndl grade``, with the course folder) reads every
  submission once, as the local path does, and sends each task only what it needs: the
  submission's answer cells (not its outputs), the digest of the bytes read, and the name
  of the assignment's bundle. It alone records: gradebook rows, autograded notebooks and
  markers are written by ``run.record`` as in a local run, one result per submission, so a
  task that Dask runs twice (its worker died after finishing) is still recorded once.
- A bundle (the assignment's source notebooks and generated modules, its release folder,
  a stub course config) is shipped once per worker by a worker plugin, content-addressed by
  its sha256. The plugin unpacks it into a private temporary folder, runs the same
  preflight as a local run, builds the trusted reference namespace and starts the worker's
  warm sandbox (zygote) once; the sandbox mounts only the release folder, so the reference
  solutions stay in the worker's trusted process. A worker that passes advertises a Dask
  resource named after the bundle; tasks ask for one unit of it, so only workers that can
  grade get them, one at a time each, and workers that join later take part.
- Workers return plain data (the outcome as a dict). A worker that dies mid-task: Dask
  runs its task elsewhere. A worker that cannot start the sandbox: reported, no tasks. No
  worker that can: PreflightFailed before anything is recorded.

On a PostgreSQL gradebook one run per assignment at a time is enforced across machines by
an advisory lock (``gradebook_lock``); gradebook writes that collide with another run's
(two runs adding the same student) are retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import os
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import uuid
import warnings
from dataclasses import asdict
from pathlib import Path

import nbformat

from nndl.course import CourseError, notebooks

CLUSTER_ENV = "NNDL_CLUSTER"  # scheduler address when --cluster is not given
CONFIG_SECTION = "NndlGrade"  # c.NndlGrade.cluster = "tcp://..." in nbgrader_config.py
PLUGIN_PREFIX = "nndl-grader-"
WORKER_WAIT_SECONDS = 60.0  # for the first worker to join
NO_WORKER_SECONDS = 120.0  # pending tasks and no worker that can grade: give up
IN_FLIGHT = 2000  # tasks on the cluster at once; the rest wait here (memory, fairness)
RECORD_TRIES = 5  # a gradebook write that collides with a concurrent run is retried
_SKIP = {".ipynb_checkpoints", "__pycache__"}


# ------------------------------------------------------------------ course configuration
def course_config(root: Path):
    """The course's nbgrader_config.py as a traitlets Config (empty when unreadable)."""
    from traitlets.config import Config
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    try:
        return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    except ConfigFileNotFound:
        return Config()


def course_db_url(root: Path) -> str | None:
    """The gradebook the course's config names (c.CourseDirectory.db_url), if any."""
    config = course_config(root)
    if "CourseDirectory" in config and "db_url" in config.CourseDirectory:
        return str(config.CourseDirectory.db_url) or None
    return None


def cluster_address(root: Path, given: str | None) -> str | None:
    """--cluster, else $NNDL_CLUSTER, else c.NndlGrade.cluster; None: grade locally."""
    if given:
        return given
    if os.environ.get(CLUSTER_ENV):
        return os.environ[CLUSTER_ENV]
    config = course_config(root)
    if CONFIG_SECTION in config and "cluster" in config[CONFIG_SECTION]:
        return str(config[CONFIG_SECTION].cluster) or None
    return None


# ------------------------------------------------------------------------------- bundle
def _files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and not _SKIP & set(path.parts):
            yield path


def make_bundle(root: Path, assignment: str) -> bytes:
    """What a worker needs to grade an assignment, as a reproducible tar.gz.

    The course's own nbgrader_config.py is not shipped (it may name a database with its
    password); a stub makes the unpacked folder a course for nndl.reference.
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))

        add("nbgrader_config.py", b"# a course bundle of nndl grade --cluster\n")
        for tree in ("source", "release"):
            base = root / tree / assignment
            for path in _files(base):
                add(f"{tree}/{assignment}/{path.relative_to(base).as_posix()}",
                    path.read_bytes())
    # gzip writes a timestamp into its header: zero it, so the same files, the same digest
    data = bytearray(buffer.getvalue())
    data[4:8] = b"\0\0\0\0"
    return bytes(data)


def unpack_bundle(data: bytes, dest: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")
    for path in dest.rglob("*"):  # the sandbox user reads the release folder
        path.chmod(0o755 if path.is_dir() else 0o644)
    dest.chmod(0o700)  # no other user of the worker's machine reads the solutions


# The code that decides a grade: a worker whose copy differs would grade differently.
GRADING_CODE = ("grader/verdict.py", "grader/sandbox.py", "grader/worker.py",
                "grader/protocol.py", "grader/encoding.py", "grader/program.py",
                "grader/run.py", "checks.py", "names.py", "reference.py", "lazy.py",
                "activations.py", "gradcheck.py")


@functools.cache
def code_fingerprint() -> str:
    """sha256 of the grading code: every worker must grade with the client's version.

    Read once per process, when it first grades (the code it then loads), not again."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in GRADING_CODE:
        path = package / name
        digest.update(name.encode() + b"\0")
        digest.update((path.read_bytes() if path.is_file() else b"-") + b"\0")
    return digest.hexdigest()


# ------------------------------------------------------------------------ worker plugin
_GRADING = threading.Lock()  # one submission at a time per worker process (chdir, sys.path)

try:
    from distributed import WorkerPlugin
except ImportError:  # the cluster extra is not installed: the local grader still imports
    WorkerPlugin = object


class GraderPlugin(WorkerPlugin):
    """Set up once per worker: the bundle unpacked, preflight, reference, warm zygote."""

    def __init__(self, name: str, assignment: str, bundle: bytes, limits, use_zygote: bool,
                 fingerprint: str):
        self.name, self.assignment, self.bundle = name, assignment, bundle
        self.limits, self.use_zygote, self.fingerprint = limits, use_zygote, fingerprint
        self.resource = name
        self._reset()

    def _reset(self):
        self.ready, self.problem, self.warnings = False, None, []
        self.folder = self.program = self.reference = self.workdir = None
        self._zygote = None
        self.graded = 0

    def __getstate__(self):  # what the scheduler ships: the description, not the state
        return {k: getattr(self, k) for k in ("name", "assignment", "bundle", "limits",
                                              "use_zygote", "fingerprint", "resource")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._reset()

    async def setup(self, worker):
        await asyncio.get_running_loop().run_in_executor(None, self._prepare)
        if self.ready:
            await worker.set_resources(**{self.resource: 1})

    def _prepare(self) -> None:
        from .run import PreflightFailed, preflight
        from .sandbox import isolation_warning

        try:
            mine = code_fingerprint()
            if mine != self.fingerprint:
                raise CourseError(
                    f"this worker's nndl package differs from the client's (code sha256 "
                    f"{mine[:12]} here, {self.fingerprint[:12]} there): install the same "
                    "version on every worker")
            if hashlib.sha256(self.bundle).hexdigest()[:16] not in self.name:
                raise CourseError("the assignment's bundle arrived damaged")
            # grading reads the course around the release folder (nndl.reference), never
            # a course this process happens to have been started in
            os.environ.pop("NNDL_COURSE_DIR", None)
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
            with contextlib.suppress(ImportError):  # numpy came with distributed, before
                from threadpoolctl import threadpool_limits  # the variable: one BLAS

                threadpool_limits(limits=1)  # thread per worker, as in the local pool
            self.folder = Path(tempfile.mkdtemp(prefix="nndl-bundle-"))
            unpack_bundle(self.bundle, self.folder)
            warning = isolation_warning()
            if warning:
                self.warnings.append(warning)
            with _GRADING:
                self.warnings += preflight(self.folder, self.assignment, self.limits,
                                           self.use_zygote)
                self._load()
            self.ready = True
        except PreflightFailed as exc:
            self.problem = str(exc)
        except Exception as exc:  # noqa: BLE001 - any failure here is reported, not raised
            self.problem = f"{type(exc).__name__}: {exc}"[:2000]

    def _load(self) -> None:
        from .program import load_program
        from .verdict import reference_namespace

        (source,) = notebooks(self.folder, self.assignment, "source")
        self.program = load_program(source, self.assignment)
        self.workdir = self.folder / "release" / self.assignment
        self.reference = reference_namespace(self.program, self.folder, self.workdir)
        self.zygote()  # started now, once, not by the first task

    def zygote(self):
        """This worker's zygote, (re)started when it is gone; None means cold workers."""
        from .sandbox import Zygote, ZygoteError, bubblewrap

        if self._zygote is not None and self._zygote.usable:
            return self._zygote
        if self._zygote is not None:
            self._zygote.close()
        self._zygote = None
        if self.use_zygote and bubblewrap():
            with contextlib.suppress(ZygoteError):
                self._zygote = Zygote(self.workdir, self.limits, self.program.given_modules())
        return self._zygote

    def status(self) -> dict:
        return {"ready": self.ready, "problem": self.problem, "warnings": self.warnings,
                "host": socket.gethostname(), "pid": os.getpid(), "graded": self.graded}

    def grade(self, student: str, nb, reason: str | None, digest: str) -> dict:
        from .run import FAULT_ENV, grade_notebook
        from .sandbox import GraderFault

        if not self.ready:
            raise GraderFault(f"this worker cannot grade: {self.problem}")
        if student in os.environ.get(FAULT_ENV, "").split(","):
            raise GraderFault(f"an injected grader fault ({FAULT_ENV})")
        nb = nbformat.from_dict(nb) if nb is not None else None
        with _GRADING:
            outcome = grade_notebook(student, nb, reason, digest, self.program,
                                     self.reference, self.workdir, self.limits, self.zygote())
        self.graded += 1
        return asdict(outcome)

    def teardown(self, worker):
        if self._zygote is not None:
            self._zygote.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self._reset()


def _plugin(name: str) -> GraderPlugin | None:
    from distributed import get_worker

    return get_worker().plugins.get(name)


def grade_task(name: str, student: str, nb, reason: str | None, digest: str) -> dict:
    """A Dask task: one submission graded on this worker; its outcome as plain data."""
    from distributed import get_worker

    from .sandbox import GraderFault

    plugin = _plugin(name)
    if plugin is None:
        raise GraderFault("the assignment's bundle is not set up on this worker")
    return {"outcome": plugin.grade(student, nb, reason, digest),
            "worker": get_worker().address, "host": socket.gethostname()}


def worker_status(name: str, dask_worker=None) -> dict:
    """Run on each worker through client.run: what its plugin's setup found."""
    plugin = dask_worker.plugins.get(name) if dask_worker is not None else None
    if plugin is None:
        return {"ready": False, "problem": "the assignment's bundle is not set up here",
                "warnings": [], "host": socket.gethostname(), "pid": os.getpid()}
    return plugin.status()


# -------------------------------------------------------------------- what a task carries
def answer_cells(nb) -> dict | None:
    """The submission reduced to its answer cells: all grading reads of it."""
    if nb is None:
        return None
    cells = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            cells.append({"cell_type": cell.get("cell_type"), "source": cell.get("source", ""),
                          "metadata": {"nbgrader": dict(meta)}})
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


# ------------------------------------------------------------------ PostgreSQL gradebook
def _lock_key(assignment: str) -> int:
    digest = hashlib.sha256(f"nndl grade {assignment}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def gradebook_lock(db_url: str, assignment: str):
    """One `nndl grade` of an assignment per PostgreSQL gradebook at a time, whichever
    machine runs it: a session advisory lock, released when the run (or its connection)
    ends. Another run holding it: CourseError naming it. Other databases: no-op (the
    course folder's run lock covers runs from one course folder)."""
    if not db_url.startswith(("postgresql", "postgres:")):
        yield
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    who = f"nndl grade {assignment} on {socket.gethostname()} pid {os.getpid()}"
    engine = create_engine(db_url, poolclass=NullPool,
                           connect_args={"application_name": who[:63]})
    key = _lock_key(assignment)
    with engine.connect() as conn:
        if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            holder = conn.execute(text(
                "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.granted AND l.classid = :hi AND l.objid = :lo LIMIT 1"),
                {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}).first()
            said = (f" ({holder[0] or 'another client'}"
                    f"{' from ' + str(holder[1]) if holder[1] else ''}, since "
                    f"{holder[2]:%Y-%m-%d %H:%M:%S})" if holder else "")
            raise CourseError(f"another nndl grade of {assignment} is recording into this "
                              f"gradebook right now{said}; nothing was graded: wait for it "
                              "to finish, then run nndl grade again")
        conn.commit()
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
    engine.dispose()


def record_retrying(recorder, outcome) -> None:
    """recorder.record, again when the gradebook write collided with a concurrent run's
    (each failed attempt was rolled back and reopens the gradebook)."""
    from nbgrader.api import InvalidEntry
    from sqlalchemy.exc import DBAPIError

    for attempt in range(RECORD_TRIES):
        try:
            with warnings.catch_warnings():  # nbgrader's own SQLAlchemy warnings
                warnings.simplefilter("ignore")
                recorder.record(outcome)
            return
        except (InvalidEntry, DBAPIError):
            if attempt == RECORD_TRIES - 1:
                raise
            time.sleep(0.05 * 2**attempt)


# --------------------------------------------------------------------------- the client
def connect(address: str, workers: int):
    """(client, local cluster or None) for a scheduler address or "local"."""
    from distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        return Client(cluster), cluster
    try:
        return Client(address, timeout=30), None
    except OSError as exc:
        raise CourseError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def grade_on_cluster(root: Path, assignment: str, address: str, todo: list[str], *,
                     workers: int, limits, zygote: bool, db_url: str, progress: bool,
                     log, not_graded: dict | None = None) -> list:
    """Grade todo on the cluster at address, record here; the outcomes, as run.py's.

    not_graded: what the caller already knows it cannot grade (reported with the rest).
    """
    with gradebook_lock(db_url, assignment):
        client, cluster = connect(address, workers)
        try:
            return _grade(client, root, assignment, todo, limits, zygote, db_url, progress,
                          log, address, dict(not_graded or {}))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _grade(client, root, assignment, todo, limits, zygote, db_url, progress, log, address,
           not_graded):
    from .run import PreflightFailed

    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        raise PreflightFailed(f"no worker joined the Dask scheduler at {address} within "
                              f"{WORKER_WAIT_SECONDS:g} s; nothing was graded") from None
    bundle = make_bundle(root, assignment)
    name = f"{PLUGIN_PREFIX}{assignment}-{hashlib.sha256(bundle).hexdigest()[:16]}"
    start = time.monotonic()
    plugin = GraderPlugin(name, assignment, bundle, limits, zygote, code_fingerprint())
    client.register_plugin(plugin, name=name)
    seen: dict[str, dict] = {}

    def survey() -> int:
        """Report workers not seen before; the number that can grade."""
        addresses = set(client.scheduler_info(n_workers=-1)["workers"])
        new = sorted(addresses - set(seen))
        if new:
            with contextlib.suppress(Exception):
                for worker, state in client.run(worker_status, name, workers=new).items():
                    seen[worker] = state
                    where = f"{worker} ({state.get('host')})"
                    if state["ready"]:
                        for text in state.get("warnings", []):
                            log(f"{where}: {text}")
                    else:
                        log(f"!! worker {where} cannot grade and gets no submission: "
                            f"{state['problem']}")
        for worker in sorted(set(seen) - addresses):
            if seen[worker].get("ready") and not seen[worker].get("gone"):
                log(f"!! worker {worker} left the cluster (killed?); the submissions it "
                    "held are graded by the others")
            seen[worker]["gone"] = True
        return sum(1 for w, s in seen.items() if s.get("ready") and w in addresses)

    try:
        able = survey()
        if not able:
            problems = "\n  ".join(f"{w}: {s['problem']}" for w, s in sorted(seen.items()))
            raise PreflightFailed(f"no worker of the cluster at {address} can grade "
                                  f"{assignment}, so nothing was graded or recorded:\n  "
                                  f"{problems}")
        log(f"cluster {address}: {able} of {len(seen)} worker(s) ready for {assignment} "
            f"({time.monotonic() - start:.1f} s to ship and set up the assignment)")
        return _run_tasks(client, root, assignment, todo, name, db_url, progress, log, survey,
                          not_graded)
    finally:
        with contextlib.suppress(Exception):
            client.unregister_worker_plugin(name)


def _run_tasks(client, root, assignment, todo, name, db_url, progress, log, survey,
               not_graded):
    """Submit every submission, record each result as it comes; run.py's outcomes."""
    from distributed import KilledWorker, as_completed
    from tqdm import tqdm

    from .record import Recorder
    from .run import NotGraded, Outcome, Resubmitted, read_submission

    (source,) = notebooks(root, assignment, "source")
    recorder = Recorder(root, assignment, db_url)  # one gradebook session for the run
    run_id = uuid.uuid4().hex[:8]
    outcomes, changes = [], {}
    per_worker: dict[str, int] = {}
    pending: dict = {}
    results = as_completed()

    def submit(student: str) -> None:
        folder = root / "submitted" / student / assignment
        nb, reason, digest = read_submission(folder, source.name)
        key = f"nndl-{assignment}-{student}-{run_id}-{changes.get(student, 0)}"
        future = client.submit(grade_task, name, student, answer_cells(nb), reason, digest,
                               key=key, pure=False, resources={name: 1})
        pending[future] = student
        results.add(future)

    stop, gave_up = threading.Event(), {}

    def watch() -> None:
        """Report workers that join or leave; give up when none can grade for long."""
        idle_since = None
        while not stop.wait(3):
            try:
                able = survey()
            except Exception:  # noqa: BLE001 - the scheduler busy or gone: try again
                continue
            if able:
                idle_since = None
                continue
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > NO_WORKER_SECONDS:
                gave_up["reason"] = (f"no worker of the cluster could grade it for "
                                     f"{NO_WORKER_SECONDS:g} s (all gone, or none passed the "
                                     "sandbox check)")
                for future in list(pending.copy()):
                    future.cancel()
                return

    waiting = list(reversed(todo))  # read and submitted as room frees up
    while waiting and len(pending) < IN_FLIGHT:
        submit(waiting.pop())
    watcher = threading.Thread(target=watch, name="nndl-cluster-watch", daemon=True)
    watcher.start()
    bar = tqdm(total=len(todo), desc=f"grading {assignment}", unit="submission",
               disable=not progress)
    try:
        for future in results:
            student = pending.pop(future)
            if waiting and not gave_up:
                submit(waiting.pop())
            try:
                if future.status == "cancelled":
                    raise GaveUp(gave_up.get("reason", "its task was cancelled"))
                result = future.result()
                outcome = Outcome(**result["outcome"])
                record_retrying(recorder, outcome)
            except Resubmitted:
                changes[student] = changes.get(student, 0) + 1
                if changes[student] < 3:
                    bar.write(f"{student:20s} changed while it was graded: graded again")
                    submit(student)
                    continue
                not_graded[student] = "the notebook kept changing while it was graded"
            except GaveUp as exc:
                not_graded[student] = str(exc)
            except KilledWorker:
                not_graded[student] = ("the workers grading it died (killed by the system?) "
                                       "again and again")
            except Exception as exc:  # noqa: BLE001 - a grader fault: nothing recorded
                not_graded[student] = f"{type(exc).__name__}: {exc}"[:500]
            bar.update(1)
            if student in not_graded:
                bar.write(f"!! {student:17s} NOT graded (a fault of the grader's, nothing "
                          f"recorded): {not_graded[student]}")
                continue
            outcomes.append(outcome)
            per_worker[result["worker"]] = per_worker.get(result["worker"], 0) + 1
            if progress:
                bar.write(f"{student:20s} {outcome.score:5g}/{outcome.max_score:g}  "
                          f"{outcome.seconds:5.1f} s" + (f"  {outcome.reason}"
                                                         if outcome.reason else ""))
    finally:
        stop.set()
        bar.close()
        recorder.close()
        for future in list(pending):
            future.cancel()
        watcher.join(timeout=10)
    for student in waiting:  # never submitted: no worker could take them
        not_graded[student] = gave_up.get("reason", "not submitted")
    if per_worker:
        log("graded per worker: " + ", ".join(f"{w} {n}" for w, n in sorted(per_worker.items())))
    if not_graded:
        raise NotGraded(assignment, not_graded, outcomes)
    return outcomes


class GaveUp(Exception):
    """No worker could take a submission's task for too long."""
