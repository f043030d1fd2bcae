"""Sync runs: every pull, push or import is recorded with its counts, its outcome and its liveness.

A run records who runs it (`host:pid`) and when it last committed (`last_alive_at`; a worker's
lease heartbeat refreshes it too). A run whose process died stays `running` in the table until
someone notices: the next run of the same platform does (`abandon_dead_runs`, which a worker runs
too once the dead worker's lease has expired), marking it `abandoned` with its last sign of life
kept. On the same host the process is asked directly; from another host a run is dead once it
has shown no life for its staleness limit.

The source ids a sync run met (`sync_read_id`, for its comparisons with the hub) are deleted when
the run finishes or is marked abandoned: they mean nothing once the run has ended.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.stats import IngestStats
from schema.enums import SyncStatus
from schema.tables import SyncReadId, SyncRun
from schema.types import utcnow

# A run on another machine that has not committed for this long is taken for dead. Workers
# commit (and extend their lease) far more often; a pull that waits longer than this on one
# platform request has a timeout problem of its own.
STALE_AFTER = timedelta(minutes=15)
# A worker's run shows itself alive with its lease (every third of it): past the lease, it is dead.
WORKER_STALE_AFTER = timedelta(minutes=5)


def this_process() -> str:
    """`host:pid` of the running process, as runs record their owner."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_alive(
    owner: str | None, now: datetime, last_alive: datetime | None, trigger: str
) -> bool:
    """Whether the owner of a running run may still be at work."""
    host, _, pid = (owner or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return True
        try:
            os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    stale = WORKER_STALE_AFTER if trigger == "worker" else STALE_AFTER
    return last_alive is not None and now - last_alive < stale


async def start_run(session: AsyncSession, platform_id: int, trigger: str) -> int:
    now = utcnow()
    result = await session.execute(
        insert(SyncRun)
        .values(
            platform_id=platform_id,
            trigger=trigger,
            status=SyncStatus.RUNNING,
            started_at=now,
            stats={},
            owner=this_process(),
            last_alive_at=now,
        )
        .returning(SyncRun.id)
    )
    return result.scalar_one()


async def mark_alive(session: AsyncSession, run_id: int) -> None:
    """Record that the run just committed work (called in the batch's own transaction)."""
    await session.execute(
        update(SyncRun).where(SyncRun.id == run_id).values(last_alive_at=utcnow())
    )


async def abandon_dead_runs(session: AsyncSession, platform_id: int) -> list[int]:
    """Mark the platform's `running` runs whose process is gone as `abandoned`; their ids."""
    now = utcnow()
    rows = await session.execute(
        select(
            SyncRun.id, SyncRun.owner, SyncRun.last_alive_at, SyncRun.started_at, SyncRun.trigger
        ).where(SyncRun.platform_id == platform_id, SyncRun.status == SyncStatus.RUNNING)
    )
    dead: list[int] = []
    for run_id, owner, alive, started, trigger in rows.all():
        last = alive or started
        if _process_alive(owner, now, last, trigger):
            continue
        dead.append(run_id)
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id, SyncRun.status == SyncStatus.RUNNING)
            .values(
                status=SyncStatus.ABANDONED,
                finished_at=now,
                error=f"abandoned: the process {owner} stopped; last alive {last.isoformat()}",
            )
        )
    if dead:
        await session.execute(delete(SyncReadId).where(SyncReadId.run_id.in_(dead)))
    return dead


async def finish_run(
    session: AsyncSession,
    run_id: int,
    stats: IngestStats,
    error: str | None = None,
    status: SyncStatus | None = None,
    extra: dict | None = None,
) -> None:
    """Close a run; `status` defaults to failed (with an error) or succeeded."""
    now = utcnow()
    await session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(
            status=status or (SyncStatus.FAILED if error else SyncStatus.SUCCEEDED),
            finished_at=now,
            last_alive_at=now,
            stats=stats.as_dict() | (extra or {}),
            error=error,
        )
    )
    await session.execute(delete(SyncReadId).where(SyncReadId.run_id == run_id))
