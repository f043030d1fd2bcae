"""Each connector kind synced END TO END into the database under every simulated fault.

After the sync (two where a change only shows on the next run) the hub must hold exactly the
platform's data: every valid record once with the platform's current content, the malformed
ones and what depends on them in quarantine, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.errors import AuthError, PlatformUnavailable
from connectors.registry import connector_for
from hub.db import transaction
from hub.security.pii import PiiVault
from hub.sync.engine import sync_platform
from schema.tables import QuarantinedRecord
from tests.sync.kinds import (
    SimPlatform,
    expected_state,
    fast_client,
    hub_state,
    small_platform,
    start,
)

KINDS = ["moodle", "xapi", "spreadsheet"]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return small_platform()


@pytest.fixture(params=KINDS)
def sim(request: pytest.FixtureRequest, records: list[dict]) -> Iterator[SimPlatform]:
    with ExitStack() as stack:
        yield start(stack, request.param, records)


async def sync(engine: AsyncEngine, vault: PiiVault, sim: SimPlatform, timeout: float = 5.0):
    async with fast_client(timeout) as client:
        result = await sync_platform(engine, vault, sim.config, client)
    assert result.ok, result.error
    return result


async def assert_hub_equals_platform(engine: AsyncEngine, vault: PiiVault, sim: SimPlatform):
    stored, quarantined = await hub_state(engine)
    expected, stuck = expected_state(sim, vault)
    assert set(stored) == set(expected), "records lost or invented"
    assert stored == expected, "records stored with content the platform does not have"
    assert quarantined == stuck


async def test_transport_faults_then_an_incremental_run_with_nothing_new(engine, vault, sim):
    sim.faults.error_rate = 0.25
    sim.faults.rate_limit_next = 2
    sim.faults.retry_after = "3"
    sim.faults.slow_next = 1
    sim.faults.delay = 0.5
    first = await sync(engine, vault, sim, timeout=0.25)
    assert sim.faults.rate_limit_next == 0 and sim.faults.slow_next == 0  # the faults fired
    assert first.stats.total.inserted > 100 and first.stats.total.quarantined == 0
    await assert_hub_equals_platform(engine, vault, sim)
    sim.faults.error_rate = 0.0
    second = await sync(engine, vault, sim)
    assert second.stats.total.inserted == 0 and second.stats.total.updated == 0
    await assert_hub_equals_platform(engine, vault, sim)


async def test_malformed_duplicated_shifted_and_changed_records(engine, vault, sim):
    sim.faults.malformed_rate = 0.04
    sim.faults.duplicate_items = 2
    sim.faults.shift_next = 3
    sim.faults.change_after_serve = 4
    before = sim.expected()
    first = await sync(engine, vault, sim)
    assert sim.malformed(), "the fault must garble some records"
    assert first.stats.total.quarantined >= len(sim.malformed())
    assert sim.faults.change_after_serve == 0
    assert sim.expected() != before  # the platform's data really changed under the sync
    await sync(engine, vault, sim)  # changes made after serving show on the next run
    await assert_hub_equals_platform(engine, vault, sim)
    if sim.config.kind == "spreadsheet":  # row-level errors say where the row is
        async with transaction(engine) as db:
            reasons = (await db.execute(select(QuarantinedRecord.reason))).scalars().all()
        assert any(r.startswith("培训台账.xlsx sheet ") and " row " in r for r in reasons)
        assert any(r.startswith("学习记录.csv sheet 学习记录 row ") for r in reasons)


@pytest.mark.parametrize("kind", KINDS)
async def test_check_names_the_platform_that_keeps_failing(kind, records):
    with ExitStack() as stack:
        sim = start(stack, kind, records)
        sim.faults.fail_next = 10_000
        async with fast_client() as client:
            connector = connector_for(kind)(sim.config, client)
            with pytest.raises(PlatformUnavailable, match=r"sim \(模拟平台\) is unreachable"):
                await connector.check()


@pytest.mark.parametrize("kind", KINDS)
async def test_check_rejects_a_wrong_secret(kind, records):
    with ExitStack() as stack:
        sim = start(stack, kind, records)
        config = sim.config.model_copy(update={"token": "wrong"})
        async with fast_client() as client:
            with pytest.raises(AuthError, match=r"sim \(模拟平台\) rejected"):
                await connector_for(kind)(config, client).check()
