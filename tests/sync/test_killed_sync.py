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
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.simulated.dataset import generate_by_platform
from hub.api.metrics import metrics_endpoint
from hub.db import transaction
from hub.ingest.runs import abandon_dead_runs, this_process
from hub.platforms.service import ensure_platform
from schema.enums import SyncStatus
from schema.tables import LearningSession, SyncRun
from schema.types import utcnow
from tests.sync.kinds import SimPlatform, start
from tests.sync.test_completeness import assert_hub_equals_platform, sync

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


def toml(config: PlatformConfig) -> str:
    """One [[platform]] block (JSON strings, numbers and arrays are valid TOML values)."""
    lines = ["[[platform]]"]
    for key, value in config.model_dump(exclude_none=True).items():
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


async def wait_for_work(engine: AsyncEngine, process: subprocess.Popen, seconds: float) -> None:
    """Until the CLI's run has committed a batch of sessions (or `seconds` passed)."""
    for _ in range(int(seconds / 0.02)):
        if process.poll() is not None:
            return
        async with transaction(engine) as db:
            sessions = (
                await db.execute(select(func.count()).select_from(LearningSession))
            ).scalar_one()
        if sessions:
            return
        await asyncio.sleep(0.02)


async def test_kill_9_of_hub_sync(engine, vault, sim, data_key_b64: str, tmp_path: Path) -> None:
    sim.faults.slow_next, sim.faults.delay = 10_000, 0.05  # every request takes a while
    config = tmp_path / "platforms.toml"
    config.write_text(toml(sim.config), encoding="utf-8")
    env = os.environ | {
        "HUB_DATA_DIR": str(tmp_path / "data"),
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "HUB_DATA_KEY": data_key_b64,
    }
    command = [sys.executable, "-m", "hub", "sync", "--config", str(config)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        await wait_for_work(engine, process, 60)
        assert process.poll() is None, "the sync ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    log = process.stdout.read().decode() if process.stdout else ""
    # Not on a terminal: a plain progress line per stored batch.
    assert " sim · " in log and " read, " in log, log
    async with transaction(engine) as db:
        killed = (await db.execute(select(SyncRun))).scalar_one()
    assert killed.status == SyncStatus.RUNNING  # what a dead process leaves behind
    assert killed.last_alive_at is not None and killed.last_alive_at > killed.started_at

    sim.faults.slow_next = 0
    result = await sync(engine, vault, sim)
    assert result.status == SyncStatus.SUCCEEDED
    async with transaction(engine) as db:
        dead = await db.get(SyncRun, killed.id, populate_existing=True)
        assert dead is not None
        assert dead.status == SyncStatus.ABANDONED
        assert dead.last_alive_at == killed.last_alive_at  # its last sign of life is kept
        assert dead.error and "last alive" in dead.error
    await assert_hub_equals_platform(engine, vault, sim)
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
