"""Sync runs: every pull, push or import is recorded with its counts and outcome."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.stats import IngestStats
from schema.enums import SyncStatus
from schema.tables import SyncRun
from schema.types import utcnow


async def start_run(session: AsyncSession, platform_id: int, trigger: str) -> int:
    result = await session.execute(
        insert(SyncRun)
        .values(
            platform_id=platform_id,
            trigger=trigger,
            status=SyncStatus.RUNNING,
            started_at=utcnow(),
            stats={},
        )
        .returning(SyncRun.id)
    )
    return result.scalar_one()


async def finish_run(
    session: AsyncSession, run_id: int, stats: IngestStats, error: str | None = None
) -> None:
    await session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(
            status=SyncStatus.FAILED if error else SyncStatus.SUCCEEDED,
            finished_at=utcnow(),
            stats=stats.as_dict(),
            error=error,
        )
    )
