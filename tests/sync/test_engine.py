"""A simulated platform on a real loopback server, synced into the database end to end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from connectors.simulated.dataset import generate_by_platform
from connectors.simulated.rest_json_app import Faults, create_app
from connectors.simulated.server import serve
from hub.db import transaction
from hub.ingest.rows import SPECS
from hub.security.pii import PiiVault
from hub.sync.engine import sync_platform
from schema.tables import SyncRun

TOKEN = "sim-token"


@pytest.fixture(scope="module")
def platform_records() -> list[dict]:
    by_platform = generate_by_platform(30, seed=7)
    return next(iter(by_platform.values()))


@pytest.fixture
def platform(platform_records: list[dict]) -> Iterator[tuple[str, Faults]]:
    faults = Faults()
    app = create_app(platform_records, token=TOKEN, faults=faults)
    with serve(app) as base_url:
        yield base_url, faults


def config(base_url: str) -> PlatformConfig:
    return PlatformConfig(
        code="sim",
        name="模拟平台",
        kind="rest_json",
        base_url=base_url,
        token=TOKEN,
        region="150300",
        page_size=50,
    )


def fast_client() -> HttpClient:
    async def no_sleep(_: float) -> None:
        return None

    return HttpClient(timeout=5, max_attempts=3, sleep=no_sleep)


async def stored_counts(engine: AsyncEngine) -> Counter:
    counts: Counter = Counter()
    async with transaction(engine) as db:
        for record_type, spec in SPECS.items():
            counts[record_type] = (
                await db.execute(select(func.count()).select_from(spec.table))
            ).scalar_one()
    return counts


async def test_sync_stores_exactly_the_platform_data(
    engine: AsyncEngine, vault: PiiVault, platform: tuple[str, Faults], platform_records: list[dict]
) -> None:
    base_url, _ = platform
    async with fast_client() as client:
        first = await sync_platform(engine, vault, config(base_url), client)
        assert first.ok, first.error
        expected = Counter(r["type"] for r in platform_records)
        assert await stored_counts(engine) == expected
        assert first.stats.total.quarantined == 0
        second = await sync_platform(engine, vault, config(base_url), client)
    assert second.ok and second.stats.total.inserted == 0 and second.stats.total.updated == 0
    assert await stored_counts(engine) == expected


async def test_failed_sync_resumes_without_gaps_or_duplicates(
    engine: AsyncEngine, vault: PiiVault, platform: tuple[str, Faults], platform_records: list[dict]
) -> None:
    base_url, faults = platform
    async with fast_client() as client:
        faults.fail_next = 0
        # Let the first pages through, then fail every request: the run stops at a checkpoint.
        faults.error_rate = 0.6
        failed = await sync_platform(engine, vault, config(base_url), client)
        faults.error_rate = 0.0
        resumed = await sync_platform(engine, vault, config(base_url), client)
    assert not failed.ok and "PlatformUnavailable" in (failed.error or "")
    assert resumed.ok, resumed.error
    assert await stored_counts(engine) == Counter(r["type"] for r in platform_records)
    async with transaction(engine) as db:
        statuses = (await db.execute(select(SyncRun.status).order_by(SyncRun.id))).scalars().all()
    assert [s.value for s in statuses] == ["failed", "succeeded"]
