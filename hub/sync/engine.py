"""One sync run of one platform: streams in order, each batch committed with its cursor.

Because a batch's records and the stream's new cursor commit in one transaction, a run killed at
any moment resumes from the last committed cursor; records fetched again are upserted by natural
key, so the resumed run neither loses nor duplicates anything. The killed run itself is marked
`abandoned` by the platform's next run (hub/ingest/runs.py). The next page is fetched and
validated while a batch is stored (hub/ingest/ahead.py); it is stored, and its cursor saved,
only after the batch before it. Every run that read all its streams
ends with the completeness check of hub/sync/reconcile.py: a difference makes it `incomplete`.

Before that check, records the platform no longer holds are withdrawn (hub/ingest/withdraw.py),
but only for a stream whose run proved what the platform holds: a census listing its ids (plus
the ids read since, which the platform held when they were read), or a `snapshot` stream (one
whose completed read is everything the platform holds: one response, one file, one export, not
pages that may shift) read to its end. A read that met a record it could not key proves nothing
about that record, so its stream withdraws nothing that run.

The ids a run meets are noted in the database as it goes (hub/sync/read_ids.py) and compared with
the hub's there, so a run's memory does not grow with the number of records a stream has.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from connectors.base import Batch, Census, PlatformConfig
from connectors.errors import ConnectorError
from connectors.http import HttpClient
from connectors.registry import connector_for
from hub.db import transaction
from hub.ingest import Ingestor, IngestStats, StreamStats
from hub.ingest.ahead import prepared_ahead
from hub.ingest.rekey import rekey
from hub.ingest.runs import abandon_dead_runs, finish_run, mark_alive, start_run
from hub.ingest.withdraw import Withdrawal, withdraw
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.supervision.rules import check
from hub.sync.read_ids import met_ids, record_ids
from hub.sync.reconcile import StreamCheck, check_streams, gone_ids, settle
from schema.enums import SyncStatus
from schema.tables import SyncCursor
from schema.types import utcnow

Progress = Callable[[str, StreamStats], None]


@dataclass
class SyncResult:
    platform: str
    run_id: int
    stats: IngestStats
    error: str | None = None
    differences: list[StreamCheck] = field(default_factory=list)  # the checks that failed
    checks: list[StreamCheck] = field(default_factory=list)  # every stream compared
    withdrawn: Withdrawal = field(default_factory=Withdrawal)  # gone from the platform

    @property
    def ok(self) -> bool:
        """The platform answered and every batch was stored (differences aside)."""
        return self.error is None

    @property
    def status(self) -> SyncStatus:
        if self.error:
            return SyncStatus.FAILED
        return SyncStatus.INCOMPLETE if self.differences else SyncStatus.SUCCEEDED


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
        await abandon_dead_runs(session, platform_id)
        run_id = await start_run(session, platform_id, trigger)
    stats = IngestStats()
    error: str | None = None
    result = SyncResult(config.code, run_id, stats)
    extra: dict = {}
    try:
        connector = connector_for(config.kind)(config, client)
        await connector.check()
        streams = connector.streams()
        # Ids met are noted in the database (hub/sync/read_ids.py), not held here: a stream of a
        # million records must not cost a million strings. These sets name streams only.
        listed: set[str] = set()  # streams whose census listed the platform's ids
        whole: set[str] = set()  # streams read whole this run
        proven: list[str] = []  # streams whose run proved which ids the platform holds
        # Counted before the read: what the platform held when we began must all be in the hub
        # when we end; records added meanwhile only make the hub hold more.
        censuses: dict[str, Census | None] = {}
        for stream in streams:
            if hasattr(stream, "census"):
                census = await stream.census()  # type: ignore[attr-defined]
                if census is not None and census.ids is not None:
                    async with transaction(engine) as session:
                        await record_ids(session, run_id, stream.name, census.ids, listed=True)
                    listed.add(stream.name)
                    census = replace(census, ids=None)  # noted: the set need not stay
                censuses[stream.name] = census
            stream_stats = stats.of(stream.name)
            async with transaction(engine) as session:
                cursor = await _load_cursor(session, platform_id, stream.name)
            unkeyed = False  # a record without a source id: its absence proves nothing
            # the next page is fetched and prepared while this one is stored
            ahead = prepared_ahead(stream.read(cursor), _records, vault)
            async with aclosing(ahead):
                async for batch, prepared in ahead:
                    async with transaction(engine) as session:
                        if batch.rekey:  # records stored under a key the connector no longer uses
                            await rekey(session, platform_id, stream.name, batch.rekey, run_id)
                        ingested = await Ingestor(session, platform_id, vault, run_id).store(
                            prepared
                        )
                        # committed with the cursor: the ids noted are those of the batches stored
                        ids = _source_ids(batch.records)
                        await record_ids(session, run_id, stream.name, ids)
                        await _save_cursor(session, platform_id, stream.name, batch.cursor)
                        await mark_alive(session, run_id)
                    stats.add(ingested)
                    unkeyed = unkeyed or any(not _keyed(r) for r in batch.records)
                    if progress:
                        progress(stream.name, stream_stats)
            if cursor is None or getattr(stream, "whole", False):
                whole.add(stream.name)
            snapshot = getattr(stream, "snapshot", False)
            if (stream.name in listed or snapshot) and not unkeyed:
                proven.append(stream.name)
        if proven:
            async with transaction(engine) as session:
                # Proven: the census's ids and those read since (the platform held them when
                # read), or a snapshot's read alone; gone is what the hub holds beyond them.
                gone = {
                    n: await gone_ids(session, platform_id, n, met_ids(run_id, n)) for n in proven
                }
                result.withdrawn = await withdraw(session, platform_id, gone, run_id)
            if result.withdrawn.withdrawn or result.withdrawn.kept:
                extra["withdrawn"] = result.withdrawn.as_dict()
        async with transaction(engine) as session:
            checks = await check_streams(session, platform_id, run_id, censuses, listed, whole)
            result.differences = await settle(session, platform_id, run_id, checks)
        result.checks = checks
        if checks:
            extra["reconciliation"] = {c.stream: c.as_dict() for c in checks}
    except ConnectorError as failure:
        error = f"{type(failure).__name__}: {failure}"
    result.error = error
    async with transaction(engine) as session:
        await finish_run(session, run_id, stats, error=error, status=result.status, extra=extra)
    await check(engine, run_ids=[run_id])  # the fraud rules, over what this run touched
    return result


def _records(batch: Batch) -> list[Any]:
    return batch.records


def _keyed(record: object) -> bool:
    return isinstance(record, dict) and bool(record.get("source_id"))


def _source_ids(records: list[dict]) -> set[str]:
    return {str(r["source_id"]) for r in records if isinstance(r, dict) and r.get("source_id")}


async def reconcile_platform(
    engine: AsyncEngine,
    vault: PiiVault,
    config: PlatformConfig,
    client: HttpClient,
    progress: Progress | None = None,
) -> SyncResult:
    """A full comparison on demand: every stream read whole, compared by ids, and repaired."""
    platform_id = await register_platform(engine, config)
    async with transaction(engine) as session:
        await session.execute(delete(SyncCursor).where(SyncCursor.platform_id == platform_id))
    return await sync_platform(engine, vault, config, client, progress, trigger="reconcile")
