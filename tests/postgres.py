"""A real PostgreSQL server for tests: Debian's `postgresql`, in a temporary folder.

``PostgresServer.start()`` runs initdb and pg_ctl as an unprivileged user (``postgres``
when root, the current user otherwise) on a free port of 127.0.0.1, with trust
authentication for local connections only; ``database()`` creates a fresh database and
returns its SQLAlchemy URL. ``why_not()`` says why no server can be started here (the
tests skip with that reason).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
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
    return None


class PostgresServer:
    def __init__(self):
        self.user = _user()
        self.folder = Path(tempfile.mkdtemp(prefix="nndl-pg-"))
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
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=200 -c shared_buffers=32MB")
        run = self._as_user(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                            "-o", options, "-w", "-t", "60", "start")
        if run.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {run.stdout}{run.stderr}{log}")
        return self

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

    def stop(self) -> None:
        self._as_user(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        for _ in range(50):
            if not (self.data / "postmaster.pid").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(self.folder, ignore_errors=True)
