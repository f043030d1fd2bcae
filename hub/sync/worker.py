"""`hub worker`: run each platform's sync when it is due, shared by any number of workers.

Coordination is PostgreSQL's own row locking, nothing home-made: each platform has one
`sync_lease` row. A worker claims a due, unleased row in one short statement
(`UPDATE ... WHERE platform_id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING`), so
concurrent workers skip each other's rows instead of waiting; it then syncs the platform outside
any transaction, extending its lease meanwhile, and finally sets the next due time and frees
the row. A worker that dies stops extending its lease; once `leased_until` passes, any other
worker takes the platform. On SQLite (one process) FOR UPDATE is not rendered and the same
single-statement claim is serialised by the database's write lock.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from hub.db import insert_new, transaction
from hub.ingest.runs import WORKER_STALE_AFTER, this_process
from hub.security.pii import PiiVault
from hub.sync.engine import SyncResult, register_platform, sync_platform
from schema.enums import SyncStatus
from schema.tables import SyncLease, SyncRun
from schema.types import utcnow

LEASE = WORKER_STALE_AFTER  # extended every LEASE/3 while the sync runs
FAILURE_RETRY = timedelta(minutes=5)  # a failed platform is retried sooner than its schedule
PULL_KINDS_EXCLUDED = frozenset({"push"})  # push platforms send data; there is nothing to pull

Sync = Callable[[PlatformConfig], Awaitable[SyncResult]]


def worker_id() -> str:
    """host:pid:random, so leases name the process that holds them."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def register_all(
    engine: AsyncEngine, configs: list[PlatformConfig]
) -> dict[int, PlatformConfig]:
    """Register the platforms and give each a lease row; safe when several workers start at once."""
    by_id: dict[int, PlatformConfig] = {}
    for config in configs:
        if config.kind in PULL_KINDS_EXCLUDED:
            continue
        for attempt in range(3):
            try:
                platform_id = await register_platform(engine, config)
                break
            except IntegrityError:  # another worker created it between our look-up and insert
                if attempt == 2:
                    raise
        async with transaction(engine) as session:
            await _ensure_lease(session, platform_id, config.schedule_minutes)
        by_id[platform_id] = config
    return by_id


async def _ensure_lease(session: AsyncSession, platform_id: int, schedule_minutes: int) -> None:
    """A new lease row is due one schedule after the platform's last successful run (or now)."""
    last = (
        await session.execute(
            select(func.max(SyncRun.finished_at)).where(
                SyncRun.platform_id == platform_id, SyncRun.status == SyncStatus.SUCCEEDED
            )
        )
    ).scalar_one()
    now = utcnow()
    due = last + timedelta(minutes=schedule_minutes) if last else now
    await session.execute(
        insert_new(session, SyncLease).values(
            platform_id=platform_id, next_due_at=due, updated_at=now
        )
    )


async def claim(
    engine: AsyncEngine, platform_ids: list[int], holder: str, lease: timedelta = LEASE
) -> int | None:
    """Lease the most overdue free platform among `platform_ids`; None when none is due."""
    now = utcnow()
    free = (
        SyncLease.platform_id.in_(platform_ids),
        SyncLease.next_due_at <= now,
        or_(SyncLease.leased_until.is_(None), SyncLease.leased_until < now),
    )
    candidate = (
        select(SyncLease.platform_id)
        .where(*free)
        .order_by(SyncLease.next_due_at, SyncLease.platform_id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    async with transaction(engine) as session:
        result = await session.execute(
            update(SyncLease)
            .where(SyncLease.platform_id == candidate, *free)
            .values(leased_until=now + lease, leased_by=holder, updated_at=now)
            .returning(SyncLease.platform_id)
        )
        return result.scalar_one_or_none()


async def extend(engine: AsyncEngine, platform_id: int, holder: str, lease: timedelta) -> None:
    """Extend the lease, and show the run this process is doing there as alive."""
    now = utcnow()
    async with transaction(engine) as session:
        await session.execute(
            update(SyncLease)
            .where(SyncLease.platform_id == platform_id, SyncLease.leased_by == holder)
            .values(leased_until=now + lease, updated_at=now)
        )
        await session.execute(
            update(SyncRun)
            .where(
                SyncRun.platform_id == platform_id,
                SyncRun.status == SyncStatus.RUNNING,
                SyncRun.owner == this_process(),
            )
            .values(last_alive_at=now)
        )


async def release(
    engine: AsyncEngine,
    platform_id: int,
    holder: str,
    schedule_minutes: int,
    result: SyncResult | None,
) -> None:
    """Free the platform and set when it is next due (sooner after a failure)."""
    now = utcnow()
    interval = timedelta(minutes=schedule_minutes)
    if result is None or not result.ok or result.differences:  # an incomplete run re-reads soon
        interval = min(interval, FAILURE_RETRY)
    async with transaction(engine) as session:
        await session.execute(
            update(SyncLease)
            .where(SyncLease.platform_id == platform_id, SyncLease.leased_by == holder)
            .values(
                next_due_at=now + interval,
                leased_until=None,
                leased_by=None,
                last_run_id=result.run_id if result else None,
                updated_at=now,
            )
        )


@dataclass
class Worker:
    """One worker process's loop: claim, sync, release, until nothing is due (or forever)."""

    engine: AsyncEngine
    platforms: dict[int, PlatformConfig]
    sync: Sync
    holder: str = field(default_factory=worker_id)
    lease: timedelta = LEASE
    poll_seconds: float = 30.0
    on_result: Callable[[SyncResult], None] | None = None

    async def run(self, once: bool = False, max_runs: int | None = None) -> list[SyncResult]:
        """Run due syncs; with `once`, stop when none is due; with `max_runs`, after that many."""
        results: list[SyncResult] = []
        ids = sorted(self.platforms)
        while max_runs is None or len(results) < max_runs:
            platform_id = await claim(self.engine, ids, self.holder, self.lease)
            if platform_id is None:
                if once:
                    break
                await asyncio.sleep(self.poll_seconds)
                continue
            result = await self._run_leased(platform_id)
            results.append(result)
            if self.on_result:
                self.on_result(result)
        return results

    async def _run_leased(self, platform_id: int) -> SyncResult:
        config = self.platforms[platform_id]
        heartbeat = asyncio.create_task(self._heartbeat(platform_id))
        result: SyncResult | None = None
        try:
            result = await self.sync(config)
            return result
        finally:
            heartbeat.cancel()
            await release(self.engine, platform_id, self.holder, config.schedule_minutes, result)

    async def _heartbeat(self, platform_id: int) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            await extend(self.engine, platform_id, self.holder, self.lease)


async def run_worker(
    engine: AsyncEngine,
    vault: PiiVault,
    configs: list[PlatformConfig],
    once: bool = False,
    max_runs: int | None = None,
    poll_seconds: float = 30.0,
    on_result: Callable[[SyncResult], None] | None = None,
) -> list[SyncResult]:
    """Register the declared platforms, then work through their due syncs."""
    platforms = await register_all(engine, configs)
    async with HttpClient() as client:

        async def sync(config: PlatformConfig) -> SyncResult:
            return await sync_platform(engine, vault, config, client, trigger="worker")

        worker = Worker(engine, platforms, sync, poll_seconds=poll_seconds, on_result=on_result)
        return await worker.run(once=once, max_runs=max_runs)
