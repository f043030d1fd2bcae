"""`kill -9` of a running `hub sync`, on every simulated kind: the next run marks the dead run
`abandoned` with its last sign of life, /metrics counts it, and the hub ends equal to the platform.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.simulated.dataset import generate_by_platform
from hub.api.metrics import metrics_endpoint
from hub.db import transaction
from hub.ingest.runs import abandon_dead_runs, this_process
from hub.platforms.service import ensure_platform
from schema.enums import SyncStatus
from schema.tables import SyncRun
from schema.types import utcnow
from tests.sync.kinds import SimPlatform, start
from tests.sync.test_completeness import (
    assert_alerts_are_the_rules_verdict,
    assert_hub_equals_platform,
    sync,
)

KINDS = ["rest_json", "moodle", "xapi", "spreadsheet"]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    every = generate_by_platform(14, seed=11)["wuhai-skills"]
    return [r for r in every if r["type"] != "session"] + [
        r for r in every if r["type"] == "session"
    ]


@pytest.fixture(params=KINDS)
def sim(request: pytest.FixtureRequest, records: list[dict]) -> Iterator[SimPlatform]:
    with ExitStack() as stack:
        yield start(stack, request.param, records)


def _value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)  # strings, numbers and arrays are TOML too


def toml(config: PlatformConfig) -> str:
    """One [[platform]] block of a platforms.toml declaring `config`."""
    lines = ["[[platform]]"]
    for key, value in config.model_dump(mode="json", exclude_none=True).items():
        lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def hub_sync(config: PlatformConfig, engine: AsyncEngine, key: str, tmp: Path) -> subprocess.Popen:
    """`hub sync` of one platform in a process of its own, output piped (not a terminal)."""
    path = tmp / "platforms.toml"
    path.write_text(toml(config), encoding="utf-8")
    env = os.environ | {
        "HUB_DATA_DIR": str(tmp / "data"),
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "HUB_DATA_KEY": key,
    }
    command = [sys.executable, "-m", "hub", "sync", "--config", str(path)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


async def kill_after_a_batch(
    engine: AsyncEngine, process: subprocess.Popen
) -> tuple[SyncRun, list[str]]:
    """SIGKILL the process once it has logged a stored batch; the run as left, and the log."""
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(
        target=lambda: lines.extend(line.decode() for line in process.stdout),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        for _ in range(3000):  # the progress line comes after the batch's commit
            if process.poll() is not None or any(" · " in line for line in lines):
                break
            await asyncio.sleep(0.02)
        assert process.poll() is None, "the sync ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(timeout=10)
    async with transaction(engine) as db:
        run = (await db.execute(select(SyncRun).order_by(SyncRun.id.desc()).limit(1))).scalar_one()
    return run, lines


async def test_kill_9_of_hub_sync(engine, vault, sim, data_key_b64: str, tmp_path: Path) -> None:
    sim.faults.slow_next, sim.faults.delay = 10_000, 0.05  # every request takes a while
    process = hub_sync(sim.config, engine, data_key_b64, tmp_path)
    left, log = await kill_after_a_batch(engine, process)
    # Not on a terminal: a plain progress line per stored batch.
    assert any(" sim · " in line and " read, " in line for line in log), log
    assert left.status == SyncStatus.RUNNING  # what a dead process leaves behind
    assert left.last_alive_at is not None and left.last_alive_at > left.started_at
    last_alive = left.last_alive_at

    sim.faults.slow_next = 0
    result = await sync(engine, vault, sim)
    assert result.status == SyncStatus.SUCCEEDED
    async with transaction(engine) as db:
        dead = await db.get(SyncRun, left.id, populate_existing=True)
        assert dead is not None
        assert dead.status == SyncStatus.ABANDONED
        assert dead.last_alive_at == last_alive  # its last sign of life is kept
        assert dead.error and "last alive" in dead.error
    await assert_hub_equals_platform(engine, vault, sim)
    await assert_alerts_are_the_rules_verdict(engine)
    body = (await metrics_endpoint(engine)(None)).body.decode()
    assert 'hub_sync_runs{platform="sim",status="abandoned"} 1.0' in body
    assert 'hub_sync_runs{platform="sim",status="succeeded"} 1.0' in body


async def test_only_dead_runs_are_abandoned(engine: AsyncEngine) -> None:
    """A run is dead when its process is gone (same host) or silent past its limit (elsewhere)."""
    dead_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_pid.wait()
    now = utcnow()
    here = socket.gethostname()
    runs = {
        "killed here": (f"{here}:{dead_pid.pid}", "sync", now),
        "alive here": (this_process(), "sync", now - timedelta(hours=2)),
        "silent worker elsewhere": ("elsewhere:1", "worker", now - timedelta(minutes=6)),
        "busy worker elsewhere": ("elsewhere:2", "worker", now - timedelta(minutes=1)),
        "slow sync elsewhere": ("elsewhere:3", "sync", now - timedelta(minutes=6)),
    }
    async with transaction(engine) as db:
        platform = await ensure_platform(db, "p1")
        ids = {}
        for name, (owner, trigger, alive) in runs.items():
            row = SyncRun(
                platform_id=platform.id,
                trigger=trigger,
                status=SyncStatus.RUNNING,
                owner=owner,
                last_alive_at=alive,
            )
            db.add(row)
            await db.flush()
            ids[name] = row.id
    async with transaction(engine) as db:
        abandoned = set(await abandon_dead_runs(db, platform.id))
    assert abandoned == {ids["killed here"], ids["silent worker elsewhere"]}
