"""Locks in the course folder, so that grading runs never trip over each other.

``course_lock(root, "grade-week2_numpy_basics")`` is held for a whole `nndl grade` run of
an assignment: a second run of the same assignment waits for it, saying who holds it.
``course_lock(root, "gradebook")`` is held while a run writes the gradebook, so runs of
different assignments on one SQLite gradebook write one at a time. They are ``flock``
locks on files under ``.nndl/locks/``: the kernel drops them when the holder dies, so a
killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import socket
import sys
from pathlib import Path


@contextlib.contextmanager
def course_lock(root: Path, name: str, log=None, describe: bool = True):
    """Hold the named lock of the course; wait for it (saying so through log) if taken."""
    folder = root / ".nndl" / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if log is not None:
                holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
                log(f"waiting: another run holds {name} ({holder or 'holder unknown'}) ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        if describe:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (f"pid {os.getpid()} on {socket.gethostname()}, since "
                           f"{datetime.datetime.now():%Y-%m-%d %H:%M:%S}: "
                           f"{' '.join(sys.argv)[:200]}\n").encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
