"""`hub worker`: due syncs run exactly once, shared through row locks by several workers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from connectors.simulated.rest_json_app import create_app
from connectors.simulated.server import serve
from hub.db import create_engine, transaction
from hub.security.pii import PiiVault
from hub.sync.engine import SyncResult, sync_platform
from hub.sync.worker import Worker, claim, register_all
from schema.enums import SyncStatus
from schema.tables import Platform, SyncLease, SyncRun
from schema.types import utcnow
from tests.connectors.support import make_records, resident_id

TOKEN = "worker-token"
PLATFORMS = 6


def platform_records(index: int) -> list[dict]:
    """A small dataset per platform, with people of its own (no identity shared across them)."""
    records = make_records(trainees=8)
    for number, record in enumerate(r for r in records if r["type"] == "trainee"):
        record["id_number"] = resident_id(100 * (index + 1) + number)
    return records


@pytest.fixture(scope="module")
def simulated() -> Iterator[list[PlatformConfig]]:
    """Several simulated platforms on loopback, and their declarations."""
    with ExitStack() as stack:
        configs = []
        for index in range(PLATFORMS):
            base_url = stack.enter_context(serve(create_app(platform_records(index), TOKEN)))
            configs.append(
                PlatformConfig(
                    code=f"sim-{index}",
                    name=f"模拟平台{index}",
                    kind="rest_json",
                    base_url=base_url,
                    token=TOKEN,
                    region="150300",
                    page_size=50,
                    schedule_minutes=60,
                )
            )
        yield configs


async def runs_per_platform(engine: AsyncEngine) -> Counter:
    query = select(Platform.code, SyncRun.status).join(Platform, Platform.id == SyncRun.platform_id)
    async with transaction(engine) as db:
        rows = (await db.execute(query)).all()
    assert all(status == SyncStatus.SUCCEEDED for _, status in rows), rows
    return Counter(code for code, _ in rows)


async def test_workers_in_one_process_run_each_due_platform_once(
    engine: AsyncEngine, vault: PiiVault, simulated: list[PlatformConfig]
) -> None:
    platforms = await register_all(engine, simulated)
    async with HttpClient(timeout=10) as client:

        async def sync(config: PlatformConfig) -> SyncResult:
            return await sync_platform(engine, vault, config, client, trigger="worker")

        workers = [Worker(engine, platforms, sync) for _ in range(3)]
        await asyncio.gather(*(w.run(once=True) for w in workers))
        assert await runs_per_platform(engine) == {c.code: 1 for c in simulated}

        # Nothing is due until the schedule comes round again.
        assert await workers[0].run(once=True) == []
        async with transaction(engine) as db:
            leases = (await db.execute(select(SyncLease))).scalars().all()
        assert len(leases) == PLATFORMS
        assert all(lease.leased_by is None and lease.next_due_at > utcnow() for lease in leases)
        assert all(lease.last_run_id is not None for lease in leases)

        # Registering again (a restarted worker) keeps the schedule of the last success.
        await register_all(engine, simulated)
        assert await workers[1].run(once=True) == []


async def test_a_crashed_workers_lease_expires_and_a_live_one_is_respected(
    engine: AsyncEngine, simulated: list[PlatformConfig]
) -> None:
    platforms = await register_all(engine, simulated[:2])
    crashed, alive = sorted(platforms)
    now = utcnow()
    async with transaction(engine) as db:
        for platform_id, until in (
            (crashed, now - timedelta(seconds=1)),
            (alive, now + timedelta(minutes=5)),
        ):
            await db.execute(
                update(SyncLease)
                .where(SyncLease.platform_id == platform_id)
                .values(leased_by="dead-or-busy", leased_until=until)
            )
    assert await claim(engine, [crashed, alive], "me") == crashed
    assert await claim(engine, [crashed, alive], "someone-else") is None


def test_three_worker_processes_share_the_due_runs(
    engine: AsyncEngine, simulated: list[PlatformConfig], tmp_path: Path, data_key_b64: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several processes sharing work through row locks is PostgreSQL's job")
    toml = tmp_path / "platforms.toml"
    blocks = [
        f'[[platform]]\ncode = "{c.code}"\nname = "{c.name}"\nkind = "rest_json"\n'
        f'base_url = "{c.base_url}"\ntoken = "{TOKEN}"\nregion = "150300"\n'
        f"page_size = 50\nschedule_minutes = 60\n"
        for c in simulated
    ]
    toml.write_text("\n".join(blocks), encoding="utf-8")
    env = {
        **os.environ,
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "HUB_DATA_KEY": data_key_b64,
        "HUB_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "hub", "worker", "--config", str(toml), "--once"]

    workers = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        outputs.append(out)
    ran = [
        line.split()[1] for out in outputs for line in out.splitlines() if line.startswith("ran ")
    ]
    assert sorted(ran) == sorted(c.code for c in simulated)  # each platform once, by someone
    counts = asyncio.run(_runs_in_new_loop(engine))
    assert counts == {c.code: 1 for c in simulated}

    # Nothing is left due: a further claim finds no platform.
    assert asyncio.run(_claim_in_new_loop(engine)) is None


def _fresh(engine: AsyncEngine) -> AsyncEngine:
    """An engine for this thread's own event loop (the fixture's belongs to the test session's)."""
    return create_engine(engine.url.render_as_string(hide_password=False))


async def _runs_in_new_loop(engine: AsyncEngine) -> Counter:
    fresh = _fresh(engine)
    try:
        return await runs_per_platform(fresh)
    finally:
        await fresh.dispose()


async def _claim_in_new_loop(engine: AsyncEngine) -> int | None:
    fresh = _fresh(engine)
    try:
        async with transaction(fresh) as db:
            ids = list((await db.execute(select(SyncLease.platform_id))).scalars())
        assert len(ids) == PLATFORMS
        return await claim(fresh, ids, "late-comer")
    finally:
        await fresh.dispose()
