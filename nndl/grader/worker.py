"""The student's side of grading: runs inside the sandbox, speaks only plain data.

Started as ``python -m nndl.grader.worker RFD WFD``. It greets the grader on WFD
(``hello``: it started and can speak; anything that fails before that is the grader's
fault, never the student's), then reads frames (``protocol``) from file descriptor RFD
and answers on WFD:

- ``{"op": "run", "cells": [{"id", "source"}]}``: execute the cells in one namespace
  (errors are recorded per cell; execution goes on), answer ``{"errors": {id: text}}``;
- ``{"op": "call", "name", "args", "kwargs"}``: call a function of that namespace on the
  decoded arguments, answer with the encoded result and the arguments as they are after
  the call (so the trusted side sees in-place changes), or with the exception;
- ``{"op": "get", "name"}``: the encoded value of a variable.

Started as ``python -m nndl.grader.worker --zygote FD`` it is instead a zygote (see
``zygote``): it imports the assignment's modules once and forks such a worker per
submission, which saves each submission the interpreter's and the libraries' start.

Nothing here decides a grade. Whatever the student's code does to this process (rebinding
numpy, printing, exiting, corrupting these messages), the trusted side only ever receives
encoded values and compares them itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import traceback
import warnings

from . import protocol


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

    protocol.send(wfd, {"op": protocol.HELLO, "pid": me, "uid": os.getuid()})
    while True:
        message = protocol.receive(rfd)
        if message is None or message.get("op") == protocol.EXIT:
            return
        op = message.get("op")
        if op == protocol.RUN:
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
            protocol.send(wfd, {"errors": errors})
        elif op == protocol.CALL:
            func = namespace.get(message["name"])
            if not callable(func):
                protocol.send(wfd, {"ok": False, "error": f"NameError: {message['name']} is "
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
            protocol.send(wfd, reply)
        elif op == protocol.GET:
            name = message["name"]
            if name in namespace:
                protocol.send(wfd, {"ok": True, "value": encode(namespace[name])})
            else:
                protocol.send(wfd, {"ok": False, "error": f"NameError: {name} is not defined"})
        else:
            protocol.send(wfd, {"ok": False, "error": f"unknown request {op!r}"})


# ------------------------------------------------------------------------------ zygote
def _undumpable() -> None:
    """Forbid ptrace and /proc/<pid>/mem on this process to its (same-user) children."""
    import ctypes

    PR_SET_DUMPABLE = 4
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def _others() -> list[int]:
    """Live processes of this PID namespace other than init (bubblewrap) and this one."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, me):
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                state = stat.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b"Z", b"X"):
            found.append(int(entry))
    return found


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _mounts_under(folder: str) -> set[str]:
    """Mount points strictly inside folder (the grader's Python or course, when it lives
    under /tmp, is mounted read-only on top of the sandbox's private /tmp)."""
    found = set()
    with contextlib.suppress(OSError), open("/proc/self/mountinfo") as info:
        for line in info:
            fields = line.split()
            if len(fields) > 4:
                point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[4])
                if point.startswith(folder.rstrip("/") + "/"):
                    found.add(point)
    return found


def _empty(folder: str, keep: set[str]) -> None:
    """Remove everything inside folder but the mount points in keep and the folders
    leading to them."""
    import shutil

    for entry in os.listdir(folder):
        path = os.path.join(folder, entry)
        if path in keep:
            continue
        if any(k.startswith(path + "/") for k in keep):
            if os.path.isdir(path) and not os.path.islink(path):
                _empty(path, keep)
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _clear_ipc() -> None:
    """Remove the System V shared memory, semaphores and message queues of this sandbox's
    IPC namespace (a child's would outlive it, holding host memory, seen by the next)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    IPC_RMID = 0
    for kind in ("shm", "sem", "msg"):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                ids = [int(line.split()[1]) for line in table.readlines()[1:] if line.split()]
        except (OSError, ValueError, IndexError):
            continue
        for ident in ids:
            if kind == "shm":
                libc.shmctl(ident, IPC_RMID, None)
            elif kind == "sem":
                libc.semctl(ident, 0, IPC_RMID)
            else:
                libc.msgctl(ident, IPC_RMID, None)


def _clear_keyrings() -> None:
    """Empty the kernel keyrings a child of this user may have filled (session, user,
    user-session): keys outlive processes and count against the user's quota."""
    import ctypes
    import platform

    number = {"x86_64": 250, "aarch64": 219}.get(platform.machine())  # keyctl(2)
    if number is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    KEYCTL_CLEAR = 7
    for keyring in (-3, -4, -5):
        libc.syscall(number, KEYCTL_CLEAR, ctypes.c_long(keyring))


def _clear_sandbox(keep: set[str]) -> None:
    """Kill every process but this one, empty /tmp and /dev/shm, remove IPC objects and
    keys: the next child starts as clean as a new sandbox."""
    import signal
    import time

    for _ in range(200):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(-1, signal.SIGKILL)  # every process this user may signal, but us
        _reap()
        if not _others():
            break
        time.sleep(0.005)
    _empty("/tmp", keep)
    if os.path.isdir("/dev/shm"):
        _empty("/dev/shm", set())
    _clear_ipc()
    _clear_keyrings()


def _wait_child(pid: int, seconds: float):
    """The child's exit status (code, or -signal), or None when it had to be killed."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def zygote(control: int) -> None:
    """Import the assignment's modules once, then fork one worker per submission.

    Never runs a student's code itself: only its children do, each with fresh pipes to the
    grader (sent over the control socket), one at a time. Between children it kills every
    other process of the sandbox and empties /tmp, so that nothing one submission leaves
    behind reaches the next. It is not dumpable, so a child (same user) cannot ptrace it
    or write its memory; a child that kills or stops it only makes the grader start
    another.
    """
    import socket

    if os.getppid() != 1:  # kill(-1) below must only ever reach this sandbox's processes
        raise SystemExit("the zygote runs only as the first process of a PID namespace")
    _undumpable()
    keep = _mounts_under("/tmp")
    sock = socket.socket(fileno=control)
    child = None
    while True:
        message = protocol.receive(control)
        if message is None or message.get("op") == protocol.EXIT:
            return
        op = message.get("op")
        if op == protocol.PRELOAD:
            failed = []
            for name in message.get("modules", []):
                try:
                    __import__(str(name))
                except BaseException:  # noqa: BLE001 - the child will meet the error itself
                    failed.append(str(name))
            if "matplotlib.pyplot" in sys.modules:  # the font list, built now, not per child
                with contextlib.suppress(Exception):
                    sys.modules["matplotlib.pyplot"].figure().clf()
                    sys.modules["matplotlib.pyplot"].close("all")
            _clear_sandbox(keep)
            protocol.send(control, {"ok": True, "failed": failed})
        elif op == protocol.FORK:
            _, fds, _, _ = socket.recv_fds(sock, 1, 2)
            if len(fds) != 2:
                for fd in fds:
                    os.close(fd)
                protocol.send(control, {"ok": False, "error": "expected two descriptors"})
                continue
            try:
                pid = os.fork()
            except OSError as exc:
                for fd in fds:
                    os.close(fd)
                protocol.send(control, {"ok": False, "error": _describe(exc)})
                continue
            if pid == 0:  # the child: a worker for one submission
                try:
                    sock.close()
                    serve(fds[0], fds[1])
                finally:
                    os._exit(0)
            for fd in fds:
                os.close(fd)
            child = pid
            protocol.send(control, {"ok": True})
        elif op == protocol.PING:
            protocol.send(control, {"ok": True})
        elif op == protocol.END:
            status = _wait_child(child, float(message.get("wait", 0))) if child else None
            child = None
            _clear_sandbox(keep)
            protocol.send(control, {"ok": True, "status": status})
        else:
            protocol.send(control, {"ok": False, "error": f"unknown request {op!r}"})


def _setup() -> None:
    # The student's prints go nowhere: they cannot flood the grader or forge its messages
    # on stdout, and nothing they print reaches the feedback.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.environ["MPLBACKEND"] = "Agg"
    sys.setrecursionlimit(10_000)
    sys.path.insert(0, os.getcwd())  # the assignment's own modules, as in a kernel


def main() -> None:
    _setup()
    if sys.argv[1] == "--zygote":
        zygote(int(sys.argv[2]))
    else:
        serve(int(sys.argv[1]), int(sys.argv[2]))


if __name__ == "__main__":
    main()
