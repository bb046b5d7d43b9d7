"""A student's code in a process of its own: no network, no course files, bounded resources.

With bubblewrap (Debian's ``bubblewrap``) the worker sees only the Python installation,
the helper package and the datasets, read-only, and a small private /tmp; it has no
network, its own PID namespace, and runs as ``nobody``. Without bubblewrap it still runs
with the resource limits and, when the grader is root, as ``nobody``, and
``isolation_warning()`` says loudly what is missing.
"""

from __future__ import annotations

import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .encoding import EncodingError
from .worker import read_message, write_message

NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 3 * 2**30  # address space of the worker
    cpu_seconds: int = 300  # CPU time of the worker, all cells and calls together
    call_seconds: float = 60.0  # wall time of one request (running the answers, one call)
    file_bytes: int = 64 * 2**20  # largest file the worker may write
    processes: int = 256  # processes and threads of user nobody (fork bombs)
    tmp_bytes: int = 64 * 2**20  # size of the private /tmp


class SandboxError(Exception):
    """The student's process failed to answer: it ended, timed out or spoke garbage."""


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def isolation_warning() -> str | None:
    if bubblewrap():
        return None
    return ("WARNING: bubblewrap (bwrap) is not installed: student code runs WITHOUT "
            "filesystem and network isolation, only with resource limits"
            + (" as user nobody" if os.geteuid() == 0 else "")
            + ". Install it: apt-get install bubblewrap")


def _readable_roots() -> list[Path]:
    """What the worker must read: the interpreter, the packages, the helper package, data."""
    from nndl import data

    package = Path(__file__).resolve().parents[1]
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
             package}
    for folder in data.default_data_dirs():
        if folder.is_dir():
            paths.add(folder.resolve())
    for entry in sys.path:  # site-packages outside the prefixes (user site, .pth paths)
        p = Path(entry)
        if entry and p.is_dir() and not any(p.is_relative_to(q) for q in paths):
            if "site-packages" in p.parts or "dist-packages" in p.parts:
                paths.add(p.resolve())
    # only the outermost of nested paths
    roots = sorted(paths, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for p in roots:
        if not any(p.is_relative_to(k) for k in kept):
            kept.append(p)
    return kept


def _bwrap_command(workdir: Path, limits: Limits) -> list[str]:
    cmd = [bubblewrap(), "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try", "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            cmd += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            cmd += ["--ro-bind", str(target), str(target)]
    made: set[Path] = set()
    for root in _readable_roots():
        if root.is_relative_to("/usr"):
            continue
        for parent in reversed(root.parents):
            if parent != Path("/") and parent not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(root), str(root)]
    cmd += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
            "--perms", "0755", "--dir", "/home",
            "--ro-bind", str(workdir), "/home/student", "--chdir", "/home/student",
            "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp"]
    return cmd


def _drop_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return [shutil.which("setpriv") or "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
            "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]


class Sandbox:
    """One worker process for one submission, and the requests the trusted side sends it."""

    def __init__(self, workdir: Path, limits: Limits = Limits()):
        self.limits = limits
        to_worker_r, self._to_worker = os.pipe()
        self._from_worker, from_worker_w = os.pipe()
        worker = [sys.executable, "-I", "-m", "nndl.grader.worker", str(to_worker_r),
                  str(from_worker_w)]
        if bubblewrap():
            cmd = _bwrap_command(Path(workdir), limits) + _drop_user() + worker
        else:
            cmd = _drop_user() + worker
        env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "HOME": "/tmp",
               "MPLCONFIGDIR": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NNDL_DATA_DIR", "NNDL_DATASET"):
            if key in os.environ:
                env[key] = os.environ[key]
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(to_worker_r, from_worker_w),
            start_new_session=True, preexec_fn=self._limit)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.reason: str | None = None  # why the worker is gone, once it is

    def _limit(self):
        lim = self.limits
        resource.setrlimit(resource.RLIMIT_AS, (lim.memory_bytes, lim.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (lim.cpu_seconds, lim.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (lim.file_bytes, lim.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.geteuid() == 0:  # root is exempt; the limit bites once setpriv drops to nobody
            resource.setrlimit(resource.RLIMIT_NPROC, (lim.processes, lim.processes))

    @property
    def alive(self) -> bool:
        return self.reason is None

    def request(self, message: dict, timeout: float | None = None) -> dict:
        """Send one request and wait for its answer; SandboxError when none comes."""
        if self.reason:
            raise SandboxError(self.reason)
        timeout = self.limits.call_seconds if timeout is None else timeout
        try:
            write_message(self._to_worker, message)
        except (BrokenPipeError, OSError):
            self._end("your code ended the Python process")
        ready, _, _ = select.select([self._from_worker], [], [], timeout)
        if not ready:
            self._end(f"your code did not finish within {timeout:g} s (an endless loop?)")
        try:
            reply = read_message(self._from_worker)
        except EncodingError as exc:
            self._end(f"the grader could not read your process's answer ({exc})")
        if reply is None or not isinstance(reply, dict):
            self._end("your code ended the Python process")
        return reply

    def _end(self, default: str):
        """Kill the worker, record why it is gone, raise SandboxError."""
        try:  # a worker that closed its pipe is usually exiting: let it, to learn why
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code > 128 and bubblewrap():
            code = 128 - code  # bubblewrap reports a child killed by signal N as 128 + N
        if code is None:
            self.kill()
            reason = default
        elif code < 0:
            sig = signal.Signals(-code).name
            reason = {"SIGXCPU": f"your code used more than {self.limits.cpu_seconds} s of "
                                 "CPU time",
                      "SIGKILL": "your process was killed (out of memory?)",
                      "SIGSEGV": "your code crashed the Python process (segmentation "
                                 "fault)"}.get(sig, f"your process was killed by {sig}")
        else:
            reason = f"your code ended the Python process (exit status {code})"
        self.reason = reason
        raise SandboxError(reason)

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()

    def close(self):
        if self.process.poll() is None:
            try:
                write_message(self._to_worker, {"op": "exit"})
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        for fd in (self._to_worker, self._from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
