"""Does a graded function loop over the m examples in Python? Counted, not timed.

Vectorization is what weeks 2 to 4 teach: a ``propagate`` that walks the examples one by
one gives the right numbers, and passes every value check, but takes seconds where the
vectorized one takes a millisecond. Timing it would depend on the machine and its load,
so this module counts instead: ``line_events`` runs the function under ``sys.settrace``
and counts the Python lines executed in the student's own code (the function, the code
objects nested in it, and the functions of the same notebook it calls by name). Vectorized
code runs the same lines whatever m is; a loop over the examples runs its body once per
example. ``check_vectorized`` calls the function with m and with 10·m examples and says so
when the count grows with m:

    vectorization.check_vectorized(propagate, lambda m: make_args(m), m=20, fail=True)

With ``fail=False`` it prints a ``Note:`` line (which costs nothing and which the grader
carries into the feedback); with ``fail=True`` it raises ``CheckFailed`` with the mistake
code ``loops_over_examples``.

Under ``nndl grade`` the graded function is a proxy to the student's sandboxed process;
the count must be taken where the code runs, so the proxy's sandbox is asked to run
``line_events`` on the same arguments (a "run" of a small cell, then a "get" of its
result). Only two small integers come back; nothing of the student's runs in the grader.
"""

from __future__ import annotations

import json
import sys
import types
import warnings

import numpy as np

from nndl.checks import CheckFailed, note

CODE = "loops_over_examples"
FACTOR = 10  # the larger call has FACTOR times as many examples
_RESULT = "__nndl_line_events__"


def _function_of(value):
    """The plain Python function behind value (unwrapping decorators), or None."""
    seen = 0
    while seen < 10 and hasattr(value, "__wrapped__"):
        value, seen = value.__wrapped__, seen + 1
    return value if isinstance(value, types.FunctionType) else None


def _nested(code: types.CodeType) -> set[types.CodeType]:
    found, stack = set(), [code]
    while stack:
        c = stack.pop()
        if c in found:
            continue
        found.add(c)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return found


def student_code(func) -> set[types.CodeType]:
    """The code objects to count: func's, nested ones, and the same notebook's functions
    func reaches by global name (a helper such as ``sigmoid`` called once per example)."""
    func = _function_of(func)
    if func is None:
        return set()
    namespace, module = func.__globals__, func.__module__
    codes: set[types.CodeType] = set()
    todo, done = [func], set()
    while todo:
        f = todo.pop()
        if id(f) in done:
            continue
        done.add(id(f))
        own = _nested(f.__code__)
        codes |= own
        for c in own:
            for name in c.co_names:
                g = _function_of(namespace.get(name))
                if g is not None and g.__module__ == module and g.__globals__ is namespace:
                    todo.append(g)
    return codes


def line_events(func, *args, **kwargs) -> int:
    """How many Python lines of the student's own code one call of func executes.

    Counts the "call" and "line" trace events of the code objects ``student_code`` finds
    (a generator's resumption is a call; a loop that jumps back to its own line is a line
    event). Library code (numpy) is not traced. Warnings are silenced, as in a check.
    """
    codes = student_code(func)
    if not codes:
        raise TypeError(f"{getattr(func, '__name__', func)!r} is not a Python function")
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        nonlocal count
        if frame.f_code in codes:
            count += 1
            return local
        return None

    previous = sys.gettrace()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        sys.settrace(calls)
        try:
            func(*args, **kwargs)
        finally:
            sys.settrace(previous)
    return count


def _is_proxy(func) -> bool:
    """A grader's proxy (nndl.grader.verdict.Proxy): the function runs in a sandbox."""
    runner = getattr(func, "_runner", None)
    return runner is not None and callable(getattr(runner, "sandbox", None)) \
        and _function_of(func) is None


def _remote_counts(func, calls: list[tuple]) -> list[int | None] | None:
    """line_events of each call, counted in the proxy's sandbox; None when it cannot be."""
    from nndl.grader.encoding import decode, encode

    name = getattr(func, "__name__", "")
    if not name.isidentifier():
        return None
    payload = json.dumps([[encode(a) for a in args] for args in calls])
    source = (
        "def __nndl_count(calls):\n"
        "    import json\n"
        "    from nndl.grader.encoding import decode\n"
        "    from nndl.vectorization import line_events\n"
        "    counts = []\n"
        "    for args in json.loads(calls):\n"
        "        try:\n"
        f"            counts.append(line_events({name}, *[decode(a) for a in args]))\n"
        "        except BaseException:\n"
        "            counts.append(None)\n"
        "    return counts\n"
        f"{_RESULT} = __nndl_count({payload!r})\n"
        "del __nndl_count\n")
    try:
        sandbox = func._runner.sandbox()
        sandbox.request({"op": "run", "cells": [{"id": "nndl-vectorization",
                                                  "source": source}]})
        reply = sandbox.request({"op": "get", "name": _RESULT})
        counts = decode(reply.get("value")) if reply.get("ok") else None
    except Exception:  # noqa: BLE001 - no count, no verdict: the value checks decide
        return None
    if not isinstance(counts, list) or len(counts) != len(calls):
        return None
    return [int(c) if type(c) is int and c >= 0 else None for c in counts]


def counts(func, make_args, m: int, factor: int = FACTOR) -> tuple[int, int] | None:
    """(lines for m examples, lines for factor·m examples), or None when not countable.

    make_args(m) returns the positional arguments of one call with m examples.
    """
    calls = [tuple(make_args(m)), tuple(make_args(factor * m))]
    if _is_proxy(func):
        found = _remote_counts(func, calls)
    else:
        found = []
        for args in calls:
            try:
                found.append(line_events(func, *args))
            except Exception:  # noqa: BLE001 - its errors are the value checks' business
                found.append(None)
    if not found or None in found:
        return None
    return found[0], found[1]


def loops_over_examples(small: int, large: int, m: int) -> bool:
    """The count grew with m: at least one more line per example, on (FACTOR - 1)·m more
    examples, allowing for a few lines that depend on the data (a branch taken or not)."""
    return large - small >= m


def message(name: str, small: int, large: int, m: int, factor: int = FACTOR,
            hint: str = "vectorize with np.dot") -> str:
    return (f"{name} works, but loops over the m examples in Python: {hint}. Its own code "
            f"ran {small} lines for m = {m} examples and {large} lines for m = {factor * m}; "
            "vectorized code runs the same lines whatever m is, and is hundreds of times "
            "faster on the real data.")


def check_vectorized(func, make_args, *, m: int = 20, name: str | None = None,
                     fail: bool = False, hint: str = "vectorize with np.dot") -> bool:
    """Say so when func loops over the m examples; True when it does not (or cannot tell).

    fail=False prints a Note (no points lost); fail=True raises CheckFailed coded
    ``loops_over_examples``.
    """
    name = name or getattr(func, "__name__", "the function")
    found = counts(func, make_args, m)
    if found is None or not loops_over_examples(*found, m):
        return True
    text = message(name, *found, m, hint=hint)
    if fail:
        raise CheckFailed(text, code=CODE, function=name)
    note(text)
    return False
