"""Ordinary platform behaviour on every simulated kind: late back-dated records, an updated
assessment, a renamed user, a corrected ID number, a trainee moved to another district and pages
shifting under a read. Each ends with the hub equal to the platform field by field, no duplicates,
no new alert but the ones the changes deserve, and run statuses that tell the truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.simulated.rest_json_app import EPOCH
from hub.db import transaction
from hub.security.pii import PiiVault
from hub.supervision.rules import check
from hub.sync.engine import SyncResult, sync_platform
from schema.enums import SyncStatus
from schema.tables import (
    Alert,
    AlertRecord,
    Certificate,
    LearningSession,
    StatTraineeCell,
    SyncRun,
    Trainee,
)
from tests.records import resident_id
from tests.sync.kinds import (
    SimPlatform,
    expected_state,
    fast_client,
    hub_key,
    hub_state,
    small_platform,
    start,
)

KINDS = ["rest_json", "moodle", "xapi", "spreadsheet"]
# kinds whose change feed is a platform-stamped modification time a late record can carry back
STAMPED = {"rest_json", "moodle"}
EXPECTED_RULES = {"RETROACTIVE_CHANGE"}  # an identity field changed after first report


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return small_platform()


@pytest.fixture(params=KINDS)
def sim(request: pytest.FixtureRequest, records: list[dict]) -> Iterator[SimPlatform]:
    with ExitStack() as stack:
        sim = start(stack, request.param, records)
        # No look-back: a change feed read from exactly where the last run stopped.
        sim.config = PlatformConfig(**sim.config.model_dump(), lookback_seconds=0)
        yield sim


async def sync(engine: AsyncEngine, vault: PiiVault, sim: SimPlatform) -> SyncResult:
    async with fast_client() as client:
        result = await sync_platform(engine, vault, sim.config, client)
    assert result.ok, result.error
    async with transaction(engine) as db:
        stored = (
            await db.execute(select(SyncRun.status).where(SyncRun.id == result.run_id))
        ).scalar_one()
    assert stored == result.status
    return result


async def assert_hub_equals_platform(engine: AsyncEngine, vault: PiiVault, sim: SimPlatform):
    stored, quarantined = await hub_state(engine)  # hub_state fails on a duplicated key
    expected, stuck = expected_state(sim, vault)
    assert set(stored) - set(expected) == set(), "records the platform does not have"
    assert set(expected) - set(stored) == set(), "records lost"
    assert stored == expected, "records stored with content the platform does not have"
    assert quarantined == stuck


async def assert_persons_follow_trainees(engine: AsyncEngine) -> None:
    """Every row that carries a person carries its trainee's."""
    async with transaction(engine) as db:
        for table in (LearningSession, Certificate, StatTraineeCell):
            wrong = await db.execute(
                select(table.id)  # type: ignore[attr-defined]
                .join(Trainee, Trainee.id == table.trainee_id)  # type: ignore[attr-defined]
                .where(Trainee.person_id != table.person_id)  # type: ignore[attr-defined]
            )
            assert wrong.all() == [], f"{table.__tablename__} rows on the wrong person"


async def open_alerts(engine: AsyncEngine) -> set[tuple[str, str]]:
    async with transaction(engine) as db:
        rows = await db.execute(select(Alert.rule, Alert.dedup_key).where(Alert.status == "open"))
        return set(rows.all())


def hold_back_a_session(sim: SimPlatform) -> dict:
    """A session still on a learner's device: the platform does not have it yet."""
    assert sim.platform is not None
    sessions = sorted(sid for (t, sid) in sim.platform.canonical() if t == "session")
    return sim.platform.withdraw("session", sessions[len(sessions) // 2])


def change_the_platform(sim: SimPlatform, late: dict) -> set[tuple[str, str]]:
    """The late session arrives; an updated assessment, a renamed, re-coded and moved trainee.

    Returns the trainees whose identity changed (renamed, re-coded): the only records a
    RETROACTIVE_CHANGE alert may be about afterwards."""
    platform = sim.platform
    assert platform is not None
    # Where the platform stamps modifications, the late record carries a stamp older than any
    # look-back; an LRS stamps `stored` itself on arrival, and a workbook is re-read whole.
    platform.upsert(late, EPOCH if sim.config.kind in STAMPED else None)
    data = platform.canonical()
    assessment = sorted(sid for (t, sid) in data if t == "assessment")[0]
    platform.revise("assessment", assessment)
    trainees = sorted(sid for (t, sid) in data if t == "trainee")
    platform.revise("trainee", trainees[0])  # renamed
    recoded = dict(data[("trainee", trainees[1])])
    recoded["id_number"] = resident_id(recoded["id_number"][:6], "19880808", "913")
    platform.upsert(recoded)
    moved = dict(data[("trainee", trainees[2])])
    moved["region_code"] = "150304" if moved["region_code"] != "150304" else "150303"
    platform.upsert(moved)
    return {hub_key(sim, "trainee", data[("trainee", sid)]) for sid in trainees[:2]}


async def assert_alerts_are_the_rules_verdict(engine: AsyncEngine) -> None:
    """The open alerts are exactly what every rule finds on the data as it now is: a fault, a
    kill or a withdrawal on the way left no alert behind that the data does not support (and
    no operations alert open)."""
    kept = await open_alerts(engine)
    await check(engine)  # every rule over everything, resolving what is no longer found
    assert await open_alerts(engine) == kept, "alerts the data no longer supports"
    assert not {rule for rule, _ in kept if rule == "SYNC_INCOMPLETE"}


async def alerted_records(engine: AsyncEngine, rule: str) -> set[tuple[str, str]]:
    """(record type, source id) of every record an open alert of `rule` is about."""
    async with transaction(engine) as db:
        rows = await db.execute(
            select(AlertRecord.record_type, AlertRecord.source_id)
            .join(Alert, Alert.id == AlertRecord.alert_id)
            .where(Alert.rule == rule, Alert.status == "open")
        )
        return set(rows.all())


async def test_late_updated_renamed_recoded_and_moved_records(engine, vault, sim):
    late = hold_back_a_session(sim)
    first = await sync(engine, vault, sim)
    assert first.status == SyncStatus.SUCCEEDED, first.differences
    await assert_hub_equals_platform(engine, vault, sim)
    alerts_before = await open_alerts(engine)

    retro_before = await alerted_records(engine, "RETROACTIVE_CHANGE")
    changed_identities = change_the_platform(sim, late)
    second = await sync(engine, vault, sim)
    stored, _ = await hub_state(engine)
    lacking = set(expected_state(sim, vault)[0]) - set(stored)
    assert (second.status == SyncStatus.SUCCEEDED) == (not lacking), (second.status, lacking)
    if sim.config.kind in STAMPED:
        # The change feed cannot show a record stamped before its window: the count does.
        assert second.status == SyncStatus.INCOMPLETE, second.stats.as_dict()["session"]
        assert [(d.stream, d.platform - d.hub) for d in second.differences] == [("session", 1)]
        async with transaction(engine) as db:
            stats = (
                await db.execute(select(SyncRun.stats).where(SyncRun.id == second.run_id))
            ).scalar_one()
        assert stats["reconciliation"]["session"]["platform"] == second.differences[0].platform
        key = f"sync_incomplete:{await _platform_id(engine)}:"
        assert ("SYNC_INCOMPLETE", key) in await open_alerts(engine)
        third = await sync(engine, vault, sim)  # re-reads the stream whole
        assert ("SYNC_INCOMPLETE", key) not in await open_alerts(engine)
    else:
        third = second
    assert third.status == SyncStatus.SUCCEEDED, third.differences
    await assert_hub_equals_platform(engine, vault, sim)
    await assert_persons_follow_trainees(engine)
    new_alerts = {rule for rule, _ in await open_alerts(engine) - alerts_before}
    assert new_alerts <= EXPECTED_RULES, "false alerts"
    # ... and RETROACTIVE_CHANGE only about the trainees whose name or ID number changed.
    retro = await alerted_records(engine, "RETROACTIVE_CHANGE") - retro_before
    assert retro <= changed_identities, retro
    await assert_alerts_are_the_rules_verdict(engine)


async def _platform_id(engine: AsyncEngine) -> int:
    from schema.tables import Platform

    async with transaction(engine) as db:
        return (await db.execute(select(Platform.id).where(Platform.code == "sim"))).scalar_one()


async def test_pages_shifting_during_a_read_never_leave_a_silent_gap(engine, vault, sim):
    sim.faults.shift_next = 3
    sim.faults.duplicate_items = 2
    keys_before = set(expected_state(sim, vault)[0])
    first = await sync(engine, vault, sim)
    stored, _ = await hub_state(engine)
    lacking = keys_before - set(stored)
    # Truthful: a run that lacks a record the platform had before it started is not a success.
    assert (first.status == SyncStatus.SUCCEEDED) == (not lacking), (first.status, lacking)
    sim.faults.shift_next = 0
    second = await sync(engine, vault, sim)
    assert second.status == SyncStatus.SUCCEEDED, second.differences
    await assert_hub_equals_platform(engine, vault, sim)
    await assert_alerts_are_the_rules_verdict(engine)
