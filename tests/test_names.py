"""Older function names, call errors and signature changes, as both graders report them.

The grader's Proxy is driven here by a stand-in sandbox that answers as the worker does,
so that its messages can be checked without starting one; tests/test_grader.py grades the
real submissions (tests/submissions/*/older_name_*.py, changed_def_line_*.py, ...).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nndl import checks, names
from nndl.grader.encoding import encode
from nndl.grader.verdict import Proxy


class _Sandbox:
    def __init__(self, call_reply, namespace=()):
        self.call_reply, self.namespace, self.requests = call_reply, set(namespace), []

    def request(self, message):
        self.requests.append(message)
        if message["op"] == "get":
            if message["name"] in self.namespace:
                return {"ok": True, "value": encode(lambda: None)}  # arrives as Opaque
            return {"ok": False, "error": f"NameError: {message['name']} is not defined"}
        return dict(self.call_reply)


class _Runner:
    def __init__(self, sandbox, answer_errors=None):
        self._sandbox, self.answer_errors = sandbox, answer_errors or {}

    def sandbox(self):
        return self._sandbox


def _reference(x):
    return x


def _proxy(name, call_reply, namespace=(), answer_errors=None):
    sandbox = _Sandbox(call_reply, namespace)
    return Proxy(_Runner(sandbox, answer_errors), name, _reference), sandbox


def _error(fn, *args) -> str:
    with pytest.raises(checks.CheckFailed) as info:
        fn(*args)
    return str(info.value)


MISSING = {"ok": False, "error": "NameError: normalize_rows is not defined as a function",
           "frames": []}


def test_table_holds_the_course_names_and_their_older_spellings():
    assert names.older_names("normalize_rows") == ("normalizeRows",)
    assert names.older_names("L1") == ()
    for name, older in names.OLDER_NAMES.items():
        assert older and all(o != name and o.replace("_", "").lower() == name.replace(
            "_", "").lower() for o in older), name


def test_proxy_names_a_function_found_under_an_older_name():
    """Does nndl grade say 'found normalizeRows' when only the older name is defined?"""
    proxy, sandbox = _proxy("normalize_rows", MISSING, namespace={"normalizeRows"},
                            answer_errors={"other": "ValueError: x"})
    msg = _error(checks.Function(proxy).call, np.ones((2, 3)))
    assert msg == ("normalize_rows is not defined: found normalizeRows: this course calls it "
                   "normalize_rows")
    assert {"op": "get", "name": "normalizeRows"} in sandbox.requests


def test_proxy_without_an_older_name_keeps_the_answer_cell_error():
    proxy, _ = _proxy("normalize_rows", MISSING, answer_errors={"normalize_rows": "KeyError: 1"})
    assert "its answer cell raised KeyError: 1" in _error(checks.Function(proxy).call, 1.0)


def test_proxy_and_checks_say_the_same_about_a_changed_def_line():
    """A TypeError with no student frame is the def line; both paths use one sentence."""
    proxy, _ = _proxy("normalize_rows", {
        "ok": False, "frames": [],
        "error": "TypeError: normalize_rows() takes 2 positional arguments but 1 was given"})
    in_grader = _error(checks.Function(proxy).call, np.ones((2, 3)))

    def normalize_rows(x, axis):
        return x

    in_kernel = _error(checks.Function(normalize_rows).call, np.ones((2, 3)))
    common = "normalize_rows cannot be called as the course calls it: keep the def line as given"
    assert in_grader.startswith(common) and in_kernel.startswith(common)
    assert "takes 2 positional arguments but 1 was given" in in_grader


def test_proxy_error_inside_the_function_names_the_call():
    """A TypeError from the student's own lines is their error, named with the call."""
    proxy, _ = _proxy("normalize_rows", {
        "ok": False, "frames": ['  File "<cell normalize_rows>", line 3, in normalize_rows\n'],
        "error": "TypeError: unsupported operand type(s)", "globals": ["x_train"]})
    msg = _error(checks.Function(proxy).call, np.ones((2, 3), np.float32))
    assert msg.startswith("Called as normalize_rows(x: float32 array (2, 3)), normalize_rows "
                          "raised TypeError: unsupported operand type(s) Note: normalize_rows "
                          "reads the global variable(s) x_train")
    # called outside checks (a test helper calling it directly): the message stays short
    assert _error(proxy, np.ones(2)).startswith("normalize_rows raised TypeError")


class _Shell:
    def __init__(self, user_ns):
        self.user_ns, self.shown = user_ns, []

    def showtraceback(self, exc_tuple, tb_offset=None):
        self.shown.append(exc_tuple[1])


def test_kernel_handler_adds_the_older_name_to_the_name_error():
    shell = _Shell({"normalizeRows": lambda x: x, "basicSigmoid": 3.0})
    for name in ("normalize_rows", "basic_sigmoid", "softmax"):
        try:
            exec(f"{name}(1)", {})
        except NameError as exc:
            names._name_error_handler(shell, NameError, exc, exc.__traceback__)
    found, not_a_function, unknown = (str(e) for e in shell.shown)
    assert found == ("name 'normalize_rows' is not defined; found normalizeRows: this course "
                     "calls it normalize_rows")
    assert not_a_function == "name 'basic_sigmoid' is not defined"
    assert unknown == "name 'softmax' is not defined"


def test_kernel_hint_in_a_real_ipython_shell():
    """In IPython, does a test cell's NameError name the older function, and nothing else?"""
    script = textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance(colors="nocolor")
        shell.run_cell("from nndl import checks")
        shell.run_cell("def normalizeRows(x):\\n    return x")
        r = shell.run_cell("check = checks.Function(normalize_rows)")
        print("FAILED" if not r.success else "PASSED", type(r.error_in_exec).__name__)
        r = shell.run_cell("undefined_thing")
        print("FAILED" if not r.success else "PASSED", type(r.error_in_exec).__name__)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    text = out.stdout + out.stderr
    assert text.count("FAILED NameError") == 2, text
    assert "found normalizeRows: this course calls it normalize_rows" in text
    assert text.count("found ") == 1, text


def test_no_kernel_hint_outside_ipython():
    assert names.install_kernel_hint() is False
