"""The ids a sync run met are kept in the database (sync_read_id) and none of them outlive the
run."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest.runs import abandon_dead_runs
from hub.platforms.service import ensure_platform
from hub.sync.read_ids import met_ids, record_ids
from schema.enums import SyncStatus
from schema.tables import SyncRun
from schema.types import utcnow


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
