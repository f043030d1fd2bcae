"""One sync run of one platform: streams in order, each batch committed with its cursor.

Because a batch's records and the stream's new cursor commit in one transaction, a run killed at
any moment resumes from the last committed cursor; records fetched again are upserted by natural
key, so the resumed run neither loses nor duplicates anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from connectors.base import PlatformConfig
from connectors.errors import ConnectorError
from connectors.http import HttpClient
from connectors.registry import connector_for
from hub.db import transaction
from hub.ingest import Ingestor, IngestStats, StreamStats
from hub.ingest.runs import finish_run, start_run
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.supervision.rules import check
from schema.tables import SyncCursor
from schema.types import utcnow

Progress = Callable[[str, StreamStats], None]


@dataclass
class SyncResult:
    platform: str
    run_id: int
    stats: IngestStats
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def register_platform(engine: AsyncEngine, config: PlatformConfig) -> int:
    """Create or update the platform a configuration declares; returns its id."""
    async with transaction(engine) as session:
        platform = await ensure_platform(
            session,
            config.code,
            name=config.name,
            kind=config.kind,
            url=config.base_url,
            region_code=config.region,
            operator_credit_code=config.operator,
            schedule_minutes=config.schedule_minutes,
        )
        assert platform.id is not None
        return platform.id


async def _load_cursor(session: AsyncSession, platform_id: int, stream: str) -> dict | None:
    row = await session.get(SyncCursor, (platform_id, stream))
    return dict(row.cursor) if row else None


async def _save_cursor(session: AsyncSession, platform_id: int, stream: str, cursor: dict) -> None:
    row = await session.get(SyncCursor, (platform_id, stream))
    if row is None:
        session.add(SyncCursor(platform_id=platform_id, stream=stream, cursor=cursor))
    else:
        row.cursor, row.updated_at = cursor, utcnow()
    await session.flush()


async def sync_platform(
    engine: AsyncEngine,
    vault: PiiVault,
    config: PlatformConfig,
    client: HttpClient,
    progress: Progress | None = None,
    trigger: str = "sync",
) -> SyncResult:
    """Pull every stream of one platform from its stored cursors; never raises for platform faults."""
    platform_id = await register_platform(engine, config)
    async with transaction(engine) as session:
        run_id = await start_run(session, platform_id, trigger)
    stats = IngestStats()
    error: str | None = None
    try:
        connector = connector_for(config.kind)(config, client)
        await connector.check()
        for stream in connector.streams():
            stream_stats = stats.of(stream.name)
            async with transaction(engine) as session:
                cursor = await _load_cursor(session, platform_id, stream.name)
            async for batch in stream.read(cursor):
                async with transaction(engine) as session:
                    ingested = await Ingestor(session, platform_id, vault, run_id).ingest(
                        batch.records
                    )
                    await _save_cursor(session, platform_id, stream.name, batch.cursor)
                stats.add(ingested)
                if progress:
                    progress(stream.name, stream_stats)
    except ConnectorError as failure:
        error = f"{type(failure).__name__}: {failure}"
    async with transaction(engine) as session:
        await finish_run(session, run_id, stats, error=error)
    await check(engine, run_ids=[run_id])  # the fraud rules, over what this run touched
    return SyncResult(config.code, run_id, stats, error)
