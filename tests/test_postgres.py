"""The PostgreSQL test server (tests/postgres.py) leaves nothing running behind a killed run.

A test run killed by SIGKILL runs no teardown. Its server must stop anyway (the kernel's
parent-death signal), and the next run must remove the folder it left and stop any server
whose starter is gone, while leaving the servers of runs still alive alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from postgres import PostgresServer, _identity, _postmaster, sweep_stale, why_not

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent

STARTER = """
import sys, time
sys.path.insert(0, {tests!r})
from postgres import PostgresServer, _postmaster
server = PostgresServer().start()
print(server.folder, _postmaster(server.data), flush=True)
time.sleep(600)
"""


@pytest.fixture(autouse=True)
def needs_postgres():
    reason = why_not()
    if reason:
        pytest.skip(reason)


def accepts(server: PostgresServer) -> bool:
    return server._ready()


def test_a_killed_runs_server_stops_and_its_folder_is_swept_by_the_next():
    """SIGKILL the process that started a server: does the server stop by itself, and does
    the next server's start remove the folder that was left?"""
    starter = subprocess.Popen([sys.executable, "-c", STARTER.format(tests=str(HERE))],
                               stdout=subprocess.PIPE, text=True)
    try:
        folder, pid = starter.stdout.readline().split()
        folder, pid = Path(folder), int(pid)
        assert _identity(pid), "the server should be running"
        os.kill(starter.pid, signal.SIGKILL)
        starter.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _identity(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _identity(pid), "the server outlived the process that started it"
        assert folder.is_dir()  # nobody tore it down: the next start does
        server = PostgresServer()
        try:
            assert folder in server.stale
            assert not folder.exists()
        finally:
            server.stop()
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()


def test_the_sweep_stops_servers_of_gone_starters_and_spares_live_ones():
    """A server still running whose starter is gone (its owner file names a dead process)
    is stopped and its folder removed; a server whose starter lives goes on serving."""
    mine = PostgresServer().start()
    orphan = PostgresServer().start()
    try:
        gone = subprocess.Popen(["sleep", "30"])
        dead = _identity(gone.pid)
        gone.kill()
        gone.wait()
        (orphan.folder / "owner").write_text(dead + "\n")
        pid = _postmaster(orphan.data)
        assert pid and accepts(orphan)
        removed = sweep_stale()
        assert orphan.folder in removed and mine.folder not in removed
        assert not orphan.folder.exists() and not _identity(pid)
        assert accepts(mine) and mine.folder.is_dir()
    finally:
        orphan.stop()
        mine.stop()
