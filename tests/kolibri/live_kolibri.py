"""A real Kolibri for the tests: its own cached venv, a cached provisioned home, started offline.

Kolibri pins its own Django and friends, so it never enters the project's environment: it is
installed with pip into `<cache>/venv` the first time (about a minute, ~380 MB) and reused after.
A home provisioned and seeded from a spec is cached too (keyed by the spec), and every test
module starts Kolibri on a fresh copy of it, listening on 127.0.0.1 with its ping home and
zeroconf discovery off. The cache lives in HUB_TEST_CACHE (default ~/.cache/training-data-hub).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

KOLIBRI_VERSION = "0.19.5"
SEED_SCRIPT = Path(__file__).with_name("seed_kolibri.py")
ADMIN, ADMIN_PASSWORD, FACILITY = "admin", "admin-pass-1", "乌海职业技能线上学堂"


class KolibriUnavailable(RuntimeError):
    """Kolibri could not be installed, provisioned or started."""


def cache_dir() -> Path:
    root = Path(os.environ.get("HUB_TEST_CACHE", Path.home() / ".cache" / "training-data-hub"))
    path = root / f"kolibri-{KOLIBRI_VERSION}"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise preparation between concurrent test runs sharing the cache."""
    with open(path / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(command: list[str], env: dict[str, str] | None = None, timeout: float = 600) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise KolibriUnavailable(f"{' '.join(command[:4])}… failed:\n{done.stderr[-3000:]}")


def kolibri_executable() -> Path:
    """The `kolibri` command of the cached venv, installing it on first use."""
    cache = cache_dir()
    venv = cache / "venv"
    executable = venv / "bin" / "kolibri"
    with _locked(cache):
        if not (venv / ".installed").exists():
            shutil.rmtree(venv, ignore_errors=True)
            _run([sys.executable, "-m", "venv", str(venv)])
            _run([str(venv / "bin" / "pip"), "install", "-q", f"kolibri=={KOLIBRI_VERSION}"])
            (venv / ".installed").touch()
    return executable


def kolibri_env(home: Path, port: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLIBRI_")}
    env.update(
        KOLIBRI_HOME=str(home),
        KOLIBRI_LISTEN_ADDRESS="127.0.0.1",
        KOLIBRI_DISABLE_PING="1",
        KOLIBRI_ZEROCONF_ENABLED="0",
    )
    if port is not None:
        env["KOLIBRI_HTTP_PORT"] = str(port)
    return env


def seed(executable: Path, home: Path, spec: dict[str, Any]) -> None:
    """Add the users, classes and logs of `spec` to the Kolibri at `home` (it may be running)."""
    spec_file = home / f"seed-{time.monotonic_ns()}.json"
    spec_file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    env = {**kolibri_env(home), "KOLIBRI_SEED": str(spec_file)}
    code = f"exec(open({str(SEED_SCRIPT)!r}, encoding='utf-8').read())"
    _run([str(executable), "manage", "shell", "-c", code], env=env)


def provisioned_home(executable: Path, spec: dict[str, Any]) -> Path:
    """A cached home with a facility, its admin, and `spec` seeded."""
    cache = cache_dir()
    digest = hashlib.sha256(
        json.dumps([spec, SEED_SCRIPT.read_text()], sort_keys=True).encode()
    ).hexdigest()[:12]
    home = cache / f"home-{digest}"
    with _locked(cache):
        if not (home / ".seeded").exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()
            _run(
                [
                    str(executable),
                    "manage",
                    "provisiondevice",
                    "--facility",
                    FACILITY,
                    "--superusername",
                    ADMIN,
                    "--superuserpassword",
                    ADMIN_PASSWORD,
                    "--preset",
                    "formal",
                    "--language_id",
                    "zh-hans",
                    "--noinput",
                ],
                env=kolibri_env(home),
            )
            seed(executable, home, spec)
            (home / ".seeded").touch()
    return home


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveKolibri:
    """A running Kolibri on a private copy of a provisioned home."""

    def __init__(self, executable: Path, home: Path, port: int, process: subprocess.Popen) -> None:
        self.executable = executable
        self.home = home
        self.base_url = f"http://127.0.0.1:{port}"
        self.process = process
        self.added_sessions: list[dict[str, Any]] = []

    def add_session(self, log: dict[str, Any]) -> None:
        """Write one more content session log, as a learner's device syncing in late would."""
        seed(
            self.executable,
            self.home,
            {"users": [], "classes": [], "sessions": [log], "summaries": []},
        )
        self.added_sessions.append(log)

    def change(self, changes: dict[str, Any]) -> None:
        """Apply seed_kolibri's optional changes (rename, id_numbers, move, summary_updates, logs)."""
        base = {"users": [], "classes": [], "sessions": [], "summaries": []}
        seed(self.executable, self.home, base | changes)
        self.added_sessions += changes.get("sessions", [])


@contextlib.contextmanager
def running_kolibri(
    spec: dict[str, Any], workdir: Path, timeout: float = 120
) -> Iterator[LiveKolibri]:
    """Kolibri serving a copy of the provisioned home until the block ends."""
    executable = kolibri_executable()
    home = workdir / "kolibri-home"
    shutil.copytree(provisioned_home(executable, spec), home)
    port = _free_port()
    with open(workdir / "kolibri.log", "w") as log:
        process = subprocess.Popen(
            [str(executable), "start", "--foreground"],
            env=kolibri_env(home, port),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    live = LiveKolibri(executable, home, port, process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise KolibriUnavailable(
                    f"kolibri exited: {(workdir / 'kolibri.log').read_text()[-3000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{live.base_url}/api/public/info/", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise KolibriUnavailable(f"kolibri did not answer within {timeout}s")
            time.sleep(0.5)
        yield live
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
