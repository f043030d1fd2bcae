"""The completeness check that ends every sync: per stream, the platform's count (or ids) taken
before the stream was read, against what the hub holds after.

A stream that can say what its platform holds has a `census()` (connectors/base.py). A stream read
from no cursor has read everything, so the ids it yielded are the platform's ids too. The hub's
side is what it stored for the platform plus what it holds in open quarantine (an invalid record
is not lost; it is waiting). A record missing from the hub (or, by count alone, fewer records in the
hub) makes the run `incomplete` with the difference in the run's stats, raises (or keeps open) one
operations alert per platform, and drops the stream's cursor so the next run reads it whole; a
clean check resolves that alert. Counts alone cannot tell a missing record from one withdrawn on
the platform in the same window; `hub reconcile` compares ids.

Records the run proved gone from the platform were withdrawn just before this check
(hub/ingest/withdraw.py), so `extra` lists only what could not be: records of a stream whose read
proves nothing about absent ones, and rows the hub must keep because something points at them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Census
from hub.ingest.rows import SPECS
from hub.supervision.alerts import Finding, store
from schema.tables import Alert, Platform, QuarantinedRecord, SyncCursor

RULE = "SYNC_INCOMPLETE"  # an operations alert, not a fraud finding
SHOWN = 20  # ids listed per difference in the run's stats (the counts are always complete)


@dataclass
class StreamCheck:
    """One stream's comparison; `missing` in the hub, `extra` in the hub only."""

    stream: str
    platform: int
    hub: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing the platform holds is missing. Records only the hub holds (`extra`: gone from
        the platform where the read could not prove it, or kept because something points at
        them) are reported, not re-read: reading again cannot change them."""
        return not self.missing and self.hub >= self.platform

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "hub": self.hub,
            "missing": len(self.missing),
            "extra": len(self.extra),
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


async def hub_ids(session: AsyncSession, platform_id: int, record_type: str) -> set[str]:
    """The ids `_held` names, read (for an id comparison)."""
    return set((await session.execute(_held(platform_id, record_type))).scalars())


async def hub_count(session: AsyncSession, platform_id: int, record_type: str) -> int:
    """How many ids `_held` names, counted in the database (for a count comparison)."""
    held = _held(platform_id, record_type).subquery()
    return (await session.execute(select(func.count()).select_from(held))).scalar_one()


async def compare(
    session: AsyncSession,
    platform_id: int,
    stream: str,
    census: Census | None,
    read_whole: set[str] | None,
) -> StreamCheck | None:
    """The check of one stream, or None when neither a census nor a whole read can tell."""
    ids = census.ids if census is not None and census.ids is not None else read_whole
    if ids is None:
        if census is None:
            return None
        return StreamCheck(stream, census.count, await hub_count(session, platform_id, stream))
    held = await hub_ids(session, platform_id, stream)
    count = census.count if census is not None else len(ids)
    return StreamCheck(stream, count, len(held), sorted(ids - held), sorted(held - ids))


async def check_streams(
    session: AsyncSession,
    platform_id: int,
    censuses: Mapping[str, Census | None],
    whole_reads: Mapping[str, set[str]],
) -> list[StreamCheck]:
    """Compare every stream that has a census or was read whole with what the hub holds."""
    checks = []
    for stream in dict.fromkeys([*censuses, *whole_reads]):
        checked = await compare(
            session, platform_id, stream, censuses.get(stream), whole_reads.get(stream)
        )
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
