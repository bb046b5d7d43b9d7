"""A real PostgreSQL server for tests: Debian's `postgresql`, in a temporary folder.

``PostgresServer.start()`` runs initdb and the server as an unprivileged user (``postgres``
when root, the current user otherwise) on a free port of 127.0.0.1, with trust
authentication for local connections only; ``database()`` creates a fresh database and
returns its SQLAlchemy URL. ``why_not()`` says why no server can be started here (the
tests skip with that reason).

A test run that is killed (SIGKILL: no fixture teardown) leaves no server behind. The
server is the starting process's child, started through ``setpriv --pdeathsig QUIT``, so
the kernel sends it SIGQUIT (PostgreSQL's immediate shutdown) when the thread that
started it dies; and every server folder lives under ``STALE_ROOT`` with an ``owner``
file naming its starter (pid and start time): ``start()`` first stops the servers and
removes the folders of starters that are gone, and leaves those of live ones (other test
runs) alone. Start servers from the main thread (the parent-death signal follows the
starting thread).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from harness import free_port


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return candidates[-1] if candidates else None


def _user() -> str | None:
    """Who runs the server: never root (postgres refuses)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


def why_not() -> str | None:
    if not (_bin("initdb") and _bin("pg_ctl")):
        return "PostgreSQL is not installed (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401 - SQLAlchemy 2.1's driver for postgresql:// URLs
    except ImportError:
        return "psycopg is not installed (pip install -e '.[cluster]')"
    if _user() is None:
        return "no unprivileged user to run PostgreSQL as"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "runuser is missing (util-linux)"
    if not shutil.which("setpriv"):
        return "setpriv is missing (util-linux)"
    return None


STALE_ROOT = Path(tempfile.gettempdir()) / f"nndl-pg-{os.geteuid()}"  # every server's folder


def _identity(pid: int) -> str | None:
    """pid and its start time (clock ticks since boot): a process, even if pids are reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # dead, not yet reaped
        return None
    return f"{pid} {fields[19]}"


def _alive(identity: str) -> bool:
    pid = identity.split()[0]
    return pid.isdigit() and _identity(int(pid)) == identity


def _postmaster(data: Path) -> int | None:
    """The pid of the server running on data, if one runs."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if str(data).encode() in cmdline and _identity(pid) else None


def _halt(data: Path, wait: float = 20.0) -> None:
    """Stop the server running on data (immediate shutdown; SIGKILL if it lingers)."""
    pid = _postmaster(data)
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGQUIT)
    deadline = time.monotonic() + wait
    while _identity(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        if _identity(pid):
            os.kill(pid, signal.SIGKILL)


def sweep_stale() -> list[Path]:
    """Stop the servers, and remove the folders, whose starter is gone; the folders."""
    removed = []
    for folder in sorted(STALE_ROOT.glob("nndl-pg-*")) if STALE_ROOT.is_dir() else []:
        try:
            owner = (folder / "owner").read_text().strip()
        except OSError:  # being created (owner written first thing) or half-removed
            if time.time() - folder.stat().st_mtime < 60:
                continue
            owner = ""
        if owner and _alive(owner):
            continue
        _halt(folder / "data")
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class PostgresServer:
    def __init__(self):
        self.user = _user()
        self.stale = sweep_stale()  # what earlier, killed runs left
        STALE_ROOT.mkdir(exist_ok=True)
        STALE_ROOT.chmod(0o711)  # the server's user passes through to its folder
        self.folder = Path(tempfile.mkdtemp(prefix="nndl-pg-", dir=STALE_ROOT))
        (self.folder / "owner").write_text(_identity(os.getpid()) + "\n")
        self.process: subprocess.Popen | None = None
        self.data = self.folder / "data"
        self.port = free_port()
        self.log = self.folder / "server.log"

    def _as_user(self, *cmd: str, **kwargs) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            cmd = ("runuser", "-u", self.user, "--", *cmd)
        return subprocess.run(cmd, capture_output=True, text=True, cwd=self.folder, **kwargs)

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        init = self._as_user(_bin("initdb"), "-D", str(self.data), "-U", "postgres",
                             "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stdout}{init.stderr}")
        postgres = [_bin("postgres"), "-D", str(self.data), "-p", str(self.port),
                    "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1",
                    "-c", "fsync=off", "-c", "max_connections=200",
                    "-c", "shared_buffers=32MB"]
        # the kernel stops the server (SIGQUIT) when this thread dies, even by SIGKILL
        wrapper = ["setpriv", "--pdeathsig", "QUIT"]
        if os.geteuid() == 0:  # setpriv sets the signal after dropping to the user
            wrapper += ["--reuid", self.user, "--regid", self.user, "--clear-groups"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([*wrapper, "--", *postgres], cwd=self.folder,
                                            stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop(keep=True)
                log = self.log.read_text() if self.log.exists() else ""
                raise RuntimeError(f"the PostgreSQL server did not start: {log[-3000:]}")
            time.sleep(0.1)
        return self

    def _ready(self) -> bool:
        import psycopg

        try:
            psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                            dbname="postgres", connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def database(self, name: str | None = None) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = name or f"gb_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def stop(self, keep: bool = False) -> None:
        """Immediate shutdown; the folder removed (kept, for its log, when keep)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        _halt(self.data)
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)
