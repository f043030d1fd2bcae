"""The ids a sync run met are compared with the hub's in the database (sync_read_id), across
every batch of a stream, and none of them outlive the run."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Census, PlatformConfig
from connectors.spreadsheet import SpreadsheetStream
from hub.db import transaction
from hub.ingest.runs import abandon_dead_runs
from hub.platforms.service import ensure_platform
from hub.sync import read_ids
from hub.sync.read_ids import met_ids, record_ids
from hub.sync.reconcile import SHOWN
from schema.enums import SyncStatus
from schema.tables import SyncReadId, SyncRun
from schema.types import utcnow
from tests.sync.kinds import small_platform, start
from tests.sync.test_completeness import sync

PAGE = 7  # records per batch: the session stream spans many of them
GHOSTS = [f"zz-ghost-{n:02}" for n in range(SHOWN + 5)]  # more than the run's stats list


async def _noted(engine: AsyncEngine) -> int:
    async with transaction(engine) as db:
        return (await db.execute(select(func.count()).select_from(SyncReadId))).scalar_one()


async def test_withdrawn_and_missing_ids_are_found_across_batches(engine, vault, monkeypatch):
    monkeypatch.setattr(read_ids, "CHUNK", 5)  # a census's ids inserted in several statements
    with ExitStack() as stack:
        sim = start(stack, "spreadsheet", small_platform())
        sim.config = PlatformConfig(**sim.config.model_dump() | {"page_size": PAGE})
        platform = sim.platform
        assert platform is not None
        first = await sync(engine, vault, sim)
        assert first.status == SyncStatus.SUCCEEDED, first.differences
        assert await _noted(engine) == 0, "a finished run leaves no ids behind"

        sessions = sorted(s for (t, s) in platform.canonical() if t == "session")
        assert len(sessions) > 3 * PAGE
        gone = sessions[-1]  # one of many batches' ids
        platform.withdraw("session", gone)
        listed = SpreadsheetStream.census

        async def census_with_ghosts(self: SpreadsheetStream) -> Census:
            """The platform lists sessions its sheet does not deliver: the hub lacks them."""
            census = await listed(self)
            if self.name != "session":
                return census
            ids = (census.ids or frozenset()) | set(GHOSTS)
            return Census(len(ids), frozenset(ids))

        monkeypatch.setattr(SpreadsheetStream, "census", census_with_ghosts)
        second = await sync(engine, vault, sim)

    assert second.withdrawn.withdrawn == {"session": [gone]}
    assert second.status == SyncStatus.INCOMPLETE
    (check,) = second.differences
    assert check.stream == "session"
    assert (check.platform, check.hub) == (len(sessions) - 1 + len(GHOSTS), len(sessions) - 1)
    assert check.missing_count == len(GHOSTS) and check.missing == GHOSTS[:SHOWN]
    assert check.extra_count == 0 and not check.extra
    assert all(c.ok for c in second.checks if c.stream != "session")
    async with transaction(engine) as db:
        stats = (
            await db.execute(select(SyncRun.stats).where(SyncRun.id == second.run_id))
        ).scalar_one()
    reported = stats["reconciliation"]["session"]
    assert (reported["missing"], reported["missing_ids"]) == (len(GHOSTS), GHOSTS[:SHOWN])
    assert await _noted(engine) == 0, "a finished run leaves no ids behind"


async def test_an_abandoned_run_leaves_no_ids_behind(engine: AsyncEngine) -> None:
    async with transaction(engine) as db:
        platform = await ensure_platform(db, "p1")
        runs = []
        for owner, alive in (("elsewhere:1", timedelta(hours=1)), ("elsewhere:2", timedelta())):
            row = SyncRun(
                platform_id=platform.id,
                trigger="sync",
                status=SyncStatus.RUNNING,
                owner=owner,
                last_alive_at=utcnow() - alive,
            )
            db.add(row)
            await db.flush()
            assert row.id is not None
            runs.append(row.id)
            await record_ids(db, row.id, "session", ["s1", "s2", "s1"])
            await record_ids(db, row.id, "session", ["s2", "s3"], listed=True)
    dead, alive = runs
    async with transaction(engine) as db:
        assert await abandon_dead_runs(db, platform.id) == [dead]
    async with transaction(engine) as db:
        for run_id, expected in ((dead, []), (alive, ["s1", "s2", "s3"])):
            ids = met_ids(run_id, "session").subquery()
            found = (await db.execute(select(ids.c.source_id).distinct())).scalars()
            assert sorted(found) == expected
        listed = (await db.execute(met_ids(alive, "session", listed=True))).scalars()
        assert sorted(listed) == ["s2", "s3"]
