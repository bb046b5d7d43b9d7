"""Grading one submission: tests run in the trusted process, student functions in the sandbox.

Each test cell of the source notebook (hidden tests included) runs here, in a namespace
built from the reference run of the notebook, where every graded function is a ``Proxy``
that sends its plain arguments to the student's sandboxed process and returns the plain
result. Nothing the student's code does can reach the comparisons: it never sees the test
code or the expected values, and only numbers, strings and arrays come back.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from nndl.cells import strip_magics
from nndl.checks import CheckFailed, StudentCodeError, signature_message
from nndl.names import found_message, older_names

from . import protocol
from .encoding import Opaque, decode, encode
from .program import Program, global_reads
from .sandbox import GraderFault, Limits, Sandbox, SandboxError, Zygote

MAX_RESTARTS = 3


@dataclass
class CellVerdict:
    """The verdict on one test cell; what nndl grade records of it is ``asdict`` of it."""

    grade_id: str
    points: float
    max_points: float
    message: str | None  # None when the test passed
    note: str | None = None  # what a passing test remarked ("Note: ..." lines it printed)
    code: str | None = None  # the mistake's code (nndl.checks.MISTAKES) when it failed
    function: str | None = None  # the graded function the failed check was about
    detail: str | None = None  # what qualifies the code (known mistake, exception type)

    @property
    def passed(self) -> bool:
        return self.message is None

    @classmethod
    def from_record(cls, record: dict) -> CellVerdict:
        """A verdict as recorded (older records lack the later fields)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})


def sandbox_code(error) -> str:
    """The mistake code of a sandbox that ended (a SandboxError, or the reason it gave):
    "timeout" when it ran out of time, "exited" when the student's process ended.

    SandboxError carries no code of its own yet (its reasons are written in
    nndl/grader/sandbox.py); a ``code`` attribute, once it has one, is taken as it is, and
    until then this is the one place that reads those reasons.
    """
    code = getattr(error, "code", None)
    if isinstance(code, str) and code:
        return code
    reason = str(error or "")
    if ("did not finish within" in reason or "took over" in reason
            or ("more than" in reason and "CPU time" in reason)):
        return "timeout"
    return "exited"


@dataclass
class SubmissionResult:
    cells: list[CellVerdict]
    answer_errors: dict[str, str]  # answer grade_id -> error while defining it
    reason: str | None  # why the sandbox ended early, if it did
    seconds: float

    @property
    def score(self) -> float:
        return sum(c.points for c in self.cells)


def random_state(encoded):
    """numpy's global random state as the sandbox sent it, if it is one numpy can use.

    numpy accepts an MT19937 position past 624 and then reads past its key: the next
    draw crashes the process (the grader's, or the next student's). Only a complete
    state with every field in range is taken.
    """
    try:
        name, keys, pos, has_gauss, cached = decode(encoded)
        keys = np.asarray(keys)
        if not (name == "MT19937" and keys.shape == (624,) and keys.dtype == np.uint32
                and type(pos) is int and 0 <= pos <= 624 and has_gauss in (0, 1)
                and isinstance(cached, float) and np.isfinite(cached)):
            return None
        return name, keys, pos, int(has_gauss), float(cached)
    except Exception:  # noqa: BLE001 - malformed: not a state
        return None


def _mistake(exc: CheckFailed) -> tuple[str, str | None, str | None]:
    """(code, function, detail) of a failed check. A test cell that adds a hint re-raises
    the failure it caught with a new message only (``raise StudentCodeError(f"{exc}. Hint",
    exc.student_frames) from None``): the function and detail come from the one caught."""
    code = getattr(exc, "code", None) or "failed"
    function, detail = getattr(exc, "function", None), getattr(exc, "detail", None)
    caught, seen = exc.__context__, 0
    while function is None and isinstance(caught, CheckFailed) and seen < 10:
        function = getattr(caught, "function", None)
        detail = detail or getattr(caught, "detail", None)
        caught, seen = caught.__context__, seen + 1
    return code, function, detail


class Reference:
    """The namespace of the reference run, restored before each submission.

    Functions defined by the notebook (test helpers among them) read the notebook's
    globals, so tests must run in that very dict, not in a copy; restoring it (with fresh
    copies of its arrays) keeps one submission's values from reaching the next.
    """

    def __init__(self, namespace: dict):
        self.namespace = namespace
        self.snapshot = dict(namespace)
        self.random_state = np.random.get_state()

    def fresh(self) -> dict:
        """The namespace as the reference run left it, and numpy's global random state
        too: every submission starts from the same state, whatever came before it."""
        self.namespace.clear()
        for name, value in self.snapshot.items():
            self.namespace[name] = _fresh_copy(value)
        np.random.set_state(self.random_state)
        return self.namespace


def _fresh_copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict | list | tuple):
        try:
            return copy.deepcopy(value)
        except Exception:  # noqa: BLE001 - holds something uncopyable: share it
            return value
    return value


def reference_namespace(program: Program, course_dir: Path, workdir: Path) -> Reference:
    """Run the imports, setup and solution cells of the source notebook (trusted)."""
    namespace: dict = {"__name__": "__main__"}
    sys.path.insert(0, str(workdir))  # like a kernel started in the notebook's folder
    with contextlib.chdir(workdir), contextlib.redirect_stdout(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        for cell in program.reference_cells():
            code = compile(strip_magics(cell.source), f"<reference cell {cell.index}>", "exec")
            exec(code, namespace)  # noqa: S102 - the instructor's own notebook
    sys.path.remove(str(workdir))
    return Reference(namespace)


def _apply_changes(original, changed) -> None:
    """Write the student's in-place changes back into the trusted argument."""
    if isinstance(original, np.ndarray) and isinstance(changed, np.ndarray):
        if original.shape == changed.shape and original.dtype == changed.dtype:
            np.copyto(original, changed)
        elif original.flags.writeable:
            original.fill(np.nan if original.dtype.kind == "f" else 0)
    elif isinstance(original, dict) and isinstance(changed, dict):
        for key in list(original):
            if key not in changed:
                del original[key]
        for key, value in changed.items():
            if key in original and isinstance(original[key], np.ndarray | dict | list):
                _apply_changes(original[key], value)
                if not isinstance(value, type(original[key])):
                    original[key] = value
            else:
                original[key] = value
    elif isinstance(original, list) and isinstance(changed, list):
        original[:] = changed


def _get_at(value, path):
    for key in path:
        value = value[key]
    return value


def _replace_at(value, path, new):
    """value with the node at path replaced by new (tuples rebuilt, the rest in place)."""
    if not path:
        return new
    key, rest = path[0], path[1:]
    if type(value) is tuple:
        items = list(value)
        items[key] = _replace_at(items[key], rest, new)
        return tuple(items)
    if type(value) in (list, dict):
        value[key] = _replace_at(value[key], rest, new)
        return value
    raise TypeError("path leads into a value that holds nothing")


class Proxy:
    """Stands for a graded function in the trusted namespace; the student's runs remotely."""

    def __init__(self, runner: SubmissionRunner, name: str, reference):
        self._runner = runner
        self.__name__ = self.__qualname__ = name
        self._global_data_names: list[str] = []
        try:
            self.__signature__ = inspect.signature(reference)
        except (TypeError, ValueError):
            pass

    def __call__(self, *args, **kwargs):
        name = self.__name__
        try:
            reply = self._runner.sandbox().request(
                {"op": "call", "name": name, "args": [encode(a) for a in args],
                 "kwargs": {k: encode(v) for k, v in kwargs.items()},
                 # one global random state for both processes, as in one notebook
                 "rng": encode(list(np.random.get_state()))})
        except SandboxError as exc:
            raise StudentCodeError(f"{name}: {exc}", [], function=name,
                                   code=sandbox_code(exc)) from None
        names = reply.get("globals")
        self._global_data_names = [str(n) for n in names][:20] if isinstance(names, list) \
            else []
        printed = reply.get("stdout")
        if isinstance(printed, str) and printed:
            sys.stdout.write(printed)
        state = random_state(reply.get("rng"))
        if state is not None:  # anything else leaves ours as it was
            np.random.set_state(state)
        if not reply.get("ok"):
            error = str(reply.get("error", "an error"))[:2000]
            if error.startswith("NotImplementedError"):
                raise StudentCodeError(f"{name} is not implemented yet (it raises "
                                       "NotImplementedError): replace the stub with your code",
                                       [], function=name, code="not_implemented")
            frames = [str(f)[:2000] for f in reply.get("frames", [])][:8]
            if error.startswith(f"NameError: {name} is not defined"):
                older = self._older_name()
                if older:
                    raise StudentCodeError(f"{name} is not defined: "
                                           f"{found_message(name, older)}", [],
                                           function=name, code="older_name")
                cause = self._runner.answer_errors.get(name) or next(
                    iter(self._runner.answer_errors.values()), None)
                if cause:
                    raise StudentCodeError(f"{name} is not defined: its answer cell raised "
                                           f"{cause}", [], function=name,
                                           code="answer_cell_raised")
            if error.startswith("TypeError") and not frames:
                # no frame of the student's: the call itself failed, at the def line
                raise StudentCodeError(signature_message(name, error.partition(": ")[2]), [],
                                       function=name, code="signature")
            note = self._globals_note()
            raise StudentCodeError(f"{name} raised {error}{note}", frames, function=name,
                                   raised=error, note=note)
        for original, changed in zip(args, reply.get("args", []), strict=False):
            _apply_changes(original, decode(changed))
        for key, changed in reply.get("kwargs", {}).items():
            if key in kwargs:
                _apply_changes(kwargs[key], decode(changed))
        result = decode(reply.get("result"))
        aliases = reply.get("aliases")
        if isinstance(aliases, list):
            given = {"args": list(args), "kwargs": dict(kwargs)}
            for pair in aliases[:1000]:
                try:
                    result = _replace_at(result, list(pair[0]), _get_at(given, list(pair[1])))
                except (KeyError, IndexError, TypeError):
                    pass  # a path that does not fit: the copy stays
        return result

    def _older_name(self) -> str | None:
        """An older name of this function (normalizeRows) the submission defines, if any."""
        for older in older_names(self.__name__):
            try:
                reply = self._runner.sandbox().request({"op": "get", "name": older})
            except SandboxError:
                return None
            # a function does not cross: it comes back as an opaque type name
            if reply.get("ok") and isinstance(decode(reply.get("value")), Opaque):
                return older
        return None

    def _globals_note(self) -> str:
        if not self._global_data_names:
            return ""
        return (f" Note: {self.__name__} reads the global variable(s) "
                f"{', '.join(self._global_data_names)}; a graded function must work only "
                "from its arguments.")


class SubmissionRunner:
    """Runs one submission's test cells against its sandboxed answers."""

    def __init__(self, program: Program, reference: Reference, answers: dict[str, str],
                 workdir: Path, limits: Limits | None = None, zygote: Zygote | None = None):
        self.program, self.reference, self.answers = program, reference, answers
        self.workdir, self.limits, self.zygote = workdir, limits or Limits(), zygote
        self._sandbox: Sandbox | None = None
        # Test cells share one namespace, as in the notebook (a helper one test cell
        # defines may serve the next): the reference run's, restored.
        self._namespace = reference.fresh()
        self.restarts = 0
        self.answer_errors: dict[str, str] = {}
        self.reason: str | None = None
        self.fault: GraderFault | None = None  # once set, nothing of this run is recorded
        self.deadline = time.monotonic() + self.limits.submission_seconds

    def sandbox(self) -> Sandbox:
        """The live worker, started (or restarted after a crash) with the answers defined."""
        if self._sandbox is not None and self._sandbox.alive:
            return self._sandbox
        if time.monotonic() >= self.deadline:  # the budget is spent: no new worker
            self.reason = (f"grading this submission took over "
                           f"{self.limits.submission_seconds:g} s in all, the limit for one "
                           "submission: the tests after that fail")
            raise SandboxError(self.reason, "timeout")
        if self._sandbox is not None:
            self._sandbox.close()
            if self.restarts >= MAX_RESTARTS:
                raise SandboxError(f"{self.reason} (and again after {MAX_RESTARTS} restarts)",
                                   self._sandbox.code)
            self.restarts += 1
        try:
            self._sandbox = Sandbox(self.workdir, self.limits, self.zygote, self.deadline)
        except GraderFault as exc:
            self.fault = exc  # seen even if a test cell swallows the exception
            raise
        cells = [{"id": c.grade_id or f"cell{c.index}", "source": strip_magics(c.source)}
                 for c in self.program.sandbox_cells(self.answers)]
        try:
            reply = self._sandbox.request({"op": protocol.RUN, "cells": cells})
        except SandboxError as exc:
            self.reason = str(exc)
            raise
        errors = reply.get("errors", {})
        if isinstance(errors, dict):
            self.answer_errors = {str(k): str(v)[:2000] for k, v in errors.items()}
        for cell in self.program.sandbox_cells(self.answers):
            if cell.kind == "answer":
                break
            # Cells before the first answer run no code of the student's: their failure
            # is the grader's (a module missing in the sandbox, an unreadable file).
            cid = cell.grade_id or f"cell{cell.index}"
            if cid in self.answer_errors:
                self.fault = GraderFault(f"the assignment's own cell {cid} failed in the "
                                         f"sandbox: {self.answer_errors[cid]}")
                raise self.fault
        return self._sandbox

    def _namespace_for(self, source: str) -> dict:
        namespace = self._namespace
        for name in self.program.functions:
            namespace[name] = Proxy(self, name, self.reference.snapshot.get(name))
        for name in sorted(self.program.variables & global_reads(source)):
            namespace.pop(name, None)
            try:
                reply = self.sandbox().request({"op": protocol.GET, "name": name})
            except SandboxError:
                continue
            if reply.get("ok"):
                value = decode(reply.get("value"))
                if not isinstance(value, Opaque):
                    namespace[name] = value
        return namespace

    def run(self) -> SubmissionResult:
        start = time.monotonic()
        verdicts = []
        try:
            for cell in self.program.tests:
                verdicts.append(self._run_test(cell))
                if self.fault is not None:
                    raise self.fault
        finally:
            if self._sandbox is not None:
                if not self._sandbox.alive and self.reason is None:
                    self.reason = self._sandbox.reason
                self._sandbox.close()
        return SubmissionResult(verdicts, self.answer_errors, self.reason,
                                time.monotonic() - start)

    def _run_test(self, cell) -> CellVerdict:
        message = mistake = function = detail = None
        printed = io.StringIO()
        try:
            namespace = self._namespace_for(cell.source)
            code = compile(strip_magics(cell.source), f"<test {cell.grade_id}>", "exec")
            with contextlib.chdir(self.workdir), \
                    contextlib.redirect_stdout(printed), \
                    contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(code, namespace)  # noqa: S102 - the instructor's test code
        except GraderFault:
            raise
        except CheckFailed as exc:
            message = f"{type(exc).__name__}: {exc}"
            mistake, function, detail = _mistake(exc)
        except SandboxError as exc:
            message, mistake = f"{exc}", sandbox_code(exc)
        except Exception as exc:  # noqa: BLE001 - a test that errors fails, with its reason
            message = traceback.format_exception_only(type(exc), exc)[-1].strip()
            mistake, detail = "error", type(exc).__name__
        if self._sandbox is not None and not self._sandbox.alive:
            self.reason = self._sandbox.reason
            if message is None:
                message, mistake = self.reason, sandbox_code(self.reason)
        notes = [line for line in printed.getvalue().splitlines() if line.startswith("Note: ")]
        return CellVerdict(cell.grade_id, 0.0 if message else cell.points, cell.points,
                           message, "\n".join(dict.fromkeys(notes))[:2000] or None,
                           mistake, function, detail)
