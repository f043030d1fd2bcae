"""What every benchmark shares: a fresh PostgreSQL database, the machine, the results file.

Benchmarks talk to the PostgreSQL server named by BENCH_POSTGRES_URL (default: the local server,
trust auth) and create a database of their own, dropped afterwards unless BENCH_KEEP=1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.db import create_engine  # noqa: E402
from hub.migrate import upgrade_engine  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def dsn(database: str) -> str:
    """asyncpg DSN of `database` on the benchmark server."""
    return f"{SERVER.rpartition('/')[0]}/{database}"


def sqlalchemy_url(database: str) -> str:
    return dsn(database).replace("postgresql://", "postgresql+asyncpg://", 1)


async def database_exists(name: str) -> bool:
    admin = await asyncpg.connect(SERVER)
    try:
        return bool(await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await admin.close()


@asynccontextmanager
async def fresh_database(name: str, keep: bool | None = None) -> AsyncIterator[str]:
    """A newly created, migrated database `name` (dropped first if it exists); yields its name."""
    keep = os.environ.get("BENCH_KEEP") == "1" if keep is None else keep
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(sqlalchemy_url(name))
    await upgrade_engine(engine)
    await engine.dispose()
    try:
        yield name
    finally:
        if not keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


ANALYZER = "bench-autoanalyze"  # kept out of the backend CPU figures (`cpu_used`)


@dataclass
class CpuUsed:
    """CPU seconds a measured block cost: this process, and the PostgreSQL backends serving
    the database (None when the server is not on this machine)."""

    python: float = 0.0
    server: float | None = None

    def cells(self) -> str:
        """The two figures as Markdown table cells."""
        server = "n/a" if self.server is None else f"{self.server:.1f}"
        return f"{self.python:.1f} | {server}"

    def as_dict(self) -> dict[str, float | None]:
        server = None if self.server is None else round(self.server, 2)
        return {"python": round(self.python, 2), "postgresql_backend": server}


@asynccontextmanager
async def cpu_used(database: str) -> AsyncIterator[CpuUsed]:
    """Measure the CPU the block costs this process and the backends serving `database`.

    The backends' figures come from /proc, so only for a server on this machine; the
    autoanalyze stand-in's connection is left out. A batch's statements run one after another
    on one backend: the block cannot take less time than its backend's CPU.
    """
    used = CpuUsed()
    server_before, python_before = await _backend_cpu(database), time.process_time()
    yield used
    used.python = time.process_time() - python_before
    server_after = await _backend_cpu(database)
    if server_before is not None and server_after is not None:
        used.server = sum(s - server_before.get(pid, 0.0) for pid, s in server_after.items())


async def _backend_cpu(database: str) -> dict[int, float] | None:
    """CPU seconds (user + system) each backend serving `database` has used so far, by pid;
    None when they cannot be read here."""
    connection = await asyncpg.connect(dsn(database))
    try:
        pids = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
            " AND application_name <> $2",
            database,
            ANALYZER,
        )
    finally:
        await connection.close()
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for (pid,) in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # not a server on this machine
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


@asynccontextmanager
async def autoanalyze(database: str, every: float = 20.0) -> AsyncIterator[None]:
    """ANALYZE the database every `every` seconds while the block runs.

    Stands in for autovacuum's analyze, which the local test server runs without
    (autovacuum=off): without it a table filled from empty keeps no statistics and PostgreSQL
    plans lookups on it as if it were tiny. Production servers keep autovacuum on.
    """
    connection = await asyncpg.connect(
        dsn(database), server_settings={"application_name": ANALYZER}
    )

    async def loop() -> None:
        while True:
            await asyncio.sleep(every)
            await connection.execute("ANALYZE")

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await connection.close()


def machine() -> str:
    """One line describing the machine: CPU model and count, memory, Python, PostgreSQL."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        memory = "unknown RAM"
    try:
        pg = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        pg = "psql not found"
    return (
        f"{os.cpu_count()} × {cpu}, {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {pg}"
    )


def record(title: str, lines: list[str]) -> None:
    """Print the figures and append them, with the machine and time, to bench/RESULTS.md."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = [f"## {title} — {stamp}", "", f"Machine: {machine()}", "", *lines, ""]
    text = "\n".join(block)
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nEach run appends here (bench/README.md).\n\n")
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(text + "\n")


class Timer:
    """Elapsed wall time of a `with` block, in seconds."""

    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def commit() -> str:
    """The commit the benchmark ran on (with `+dirty` when the worktree has changes)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def load() -> str:
    """The machine's load averages (1, 5, 15 min) and core count, for the conditions line."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def write_json(
    name: str,
    figures: dict[str, Any],
    baseline: dict[str, Any] | None,
    ratio: float | None,
    goal: str,
    conditions: str = "",
) -> Path:
    """Write the latest figures of benchmark `name` to bench/results/<name>.json."""
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "figures": figures,
        "baseline": baseline,
        "ratio": ratio,
        "goal": goal,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
        "conditions": conditions or load(),
    }
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out
