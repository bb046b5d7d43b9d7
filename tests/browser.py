"""Headless Chromium and Jupyter servers for tests/test_browser.py.

Chromium and its driver come from Debian (``apt-get install chromium chromium-driver``); the
driver is named explicitly so that Selenium never looks for (or downloads) one itself.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness import free_port

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

# Without the background-networking flags Chromium keeps trying to reach Google's services,
# and this machine's closed network refuses its connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1440,1000",
]


def missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    for path, package in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")]:
        if not Path(path).is_file():
            return f"{path} not found (apt-get install {package})"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def user_env(home: Path, user: str) -> dict[str, str]:
    """An environment in which `user` has the home folder `home` and Jupyter dirs in it."""
    env = dict(os.environ)
    for key in ["JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "NNDL_COURSE_DIR"]:
        env.pop(key, None)
    env.update({
        "HOME": str(home),
        "USER": user,
        "LOGNAME": user,
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".local" / "share" / "jupyter" / "runtime"),
        "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
        "JUPYTER_PLATFORM_DIRS": "0",
        "PYTHONUNBUFFERED": "1",
    })
    (home / ".jupyter").mkdir(parents=True, exist_ok=True)
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> str:
    """Run a command; its output, or an AssertionError that shows it."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}:\n{out[-4000:]}"
    return out


def tool(name: str) -> str:
    """A console script of this Python's environment (jupyter, nbgrader, nndl)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else (shutil.which(name) or name)


class JupyterServer:
    """A `jupyter lab` on 127.0.0.1, a free port and a token; stop() ends it and its kernels."""

    def __init__(self, root: Path, env: dict[str, str], log: Path, timeout: float = 240):
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.news_url=", "--ServerApp.terminals_enabled=False"]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        self._log_file = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self._log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.api("status"), timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"jupyter lab not ready after {timeout:g} s:\n{self.log_tail()}")

    def api(self, path: str) -> str:
        return f"{self.url}/api/{path}?token={self.token}"

    def page(self, path: str) -> str:
        return f"{self.url}/{path.lstrip('/')}?token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the server (it shuts its kernels down), then SIGKILL to any survivor."""
        import psutil

        try:
            family = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(
                recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        _, alive = psutil.wait_procs(family, timeout=10)
        for proc in alive:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._log_file.close()


def chromium(profile: Path, log: Path):
    """Headless Chromium driven by Debian's chromedriver, with a new empty profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile.mkdir(parents=True, exist_ok=True)
    options = Options()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(log))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(180)
    driver.set_script_timeout(180)
    return driver


class Screenshots:
    """Numbered PNGs of each step in one folder."""

    def __init__(self, driver, folder: Path):
        self.driver = driver
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}_{name}.png"
        self.driver.save_screenshot(str(path))
        return path
