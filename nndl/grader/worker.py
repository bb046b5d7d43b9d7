"""The student's side of grading: runs inside the sandbox, speaks only plain data.

Started as ``python -m nndl.grader.worker RFD WFD``. It reads length-prefixed JSON
messages from file descriptor RFD and answers on WFD:

- ``{"op": "run", "cells": [{"id", "source"}]}``: execute the cells in one namespace
  (errors are recorded per cell; execution goes on), answer ``{"errors": {id: text}}``;
- ``{"op": "call", "name", "args", "kwargs"}``: call a function of that namespace on the
  decoded arguments, answer with the encoded result and the arguments as they are after
  the call (so the trusted side sees in-place changes), or with the exception;
- ``{"op": "get", "name"}``: the encoded value of a variable.

Nothing here decides a grade. Whatever the student's code does to this process (rebinding
numpy, printing, exiting, corrupting these messages), the trusted side only ever receives
encoded values and compares them itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import sys
import traceback
import warnings

HEADER = struct.Struct("!Q")


def read_message(fd: int):
    from .encoding import loads

    header = _read_exact(fd, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    body = _read_exact(fd, size)
    if body is None:
        return None
    return loads(body)


def write_message(fd: int, message) -> None:
    from .encoding import dumps

    data = dumps(message)
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _describe(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def _student_frames(exc: BaseException) -> list[str]:
    tb = exc.__traceback__
    frames = traceback.extract_tb(tb)
    # drop this module's frames: the student needs their own lines only
    kept = [f for f in frames if f.filename.startswith("<cell")]
    return traceback.format_list(kept)[-8:]


class _CappedText(io.StringIO):
    """Captures what a call prints, up to a limit (an output flood is cut, not stored)."""

    LIMIT = 64 * 1024

    def write(self, text):
        room = self.LIMIT - self.tell()
        return super().write(text[:max(room, 0)]) if room > 0 else len(text)


def _walk(value, path=(), depth=0):
    """(path, node) for value and the dicts, lists, tuples and arrays inside it."""
    yield path, value
    if depth > 8:
        return
    if type(value) is dict:
        for key, item in value.items():
            yield from _walk(item, (*path, key), depth + 1)
    elif type(value) in (list, tuple):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i), depth + 1)


def _aliases(result, args, kwargs) -> list:
    """Where the result holds an argument object itself (not a copy): [result path, arg path].

    A cache must hold the very arrays a function was given; the trusted side rebuilds that
    identity from these paths.
    """
    import numpy as np

    owners = {}
    for path, node in _walk({"args": list(args), "kwargs": dict(kwargs)}):
        if isinstance(node, np.ndarray | dict | list) and path:
            owners.setdefault(id(node), list(path))
    found = []
    for path, node in _walk(result):
        if id(node) in owners and isinstance(node, np.ndarray | dict | list):
            found.append([list(path), owners[id(node)]])
    return found[:1000]


def _rng_state(values):
    import numpy as np

    name, keys, pos, has_gauss, cached = values
    return (str(name), np.asarray(keys, dtype=np.uint32), int(pos), int(has_gauss),
            float(cached))


def serve(rfd: int, wfd: int) -> None:
    from .encoding import decode, encode

    namespace: dict = {"__name__": "__main__"}
    me = os.getpid()

    def only_me():
        # A process the student's code forked must never answer the grader.
        if os.getpid() != me:
            os._exit(0)

    while True:
        message = read_message(rfd)
        if message is None or message.get("op") == "exit":
            return
        op = message.get("op")
        if op == "run":
            errors = {}
            for cell in message["cells"]:
                try:
                    code = compile(cell["source"], f"<cell {cell['id']}>", "exec")
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        exec(code, namespace)  # noqa: S102 - this process is the sandbox
                except BaseException as exc:  # noqa: BLE001 - SystemExit included
                    errors[cell["id"]] = _describe(exc)
                only_me()
            write_message(wfd, {"errors": errors})
        elif op == "call":
            func = namespace.get(message["name"])
            if not callable(func):
                write_message(wfd, {"ok": False, "error": f"NameError: {message['name']} is "
                                    "not defined as a function", "frames": []})
                continue
            import numpy as np

            from nndl.checks import global_data_names

            args = [decode(a) for a in message["args"]]
            kwargs = {k: decode(v) for k, v in message["kwargs"].items()}
            if message.get("rng"):  # the trusted side's global random state, shared
                np.random.set_state(_rng_state(decode(message["rng"])))
            printed = _CappedText()
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"), \
                        contextlib.redirect_stdout(printed):
                    warnings.simplefilter("ignore")
                    result = func(*args, **kwargs)
                reply = {"ok": True, "result": encode(result),
                         "args": [encode(a) for a in args],
                         "kwargs": {k: encode(v) for k, v in kwargs.items()},
                         "aliases": _aliases(result, args, kwargs)}
            except BaseException as exc:  # noqa: BLE001 - report SystemExit too
                reply = {"ok": False, "error": _describe(exc), "frames": _student_frames(exc)}
            only_me()
            reply["stdout"] = printed.getvalue()
            reply["rng"] = encode(list(np.random.get_state()))
            try:
                reply["globals"] = global_data_names(func)
            except Exception:  # noqa: BLE001 - a hint only
                reply["globals"] = []
            write_message(wfd, reply)
        elif op == "get":
            name = message["name"]
            if name in namespace:
                write_message(wfd, {"ok": True, "value": encode(namespace[name])})
            else:
                write_message(wfd, {"ok": False, "error": f"NameError: {name} is not defined"})
        else:
            write_message(wfd, {"ok": False, "error": f"unknown request {op!r}"})


def main() -> None:
    rfd, wfd = int(sys.argv[1]), int(sys.argv[2])
    # The student's prints go nowhere: they cannot flood the grader or forge its messages
    # on stdout, and nothing they print reaches the feedback.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.environ["MPLBACKEND"] = "Agg"
    sys.setrecursionlimit(10_000)
    sys.path.insert(0, os.getcwd())  # the assignment's own modules, as in a kernel
    serve(rfd, wfd)


if __name__ == "__main__":
    main()
