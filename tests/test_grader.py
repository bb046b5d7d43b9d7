"""The sandboxed grader: same verdicts as nbgrader on honest work, nothing from attacks.

Student functions run in a bubblewrap sandbox (or, without it, a resource-limited
process) and only plain values come back; the tests run in this process against the
reference. Each known-bad case must earn exactly its golden verdicts, and each attack
must earn nothing and end with a named reason.
"""

from __future__ import annotations

import functools
import json
import os
import textwrap
from dataclasses import asdict

import numpy as np
import pytest
from harness import ROOT, build_submission, case_assignments, load_cases

from nndl.checks import MISTAKES
from nndl.grader.encoding import Opaque, decode, encode
from nndl.grader.program import global_reads, load_program, student_answers
from nndl.grader.sandbox import Limits, Sandbox, SandboxError, bubblewrap, sandbox_uid
from nndl.grader.verdict import SubmissionRunner, reference_namespace

ASSIGNMENTS = case_assignments()
CASES = [case for a in ASSIGNMENTS for case in load_cases(a)]


@functools.cache
def prepared(assignment):
    (source,) = sorted((ROOT / "source" / assignment).glob("*.ipynb"))
    program = load_program(source, assignment)
    workdir = ROOT / "release" / assignment
    return program, reference_namespace(program, ROOT, workdir), workdir


def grade(assignment, answers, limits=None):
    program, reference, workdir = prepared(assignment)
    return SubmissionRunner(program, reference, answers, workdir, limits).run()


# ----------------------------------------------------------------------------- encoding
@pytest.mark.parametrize("value", [
    None, True, 3, 2**70, 0.1, -0.0, "text", np.float64(0.25), np.int64(7), np.bool_(True),
    np.arange(6.0).reshape(2, 3), np.array([[True, False]]), np.zeros((0, 3)),
    np.array(1.5), (1, [2.0, {"a": np.ones(2)}]), {"dw": np.ones((2, 1)), "db": 0.5},
])
def test_encoding_round_trips_exactly(value):
    """Does a value come back with the same type, dtype, shape and bits?"""
    back = decode(encode(value))
    assert type(back) is type(value)
    assert encode(back) == encode(value)


def test_forged_objects_do_not_cross():
    """Does an object with a forged __eq__ or __array__ arrive as an opaque name only?"""

    class Liar:
        def __eq__(self, other):
            return True

        def __array__(self, dtype=None, copy=None):
            return np.ones(3)

    class LyingArray(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, bool)

    assert decode(encode(Liar())) == Opaque(f"{__name__}.Liar") or \
        isinstance(decode(encode(Liar())), Opaque)
    arrived = decode(encode(np.zeros(3).view(LyingArray)))
    assert type(arrived) is np.ndarray and not (arrived == 1).any()


def test_global_reads_see_through_functions():
    src = "def f(x):\n    y = x + train_set_x\n    return np.dot(y, w)\nz = f(1)"
    assert {"train_set_x", "np", "w"} <= global_reads(src)
    assert not {"y", "x", "f"} & global_reads(src)  # f: the cell defines it before the call


def test_global_reads_skip_names_the_cell_binds_first():
    """A test cell that sets d before reading it needs no setup cell that makes d."""
    src = ("d = model(X)\nprint(d['w'])\nif ok:\n    e = 1\nprint(e)\nn = n + 1\n"
           "import numpy as np\nnp.ones(1)\ndef g(a=k):\n    return a + q\n")
    assert global_reads(src) == {"model", "X", "print", "ok", "e", "n", "k", "q"}


def test_global_reads_skip_names_of_enclosing_functions_and_comprehensions():
    """rng bound in a hidden test's function and used by a nested one is not the notebook's."""
    src = ("def _hidden():\n    rng = make()\n    def inner():\n        return rng.random()\n"
           "    return [rng.random() + y for y in data]\n_hidden()\n"
           "vals = [a * k for k in range(3) if k > t]\n")
    assert global_reads(src) == {"make", "data", "a", "range", "t"}


# -------------------------------------------------------------------------- known-bad cases
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.assignment}/{c.name}")
def test_grader_gives_each_case_its_golden_verdicts(case):
    """Does the sandboxed grader fail exactly the cells nbgrader fails, with the message?"""
    result = grade(case.assignment, student_answers(build_submission(ROOT, case)))
    failed = {c.grade_id: c.message for c in result.cells if not c.passed}
    expected = {c.grade_id for c in result.cells} if case.fails == "all" else set(case.fails)
    assert set(failed) == expected, failed
    if case.fails != "all":
        for gid, text in case.fails.items():
            assert text is None or text in failed[gid], (gid, failed[gid])
    codes = {c.grade_id: c.code for c in result.cells if not c.passed}
    assert all(c.code is None for c in result.cells if c.passed)
    assert all(code in MISTAKES for code in codes.values()), codes
    json.dumps([asdict(c) for c in result.cells])  # what nndl grade records of them
    for gid, code in case.codes.items():
        assert codes[gid] == code, (gid, codes[gid], failed[gid])


def test_case_files_are_well_formed():
    """Every case's CODES name failing tests and known mistake codes."""
    assert CASES and any(case.codes for case in CASES)
    for case in CASES:
        assert set(case.codes) <= (set(case.fails) if case.fails != "all" else set(
            prepared_tests(case.assignment))), case.name
        assert set(case.codes.values()) <= set(MISTAKES), case.name


def prepared_tests(assignment):
    (source,) = sorted((ROOT / "source" / assignment).glob("*.ipynb"))
    return [c.grade_id for c in load_program(source, assignment).tests]


# --------------------------------------------------------------------------------- attacks
ASSIGNMENT = "week2_numpy_basics"


def perfect_answers():
    case = next(c for c in load_cases(ASSIGNMENT) if c.name == "perfect")
    return student_answers(build_submission(ROOT, case))


def attacked(grade_id, extra, *, replace=False):
    answers = perfect_answers()
    answers[grade_id] = textwrap.dedent(extra) if replace else \
        answers[grade_id] + "\n" + textwrap.dedent(extra)
    return answers


WRONG_L1 = "def L1(yhat, y):\n    return 0.0\n"


@pytest.mark.slow
@pytest.mark.parametrize("name, code", [
    ("rebinds np.allclose and np.testing", WRONG_L1 + "import numpy as np\n"
     "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
     "np.testing.assert_allclose = lambda *a, **k: None\n"),
    ("rebinds builtins and the checks module", WRONG_L1 + "import builtins\n"
     "builtins.isinstance = lambda *a: True\nimport nndl.checks as c\n"
     "c.Function.expect = lambda *a, **k: None\nc._compare = lambda *a, **k: None\n"),
    ("returns an object whose == is always true", "class Yes(float):\n"
     "    def __eq__(self, other): return True\n    def __ne__(self, other): return False\n"
     "def L1(yhat, y):\n    return Yes(0.0)\n"),
    ("returns an array subclass with a forged __eq__", "import numpy as np\n"
     "class Yes(np.ndarray):\n    def __eq__(self, other): return np.ones(np.shape(self), bool)\n"
     "def L1(yhat, y):\n    return np.zeros(1).view(Yes)[0]\n"),
    ("prints fake success messages", WRONG_L1 + "print('All tests passed! 10/10')\n"),
])
def test_tampering_earns_nothing(name, code):
    """Does a wrong L1 stay wrong whatever the submission rebinds or forges?"""
    result = grade(ASSIGNMENT, attacked("L1", code, replace=True))
    verdict = {c.grade_id: c for c in result.cells}
    assert not verdict["test_L1"].passed, name
    assert result.score <= 9.0, name  # sabotaging the worker only costs the saboteur


LIMITS = Limits(call_seconds=5, cpu_seconds=20, memory_bytes=1 * 2**30)


@pytest.mark.slow
@pytest.mark.parametrize("name, body, reason", [
    ("endless loop", "while True:\n        pass", "did not finish within 5 s"),
    ("memory bomb", "x = [bytearray(10**8) for _ in range(100)]", "MemoryError"),
    ("os._exit", "import os; os._exit(3)", "exit status 3"),
    ("segfault", "import ctypes; ctypes.string_at(0)", "segmentation fault"),
    ("output flood", "print('x' * 10**8)\n    return float(np.sum(np.abs(y - yhat)))", None),
    ("fork bomb", "import os\n    while True:\n        os.fork()", None),
])
def test_runaway_code_ends_with_a_named_reason_and_keeps_other_points(name, body, reason):
    """Does a crash or hang in L1 cost only L1's point, with the reason named?"""
    code = f"import numpy as np\ndef L1(yhat, y):\n    {body}\n"
    result = grade(ASSIGNMENT, attacked("L1", code, replace=True), LIMITS)
    verdict = {c.grade_id: c for c in result.cells}
    others = sum(c.points for c in result.cells if c.grade_id != "test_L1")
    assert others == 9.0, (name, [(c.grade_id, c.message) for c in result.cells])
    if reason is None:  # the flood is harmless; the fork bomb is stopped by the limits
        return
    assert not verdict["test_L1"].passed and reason in verdict["test_L1"].message, \
        verdict["test_L1"].message
    expected = {"endless loop": "timeout", "memory bomb": "raised"}.get(name, "exited")
    assert verdict["test_L1"].code == expected, verdict["test_L1"]


@pytest.mark.slow
@pytest.mark.skipif(not bubblewrap(), reason="bubblewrap is not installed")
@pytest.mark.parametrize("probe, expect", [
    ("open(COURSE + '/source/week2_numpy_basics/numpy_basics.ipynb').read()",
     "FileNotFoundError"),
    ("open(COURSE + '/nbgrader_config.py').read()", "FileNotFoundError"),
    ("'source' in __import__('os').listdir(COURSE)", "False"),
    ("__import__('socket').create_connection(('127.0.0.1', 22), timeout=2)", "Error"),
    ("open(COURSE + '/nndl/x.py', 'w')", "Error"),
    ("__import__('os').getuid() == SANDBOX_UID != 0", "True"),
])
def test_sandbox_sees_no_course_files_and_no_network(probe, expect, tmp_path):
    """Can student code read solutions, the config or the network, or write the package?"""
    sandbox = Sandbox(tmp_path)
    uid = sandbox_uid() if os.geteuid() == 0 else os.geteuid()
    try:
        program = (f"COURSE = {str(ROOT)!r}\nSANDBOX_UID = {uid}\n"
                   f"def probe():\n    try:\n        return repr({probe})\n"
                   "    except BaseException as exc:\n        return type(exc).__name__ + str(exc)")
        sandbox.request({"op": "run", "cells": [{"id": "a", "source": program}]})
        reply = sandbox.request({"op": "call", "name": "probe", "args": [], "kwargs": {}})
        assert expect in decode(reply["result"])
    finally:
        sandbox.close()


@pytest.mark.slow  # starts a sandbox
def test_a_dead_sandbox_says_why(tmp_path):
    sandbox = Sandbox(tmp_path, Limits(call_seconds=10))
    try:
        sandbox.request({"op": "run", "cells": [{"id": "a", "source": "import os\nos._exit(7)"}]})
    except SandboxError as exc:
        assert "exit status 7" in str(exc)
    else:
        pytest.fail("the sandbox answered after exiting")
    finally:
        sandbox.close()
