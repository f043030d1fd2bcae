"""The completeness check that ends every sync: per stream, the platform's count (or ids) taken
before the stream was read, against what the hub holds after.

A stream that can say what its platform holds has a `census()` (connectors/base.py). A stream read
from no cursor has read everything, so the ids it yielded are the platform's ids too. The hub's
side is what it stored for the platform plus what it holds in open quarantine (an invalid record
is not lost; it is waiting). A record missing from the hub (or, by count alone, fewer records in the
hub) makes the run `incomplete` with the difference in the run's stats, raises (or keeps open) one
operations alert per platform, and drops the stream's cursor so the next run reads it whole; a
clean check resolves that alert. Counts alone cannot tell a missing record from one withdrawn on
the platform in the same window; `hub reconcile` compares ids. Ids are compared in the database
(the run's side is what hub/sync/read_ids.py noted), so the check's memory does not grow with the
platform.

Records the run proved gone from the platform were withdrawn just before this check
(hub/ingest/withdraw.py), so `extra` lists only what could not be: records of a stream whose read
proves nothing about absent ones, and rows the hub must keep because something points at them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, except_, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Census
from hub.ingest.rows import SPECS
from hub.supervision.alerts import Finding, store
from hub.sync.read_ids import met_ids
from schema.tables import Alert, Platform, QuarantinedRecord, SyncCursor

RULE = "SYNC_INCOMPLETE"  # an operations alert, not a fraud finding
SHOWN = 20  # ids listed per difference in the run's stats (the counts are always complete)


@dataclass
class StreamCheck:
    """One stream's comparison; ids `missing` in the hub, `extra` in the hub only.

    The lists hold the first `SHOWN` ids of each difference, in id order; the counts hold how many
    there are in all.
    """

    stream: str
    platform: int
    hub: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    missing_count: int = 0
    extra_count: int = 0

    @property
    def ok(self) -> bool:
        """Nothing the platform holds is missing. Records only the hub holds (`extra`: gone from
        the platform where the read could not prove it, or kept because something points at
        them) are reported, not re-read: reading again cannot change them."""
        return not self.missing_count and self.hub >= self.platform

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "hub": self.hub,
            "missing": self.missing_count,
            "extra": self.extra_count,
            "missing_ids": self.missing[:SHOWN],
            "extra_ids": self.extra[:SHOWN],
        }


def _held(platform_id: int, record_type: str) -> Any:
    """Source ids the hub holds for one platform and type: stored or in open quarantine."""
    table = SPECS[record_type].table
    stored = select(table.source_id.label("source_id")).where(  # type: ignore[attr-defined]
        table.platform_id == platform_id  # type: ignore[attr-defined]
    )
    waiting = select(QuarantinedRecord.source_id).where(
        QuarantinedRecord.platform_id == platform_id,
        QuarantinedRecord.record_type == record_type,
        QuarantinedRecord.resolved_at.is_(None),
        QuarantinedRecord.source_id.is_not(None),
    )
    return union(stored, waiting)  # UNION: a record both stored and waiting counts once


def _ids(query: Any) -> Any:
    """`query`'s `source_id` column as a plain SELECT: SQLite cannot nest a UNION in an EXCEPT."""
    inner = query.subquery()
    return select(inner.c.source_id)


def _without(ids: Any, others: Any) -> Any:
    """The ids of query `ids` that query `others` lacks, as a subquery."""
    return except_(_ids(ids), _ids(others)).subquery()


async def _count(session: AsyncSession, query: Any) -> int:
    """How many rows `query` (a subquery) has, counted in the database."""
    return (await session.execute(select(func.count()).select_from(query))).scalar_one()


async def hub_count(session: AsyncSession, platform_id: int, record_type: str) -> int:
    """How many ids `_held` names, counted in the database (for a count comparison)."""
    return await _count(session, _held(platform_id, record_type).subquery())


async def gone_ids(
    session: AsyncSession, platform_id: int, record_type: str, proven: Any
) -> list[str]:
    """Ids `_held` names that query `proven` (the platform's ids) lacks: what it withdrew."""
    gone = _without(_held(platform_id, record_type), proven)
    return list((await session.execute(select(gone.c.source_id))).scalars())


async def _difference(session: AsyncSession, ids: Any, others: Any) -> tuple[list[str], int]:
    """The first `SHOWN` ids of query `ids` that `others` lacks, and how many it lacks in all."""
    diff = _without(ids, others)
    count = await _count(session, diff)
    if not count:
        return [], 0
    first = select(diff.c.source_id).order_by(diff.c.source_id).limit(SHOWN)
    return list((await session.execute(first)).scalars()), count


async def compare(
    session: AsyncSession,
    platform_id: int,
    stream: str,
    census: Census | None,
    platform_ids: Any | None,
) -> StreamCheck | None:
    """The check of one stream, or None when neither a census nor the platform's ids can tell.

    `platform_ids`: a query of the ids the platform holds (its census's listing, or a whole
    read's ids), compared with the hub's in the database however many there are.
    """
    if platform_ids is None and census is None:
        return None
    hub = await hub_count(session, platform_id, stream)
    if platform_ids is None:
        assert census is not None
        return StreamCheck(stream, census.count, hub)
    held = _held(platform_id, stream)
    if census is not None:
        count = census.count
    else:
        count = await _count(session, platform_ids.subquery())
    missing, missing_count = await _difference(session, platform_ids, held)
    extra, extra_count = await _difference(session, held, platform_ids)
    return StreamCheck(stream, count, hub, missing, extra, missing_count, extra_count)


async def check_streams(
    session: AsyncSession,
    platform_id: int,
    run_id: int,
    censuses: Mapping[str, Census | None],
    listed: Collection[str],
    whole: Collection[str],
) -> list[StreamCheck]:
    """Compare every stream that has a census or was read whole with what the hub holds.

    The platform's ids are those run `run_id` noted (hub/sync/read_ids.py): a stream in `listed`
    by its census, taken before the read; else a stream in `whole` by the ids it read.
    """
    checks = []
    for stream in dict.fromkeys([*censuses, *whole]):
        if stream in listed:
            ids = met_ids(run_id, stream, listed=True)
        elif stream in whole:
            ids = met_ids(run_id, stream, listed=False)
        else:
            ids = None
        checked = await compare(session, platform_id, stream, censuses.get(stream), ids)
        if checked is not None:
            checks.append(checked)
    return checks


async def settle(
    session: AsyncSession, platform_id: int, run_id: int, checks: Iterable[StreamCheck]
) -> list[StreamCheck]:
    """Act on the checks: re-read next time and alert on differences; the failed ones."""
    failed = [c for c in checks if not c.ok]
    for check in failed:
        await session.execute(
            delete(SyncCursor).where(
                SyncCursor.platform_id == platform_id, SyncCursor.stream == check.stream
            )
        )
    key = f"sync_incomplete:{platform_id}:"
    region = (
        await session.execute(select(Platform.region_code).where(Platform.id == platform_id))
    ).scalar_one_or_none()
    findings = [
        Finding(
            key,
            "medium",
            {"run_id": run_id, "streams": {c.stream: c.as_dict() for c in failed}},
            None,
            None,
            region,
        )
    ]
    await store(session, RULE, key, findings if failed else [], Alert.dedup_key == key)
    return failed
