"""The zygote: one warm sandbox forking a fresh worker per submission, and what it must hold.

Each child must start as clean as a cold worker: no file, process or change a previous
child made may reach it, and a child must not be able to take over the zygote. Every
test here runs the real bubblewrap sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nndl.grader.encoding import decode
from nndl.grader.program import load_program
from nndl.grader.sandbox import (
    Limits,
    Sandbox,
    SandboxError,
    Zygote,
    bubblewrap,
    sandbox_uid,
)
from nndl.grader.verdict import SubmissionRunner, reference_namespace

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "week2_numpy_basics"
WORKDIR = ROOT / "release" / ASSIGNMENT

pytestmark = [pytest.mark.slow,  # every test starts a zygote and sandboxes
              pytest.mark.skipif(not bubblewrap(), reason="bubblewrap is not installed: "
                                 "the zygote exists only inside its PID namespace")]


@pytest.fixture()
def zygote():
    z = Zygote(WORKDIR, Limits(call_seconds=5), ["numpy", "nndl.checks"])
    yield z
    z.close()


def run(sandbox, source):
    reply = sandbox.request({"op": "run", "cells": [{"id": "c", "source": source}]})
    assert reply["errors"] == {}, reply
    return reply


def get(sandbox, name):
    reply = sandbox.request({"op": "get", "name": name})
    assert reply["ok"], reply
    return decode(reply["value"])


def test_children_are_forked_warm_and_run_as_the_sandbox_user(zygote):
    assert zygote.failed_imports == []
    sandbox = Sandbox(WORKDIR, zygote.limits, zygote)
    assert sandbox.zygote is zygote and sandbox.process is None
    run(sandbox, "import os, sys\nuid = os.getuid()\nwarm = 'numpy' in sys.modules\n"
                 "parent = os.getppid()")
    if os.geteuid() == 0:
        assert get(sandbox, "uid") == sandbox_uid()
    assert get(sandbox, "warm") is True
    assert get(sandbox, "parent") == 2  # the zygote, right under bubblewrap
    sandbox.close()


def test_nothing_a_child_leaves_reaches_the_next(zygote):
    first = Sandbox(WORKDIR, zygote.limits, zygote)
    run(first, "import os, time, numpy\n"
               "open('/tmp/planted.py', 'w').write('x = 1')\n"
               "os.makedirs('/tmp/deep/er')\n"
               "numpy.allclose = lambda *a, **k: True\n"
               "for _ in range(3):\n"
               "    if os.fork() == 0:\n"
               "        os.setsid()\n"
               "        while True:\n"
               "            time.sleep(0.05)\n")
    first.close()
    second = Sandbox(WORKDIR, zygote.limits, zygote)
    # what the first child planted (not all of /tmp: a Python or course that lives under
    # /tmp is mounted there, read-only, and stays)
    run(second, "import os, numpy\n"
                "files = sorted(set(os.listdir('/tmp')) & {'planted.py', 'deep'})\n"
                "me = os.getpid()\n"
                "others = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
                "honest = bool(numpy.allclose(0.0, 1.0))")
    assert get(second, "files") == []
    assert get(second, "others") == [1, 2, get(second, "me")]
    assert get(second, "honest") is False
    second.close()


def test_a_child_cannot_read_or_trace_the_zygote(zygote):
    sandbox = Sandbox(WORKDIR, zygote.limits, zygote)
    run(sandbox, "import os\n"
                 "def attempt(path, mode):\n"
                 "    try:\n"
                 "        open(path, mode).close()\n"
                 "        return 'opened'\n"
                 "    except OSError as exc:\n"
                 "        return type(exc).__name__\n"
                 "mem = attempt(f'/proc/{os.getppid()}/mem', 'r+b')\n"
                 "environ = attempt(f'/proc/{os.getppid()}/environ', 'rb')\n"
                 "import ctypes\n"
                 "traced = ctypes.CDLL(None).ptrace(16, os.getppid(), 0, 0)")  # PTRACE_ATTACH
    assert get(sandbox, "mem") == "PermissionError"
    assert get(sandbox, "environ") == "PermissionError"
    assert get(sandbox, "traced") == -1
    sandbox.close()


@pytest.mark.parametrize("attack", ["signal.SIGKILL", "signal.SIGSTOP"])
def test_a_child_that_kills_or_stops_the_zygote_only_ends_itself(zygote, attack):
    sandbox = Sandbox(WORKDIR, zygote.limits, zygote)
    with pytest.raises(SandboxError, match="ended the Python process|killed or stopped the "
                                           "grader's process that started it"):
        run(sandbox, f"import os, signal\nos.kill(os.getppid(), {attack})\nafter = 1")
        get(sandbox, "after")
    start = time.monotonic()
    sandbox.close()
    assert time.monotonic() - start < 2 + Zygote.TIMEOUT + 2
    assert not zygote.usable
    # the grader then starts the next submission cold, or from a new zygote
    cold = Sandbox(WORKDIR, zygote.limits, zygote)
    assert cold.zygote is None
    run(cold, "x = 2")
    assert get(cold, "x") == 2
    cold.close()
    fresh = Zygote(WORKDIR, zygote.limits)
    try:
        child = Sandbox(WORKDIR, zygote.limits, fresh)
        run(child, "x = 3")
        assert get(child, "x") == 3
        child.close()
    finally:
        fresh.close()


def test_an_endless_child_is_killed_and_the_zygote_goes_on(zygote):
    sandbox = Sandbox(WORKDIR, Limits(call_seconds=1), zygote)
    with pytest.raises(SandboxError, match="did not finish within 1 s"):
        run(sandbox, "while True:\n    pass")
    sandbox.close()
    assert zygote.usable
    again = Sandbox(WORKDIR, zygote.limits, zygote)
    run(again, "y = 5")
    assert get(again, "y") == 5
    again.close()


def test_the_zygote_refuses_to_run_outside_a_pid_namespace():
    """kill(-1) outside a sandbox would reach every process of the user: it must not start."""
    import socket

    ours, theirs = socket.socketpair()
    proc = subprocess.run([sys.executable, "-m", "nndl.grader.worker", "--zygote",
                           str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                          capture_output=True, text=True, timeout=60)
    ours.close()
    theirs.close()
    # 0 would mean it served (and ended when its socket closed) instead of refusing
    assert proc.returncode != 0


def test_verdicts_are_the_same_from_a_zygote_and_cold():
    """The same submissions graded both ways give the same per-cell verdicts."""
    import nbformat
    from harness import load_cases

    (source,) = (ROOT / "source" / ASSIGNMENT).glob("*.ipynb")
    program = load_program(source, ASSIGNMENT)
    reference = reference_namespace(program, ROOT, WORKDIR)
    nb = nbformat.read(source, as_version=4)
    solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    z = Zygote(WORKDIR, Limits(call_seconds=10), program.given_modules())
    try:
        for case in load_cases(ASSIGNMENT)[:6]:
            answers = {**solutions, **case.answers}
            cold = SubmissionRunner(program, reference, answers, WORKDIR).run()
            warm = SubmissionRunner(program, reference, answers, WORKDIR, zygote=z).run()
            assert [(c.grade_id, c.points, c.message) for c in warm.cells] == \
                   [(c.grade_id, c.points, c.message) for c in cold.cells], case.name
    finally:
        z.close()
