"""nndl.progress: a bar and a slow-run warning for a person, nothing for the graders."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from nndl import progress

ROOT = Path(__file__).resolve().parent.parent
TRAINING = {  # assignment -> the graded functions whose loops carry the bar
    "week2_logistic_regression": ["optimize"],
    "week3_planar_classification": ["nn_model"],
    "week4_deep_nn_application": ["two_layer_model", "L_layer_model"],
}
LOOP = "for i in progress(range(num_iterations)):"


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != progress.ENV}
    environ.update(env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=environ, timeout=120, cwd=ROOT)


# ------------------------------------------------------------------------- fast tests
def test_unwatched_gives_back_the_iterable_itself(monkeypatch):
    """Under pytest (no kernel, stderr not a terminal): no wrapper, so no cost at all."""
    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.setattr(sys, "stderr", open(os.devnull, "w"))  # noqa: SIM115
    try:
        numbers = range(10)
        assert not progress.watched()
        assert progress.progress(numbers) is numbers
    finally:
        sys.stderr.close()


def test_off_switch_wins(monkeypatch):
    monkeypatch.setenv(progress.ENV, "0")
    numbers = range(5)
    assert progress.progress(numbers) is numbers


def test_bar_goes_to_stderr_and_stdout_is_unchanged():
    code = """
        import time
        from nndl.progress import progress
        for i in progress(range(12), delay=0.2):
            time.sleep(0.05)
            if i % 5 == 0:
                print(f"Cost after iteration {i}: {0.5 / (i + 1):f}")
    """
    shown = _python(code, NNDL_PROGRESS="1")
    hidden = _python(code, NNDL_PROGRESS="0")
    assert shown.returncode == hidden.returncode == 0, shown.stderr + hidden.stderr
    assert shown.stdout == hidden.stdout == "".join(
        f"Cost after iteration {i}: {0.5 / (i + 1):f}\n" for i in (0, 5, 10))
    assert "12/12" in shown.stderr and hidden.stderr == ""
    assert "Warning" not in shown.stderr


def test_short_runs_show_nothing():
    shown = _python("""
        from nndl.progress import progress
        total = sum(progress(range(100000)))
        print(total)
    """, NNDL_PROGRESS="1")
    assert shown.returncode == 0 and shown.stdout == f"{sum(range(100000))}\n"
    assert shown.stderr == "", "a run shorter than the delay draws no bar"


def test_slow_run_warns_once_with_its_duration():
    shown = _python("""
        import time
        from nndl.progress import progress
        for i in progress(range(2000), delay=100):
            time.sleep(0.06)
            if i == 30:
                break
        print("stopped")
    """, NNDL_PROGRESS="1")
    assert shown.returncode == 0 and shown.stdout == "stopped\n"
    lines = shown.stderr.splitlines()
    assert len(lines) == 1, shown.stderr
    assert re.match(r"Warning: this training will take about \d+ min \(2000 iterations at "
                    r"0\.0\d+ s each\)", lines[0]), lines[0]
    assert "vectorize with np.dot" in lines[0]


def test_no_warning_below_a_minute():
    shown = _python("""
        import time
        from nndl.progress import progress
        for i in progress(range(200), delay=100):
            time.sleep(0.01)
            if i == 150:
                break
    """, NNDL_PROGRESS="1")
    assert shown.returncode == 0 and shown.stderr == ""


@pytest.mark.parametrize("seconds, text", [(45, "45 s"), (150, "2 min"), (3 * 3600 + 300,
                                                                          "3 h 5 min")])
def test_duration(seconds, text):
    assert progress.duration(seconds) == text


@pytest.mark.parametrize("kind", ["source", "release"])
def test_training_loops_keep_the_bar_line_outside_the_solution(kind):
    """The stub keeps the loop line, so a student who keeps it gets the bar."""
    from nndl import cells

    for assignment, functions in TRAINING.items():
        [path] = sorted((ROOT / kind / assignment).glob("*.ipynb"))
        nb = nbformat.read(path, as_version=4)
        answers = cells.answers(nb.cells)
        imports = next(c.source for c in nb.cells if cells.role(c) == "imports")
        assert "from nndl.progress import progress" in imports, assignment
        for name in functions:
            assert LOOP in answers[name], (assignment, name)
            if kind == "release":
                before = answers[name].split(LOOP)[0]
                assert "raise NotImplementedError()" in before, \
                    f"{name}: the stub raises before the loop, so every check still fails"


# ------------------------------------------------------------------------- kernel tests
def _run_in_kernel(code: str, metadata: dict | None, timeout: float = 120) -> dict:
    """Execute code in a new IPython kernel, sending metadata with the request as
    JupyterLab does; return the stdout, stderr and display outputs."""
    from jupyter_client.manager import start_new_kernel

    env = {k: v for k, v in os.environ.items() if k != progress.ENV}
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT), env=env)
    try:
        content = {"code": code, "silent": False, "store_history": True,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        msg = kc.session.msg("execute_request", content, metadata=metadata or {})
        kc.shell_channel.send(msg)
        found = {"stdout": "", "stderr": "", "display": [], "error": None}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = kc.get_iopub_msg(timeout=5)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "stream":
                found[body["name"]] += body["text"]
            elif kind in ("display_data", "update_display_data"):
                found["display"].append(body["data"])
            elif kind == "error":
                found["error"] = body["ename"] + ": " + body["evalue"]
            elif kind == "status" and body["execution_state"] == "idle":
                return found
        raise AssertionError("the kernel did not finish")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


KERNEL_CODE = """
import time
from nndl.progress import progress
for i in progress(range(50)):
    time.sleep(0.06)
    if i % 20 == 0:
        print(f"Cost after iteration {i}: {1 / (i + 1):f}")
"""
EXPECTED = "".join(f"Cost after iteration {i}: {1 / (i + 1):f}\n" for i in (0, 20, 40))


@pytest.mark.slow  # starts Jupyter kernels
def test_kernel_bar_only_for_a_cell_a_person_runs():
    lab = _run_in_kernel(KERNEL_CODE, {"cellId": "a1b2", "deletedCells": [],
                                       "recordTiming": False})
    assert lab["error"] is None, lab
    assert lab["stdout"] == EXPECTED
    widgets = [d for d in lab["display"] if "application/vnd.jupyter.widget-view+json" in d]
    assert widgets, f"JupyterLab's request gets the notebook bar: {lab}"
    assert lab["stderr"] == ""

    nbclient_like = _run_in_kernel(KERNEL_CODE, None)
    assert nbclient_like == {"stdout": EXPECTED, "stderr": "", "display": [], "error": None}


@pytest.mark.slow  # a notebook in a Jupyter kernel, trains week 2's model on a tiny input
def test_reference_optimize_under_nbclient_prints_the_same(tmp_path):
    """The reference optimize in a notebook run by nbclient (as nbgrader runs it): silent;
    with the bar forced on, its print_cost lines are byte for byte the same."""
    from nbclient import NotebookClient

    cells = [
        "from nndl import reference, progress as progress_module\n"
        "import numpy as np\n"
        "progress_module.DELAY = 0.0\n"
        "ref = reference.load('week2_logistic_regression')",
        "rng = np.random.default_rng(0)\n"
        "X, Y = rng.normal(size=(3, 20)), (rng.random((1, 20)) > 0.5).astype(float)\n"
        "params, grads, costs = ref.optimize(np.zeros((3, 1)), 0.0, X, Y, num_iterations=301,\n"
        "                                    learning_rate=0.1, print_cost=True)",
    ]
    outputs = {}
    for setting in ("0", "1", None):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        env = {k: v for k, v in os.environ.items() if k != progress.ENV}
        if setting is not None:
            env[progress.ENV] = setting
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
        outputs[setting] = nb.cells[1].outputs
    text = lambda outs, name: "".join(o.get("text", "") for o in outs  # noqa: E731
                                      if o.output_type == "stream" and o.name == name)
    assert [line.split(":")[0] for line in text(outputs["0"], "stdout").splitlines()] == \
        [f"Cost after iteration {i}" for i in (0, 100, 200, 300)]
    assert text(outputs["1"], "stdout") == text(outputs["0"], "stdout") \
        == text(outputs[None], "stdout")
    assert outputs[None] == outputs["0"], "nbclient (and so nbgrader) gets no bar"
    assert [o.output_type for o in outputs["0"]] == ["stream"]
    forced = [o for o in outputs["1"] if o.output_type != "stream" or o.name != "stdout"]
    assert forced, "with the bar forced on and no delay, the bar shows"


@pytest.mark.slow  # the whole week-2 notebook in a kernel: two trainings of 2000 iterations
def test_source_notebook_trains_silently_under_nbclient(tmp_path):
    """As nbgrader executes it: no bar, no warning, nothing on stderr in any cell; the
    summary cell finds every check passing."""
    import shutil

    from nbclient import NotebookClient

    from nndl import cells

    assignment = "week2_logistic_regression"
    shutil.copytree(ROOT / "source" / assignment, tmp_path / assignment)
    [path] = sorted((tmp_path / assignment).glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != progress.ENV}
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute(env=env)
    noisy = [(i, o.output_type, o.get("name")) for i, c in enumerate(nb.cells)
             if c.cell_type == "code" for o in c.outputs
             if o.output_type == "error" or o.get("name") == "stderr"
             or "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert noisy == [], noisy
    [summary_cell] = [c for c in nb.cells if c.cell_type == "code" and "summary()" in c.source]
    text = "".join(o.get("text", "") for o in summary_cell.outputs)
    tests = [cells.grade_id(c) for c in nb.cells if cells.is_test(c)]
    assert text.count(" passed\n") == len(tests) and f"{len(tests)} of {len(tests)}" in text
