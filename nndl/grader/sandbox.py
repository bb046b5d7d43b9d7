"""A student's code in a process of its own: no network, no course files, bounded resources.

With bubblewrap (Debian's ``bubblewrap``) the worker sees only the Python installation,
the helper package and the datasets, read-only, and a small private /tmp; it has no
network, its own PID namespace, and runs as an unprivileged user of its own (see
``sandbox_uid``). Without bubblewrap it still runs with the resource limits and, when the
grader is root, as that user, and
``isolation_warning()`` says loudly what is missing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import protocol
from .protocol import ProtocolError

UID_BASE = 1_900_000_000  # far above any account: the sandbox users own nothing


def sandbox_uid() -> int:
    """The user (and group) id the sandboxes of this grading process run as.

    One per grading process, not the shared ``nobody``: the process limit (RLIMIT_NPROC)
    counts per user, so a fork bomb in one worker's sandbox cannot starve the other
    workers' sandboxes, and no sandbox may signal another worker's processes.
    """
    return UID_BASE + os.getpid() % 1_000_000


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 3 * 2**30  # address space of the worker
    cpu_seconds: int = 300  # CPU time of the worker, all cells and calls together
    call_seconds: float = 60.0  # wall time of one request (running the answers, one call)
    file_bytes: int = 64 * 2**20  # largest file the worker may write
    processes: int = 256  # processes and threads of the sandbox user (fork bombs)
    tmp_bytes: int = 64 * 2**20  # size of the private /tmp
    start_seconds: float = 60.0  # wall time for a new worker to greet the grader
    submission_seconds: float = 600.0  # wall time of all of one submission's requests


class SandboxError(Exception):
    """The student's process failed to answer: it ended, timed out or spoke garbage.

    Raised only for a worker that had started and greeted the grader: what happens after
    that is the student's code's doing, and costs the test that was running. ``code`` is
    the mistake code (nndl.checks.MISTAKES): "timeout", "exited" or "bad_reply".
    """

    def __init__(self, reason: str, code: str = "exited"):
        super().__init__(reason)
        self.code = code


class GraderFault(Exception):
    """Grading failed on the grader's side (the sandbox did not start, a worker never
    greeted, the grader itself failed): nothing may be recorded for the submission, which
    is graded on the next run."""


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def isolation_warning() -> str | None:
    if bubblewrap():
        return None
    return ("WARNING: bubblewrap (bwrap) is not installed: student code runs WITHOUT "
            "filesystem and network isolation, only with resource limits"
            + (" as an unprivileged user" if os.geteuid() == 0 else "")
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
    # The private /tmp first, the read-only roots after it: a course or a Python that lives
    # under /tmp (a clone in mktemp -d, a CI runner's venv) is mounted on top of it, not
    # hidden by it. The zygote's cleaning of /tmp leaves these mounts alone.
    cmd += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    made: set[Path] = {Path("/tmp")}
    for root in _readable_roots():
        if root.is_relative_to("/usr"):
            continue
        for parent in reversed(root.parents):
            if parent != Path("/") and parent not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(root), str(root)]
    if Path("/home") not in made:
        cmd += ["--perms", "0755", "--dir", "/home"]
    cmd += ["--ro-bind", str(workdir), "/home/student", "--chdir", "/home/student",
            "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp"]
    return cmd


def _drop_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    uid = sandbox_uid()
    return [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}",
            "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]


def _worker_env() -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "HOME": "/tmp",
           "MPLCONFIGDIR": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NNDL_DATA_DIR", "NNDL_DATASET"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _start(workdir: Path, limits: Limits, args: list[str], fds: tuple[int, ...], stderr):
    """python -m nndl.grader.worker ARGS in the sandbox, with the limits, keeping fds open.

    stderr (a file) receives what bubblewrap and Python say before the worker silences
    its output: the only clue when a sandbox fails to start.
    """
    worker = [sys.executable, "-I", "-m", "nndl.grader.worker", *args]
    if bubblewrap():
        cmd = _bwrap_command(Path(workdir), limits) + _drop_user() + worker
    else:
        cmd = _drop_user() + worker

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.geteuid() == 0:  # root is exempt; it bites once setpriv drops to the sandbox user
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

    return subprocess.Popen(
        cmd, cwd=workdir, env=_worker_env(), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=stderr, pass_fds=fds,
        start_new_session=True, preexec_fn=limit)


def _start_log():
    """A small file for a starting sandbox's stderr (read only when the start failed)."""
    return tempfile.TemporaryFile(prefix="nndl-sandbox-")


def _read_log(log, limit: int = 4000) -> str:
    try:
        log.seek(0)
        text = log.read(limit).decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""
    return text.strip()


def _unreadable_root() -> Path | None:
    """The first folder the sandbox mounts that other users cannot read or enter."""
    for root in _readable_roots():
        below = (p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())
        for folder in itertools.chain([root], itertools.islice(below, 2000)):
            try:
                mode = folder.stat().st_mode
            except OSError:
                continue
            if mode & 0o005 != 0o005:
                return folder
    return None


def diagnose(log_text: str, status: int | None) -> str:
    """What stopped a sandbox from starting, and the fix, from its stderr and exit status."""
    lines = [line for line in log_text.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    here = [str(p) for p in (Path(sys.executable), Path(sys.prefix)) if p.is_relative_to("/tmp")]
    said = f" (it said: {last[:300]})" if last else ""
    lowered = log_text.lower()
    if "namespace" in lowered and ("bwrap" in lowered or "permission" in lowered):
        return (f"bubblewrap cannot create its namespaces: {last[:300].rstrip('.')}. The "
                "machine forbids "
                "them to this user (container or kernel setting); run the grader as root, "
                "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1"
                " or apparmor_restrict_unprivileged_userns=0), or uninstall bubblewrap to "
                "grade with resource limits only")
    if "permission denied" in lowered:
        where = next((w for w in last.replace("'", " ").replace('"', " ").split()
                      if w.startswith("/")), "a file it needs")
        return (f"the sandbox user (uid {sandbox_uid()}) cannot read {where.rstrip(':,')}"
                f"{said}. Everything the grader's Python imports must be readable by other "
                "users: chmod -R o+rX the virtual environment, the course and the folders "
                "above them (a home folder of mode 0700 is fine: the sandbox mounts what it "
                "needs)")
    if here and ("no such file" in lowered or status == 127):
        return (f"the Python environment at {here[0]} is hidden by the sandbox's private "
                f"/tmp{said}")
    hidden = _unreadable_root()
    if hidden is not None and ("no module named" in lowered or "permission" in lowered
                               or status not in (None, 0)):
        return (f"the sandbox user (uid {sandbox_uid()}) cannot read {hidden}{said}. "
                "Everything the grader's Python imports must be readable by other users: "
                f"chmod -R o+rX {hidden}")
    if "no module named" in lowered:
        return (f"the sandbox's Python cannot import what the worker needs{said}. Install "
                "the course into the Python that runs the grader (pip install -e .)")
    if not lines:
        return (f"the sandbox ended with status {status} before it said anything"
                if status is not None else "the sandbox never answered")
    return f"the sandbox failed to start (status {status}){said}"


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


class ZygoteError(Exception):
    """The zygote failed to start, to fork or to answer; it has been killed."""


class Zygote:
    """One long-lived sandbox that forks a fresh worker for each submission.

    Starting Python and importing numpy, matplotlib and the helper package takes most of a
    second; a submission's own work often less. The zygote (``worker.zygote``) pays that
    once: it imports the modules the assignment's given cells import, then forks one
    child per submission, which inherits them. The child runs exactly what a cold worker
    runs, with the same limits, in the same sandbox. Between children the zygote kills
    every other process of the sandbox and empties its /tmp. Used only with bubblewrap
    (the zygote's kill(-1) must stay inside a PID namespace); any failure kills it, and
    the grader starts another or falls back to a cold worker.
    """

    MAX_CHILDREN = 200  # then a fresh zygote (its own CPU-time limit keeps counting)
    TIMEOUT = 10.0  # seconds for the zygote to fork or to clean up after a child

    def __init__(self, workdir: Path, limits: Limits = Limits(), modules=(),
                 start_timeout: float = 180.0):
        if not bubblewrap():
            raise ZygoteError("a zygote needs bubblewrap")
        self.workdir, self.limits = Path(workdir), limits
        self._socket, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._log = _start_log()
        try:
            self.process = _start(self.workdir, limits, ["--zygote", str(theirs.fileno())],
                                  (theirs.fileno(),), self._log)
        finally:
            theirs.close()
        self.children = 0
        try:
            reply = self._ask({"op": protocol.PRELOAD, "modules": sorted(set(modules))},
                              start_timeout)
        except ZygoteError as exc:
            raise ZygoteError(f"{exc}; {diagnose(_read_log(self._log), self.process.poll())}"
                              ) from None
        finally:
            self._log.close()
        self.failed_imports: list[str] = [str(m) for m in reply.get("failed", [])]

    @property
    def usable(self) -> bool:
        return self.process.poll() is None and self.children < self.MAX_CHILDREN

    def _ask(self, message: dict, timeout: float, fds: tuple[int, ...] = ()) -> dict:
        try:
            if self.process.poll() is not None:
                raise ZygoteError(f"the zygote has ended (status {self.process.returncode})")
            protocol.send(self._socket.fileno(), message)
            if fds:
                socket.send_fds(self._socket, [b"F"], list(fds))
            reply = protocol.receive(self._socket.fileno(), max_bytes=2**20,
                                     deadline=time.monotonic() + timeout)
            if not isinstance(reply, dict) or not reply.get("ok"):
                raise ZygoteError(f"the zygote failed {message['op']!r}: {str(reply)[:300]}")
            return reply
        except ProtocolError as exc:
            _kill_group(self.process)
            if exc.kind == "timeout":
                raise ZygoteError(f"the zygote did not answer {message['op']!r} within "
                                  f"{timeout:g} s") from None
            raise ZygoteError(f"the zygote's answer to {message['op']!r}: {exc}") from None
        except (OSError, ZygoteError) as exc:
            _kill_group(self.process)  # a zygote that failed once is never asked again
            raise ZygoteError(str(exc)) from None

    def fork(self) -> tuple[int, int]:
        """A new child worker; returns the grader's ends of its pipes (to it, from it)."""
        to_child_r, to_child = os.pipe()
        from_child, from_child_w = os.pipe()
        try:
            self._ask({"op": protocol.FORK}, self.TIMEOUT, (to_child_r, from_child_w))
        except ZygoteError:
            os.close(to_child)
            os.close(from_child)
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.children += 1
        return to_child, from_child

    def ping(self) -> bool:
        """Is the zygote still answering? (A child may have killed or stopped it.)"""
        try:
            self._ask({"op": protocol.PING}, self.TIMEOUT)
        except ZygoteError:
            return False
        return True

    def end_child(self, wait: float) -> int | None:
        """Wait up to `wait` s for the child, kill what is left; its status or None."""
        reply = self._ask({"op": protocol.END, "wait": wait}, wait + self.TIMEOUT)
        status = reply.get("status")
        return status if isinstance(status, int) else None

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                protocol.send(self._socket.fileno(), {"op": protocol.EXIT})
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)
        _kill_group(self.process)
        self._socket.close()


class Sandbox:
    """One worker process for one submission, and the requests the trusted side sends it.

    The worker is a fresh child of `zygote` when one is given and usable, else a process
    started cold in its own sandbox.
    """

    def __init__(self, workdir: Path, limits: Limits = Limits(), zygote: Zygote | None = None,
                 deadline: float | None = None):
        self.limits = limits
        self.deadline = deadline  # time.monotonic() when the submission's budget runs out
        self.zygote = None
        self.process = None
        self.started = time.monotonic()
        self._ended = False  # the worker's process is gone and reaped
        self.reason: str | None = None  # why the worker is gone, once it is
        self.code = "exited"  # its mistake code, once it is gone
        if zygote is not None and zygote.usable:
            try:
                self._to_worker, self._from_worker = zygote.fork()
                self.zygote = zygote
            except ZygoteError:
                pass
            if self.zygote is not None and self._greeting() is not None:
                # A child that never greets means a broken zygote: retire it, start cold.
                self._finish(wait=0)
                self._close_pipes()
                zygote.close()
                self.zygote, self._ended = None, False
        if self.zygote is None:
            self._start_cold(Path(workdir))
        os.set_blocking(self._to_worker, False)  # sends have deadlines too

    def _start_cold(self, workdir: Path) -> None:
        """A new sandbox for this worker; GraderFault, with the cause, if it does not start."""
        to_worker_r, self._to_worker = os.pipe()
        self._from_worker, from_worker_w = os.pipe()
        log = _start_log()
        try:
            try:
                self.process = _start(workdir, self.limits,
                                      [str(to_worker_r), str(from_worker_w)],
                                      (to_worker_r, from_worker_w), log)
            except OSError as exc:
                self._close_pipes()
                raise GraderFault(f"the sandbox could not be started: {exc}") from None
            finally:
                os.close(to_worker_r)
                os.close(from_worker_w)
            problem = self._greeting()
            if problem is not None:
                self._ended = True
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=1)
                _kill_group(self.process)
                self._close_pipes()
                raise GraderFault(f"{diagnose(_read_log(log), self.process.returncode)} "
                                  f"[{problem}]")
        finally:
            log.close()

    def _greeting(self) -> str | None:
        """Wait for the worker's hello; None when it came, else what went wrong."""
        try:
            hello = protocol.receive(self._from_worker, max_bytes=4096,
                                     deadline=time.monotonic() + self.limits.start_seconds)
        except ProtocolError as exc:
            return f"no greeting from the worker: {exc}"
        if hello is None:
            return "the worker ended before it greeted the grader"
        if not isinstance(hello, dict) or hello.get("op") != protocol.HELLO:
            return f"the worker's first message was not a greeting: {str(hello)[:100]}"
        return None

    def _close_pipes(self) -> None:
        for fd in (self._to_worker, self._from_worker):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _finish(self, wait: float) -> int | None:
        """Let the worker end within `wait` s or kill it; its exit status, None if killed."""
        if self._ended:
            return None
        self._ended = True
        if self.zygote is not None:
            try:
                return self.zygote.end_child(wait)
            except ZygoteError:
                return None  # the zygote, and the child with it, has been killed
        try:
            code = self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            _kill_group(self.process)
            return None
        _kill_group(self.process)  # what the worker left behind in its process group
        if code > 128 and bubblewrap():
            code = 128 - code  # bubblewrap reports a child killed by signal N as 128 + N
        return code

    @property
    def alive(self) -> bool:
        return self.reason is None

    def request(self, message: dict, timeout: float | None = None) -> dict:
        """Send one request and wait for its answer; SandboxError when none comes.

        The whole exchange, sending included, has one deadline; a reply that breaks the
        protocol's bounds (too large, too many objects, cut off, not JSON) ends the worker.
        """
        if self.reason:
            raise SandboxError(self.reason, self.code)
        timeout = self.limits.call_seconds if timeout is None else timeout
        late = f"your code did not finish within {timeout:g} s (an endless loop?)"
        if self.deadline is not None and self.deadline - time.monotonic() < timeout:
            timeout = max(self.deadline - time.monotonic(), 0.0)
            late = (f"grading this submission took over {self.limits.submission_seconds:g} s "
                    "in all, the limit for one submission: the tests after that fail")
        deadline = time.monotonic() + timeout
        try:
            protocol.send(self._to_worker, message, deadline=deadline)
            reply = protocol.receive(self._from_worker, deadline=deadline)
        except ProtocolError as exc:
            if exc.kind == "timeout":
                self._end(late, "timeout")
            if exc.kind == "closed":
                self._end("your code ended the Python process")
            self._end(f"your code sent the grader more than it accepts ({exc})"
                      if exc.kind == "too_large" else
                      f"the grader could not read your process's answer ({exc})", "bad_reply")
        except OSError:
            self._end("your code ended the Python process")
        if reply is None or not isinstance(reply, dict):
            self._end("your code ended the Python process")
        if self.zygote is not None and not self.zygote.ping():
            # The child killed or stopped its zygote: the zygote and its sandbox are gone
            # (ping killed what was left), the child with them. This answer still counts;
            # the next request starts a new worker.
            self._ended = True
            self.reason = ("your code killed or stopped the grader's process that started it "
                           "(its zygote)")
        return reply

    def _end(self, default: str, mistake: str = "exited"):
        """Kill the worker, record why it is gone, raise SandboxError."""
        # a worker that closed its pipe is usually exiting: let it, to learn why
        code = self._finish(wait=1)
        if code is None:
            reason = default
        elif mistake == "timeout" and code < 0 and signal.Signals(-code).name == "SIGXCPU":
            reason = f"your code used more than {self.limits.cpu_seconds} s of CPU time"
        elif code < 0:
            sig = signal.Signals(-code).name
            reason = {"SIGXCPU": f"your code used more than {self.limits.cpu_seconds} s of "
                                 "CPU time",
                      "SIGKILL": "your process was killed (out of memory?)",
                      "SIGSEGV": "your code crashed the Python process (segmentation "
                                 "fault)"}.get(sig, f"your process was killed by {sig}")
        else:
            reason = f"your code ended the Python process (exit status {code})"
        if code is not None and not (code < 0 and signal.Signals(-code).name == "SIGXCPU"):
            mistake = "exited"  # it ended by itself: whatever the wait was, it crashed
        elif code is not None:
            mistake = "timeout"
        self.reason, self.code = reason, mistake
        raise SandboxError(reason, mistake)

    def kill(self):
        self._finish(wait=0)

    def close(self):
        if not self._ended:
            with contextlib.suppress(OSError, ProtocolError):
                protocol.send(self._to_worker, {"op": protocol.EXIT},
                              deadline=time.monotonic() + 1)
            self._finish(wait=2)
        self._close_pipes()
