"""Quarantine: invalid records kept with their (encrypted) raw payload and the reason."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.batching import chunks
from hub.security.pii import PiiVault
from schema.records import describe_validation_error as describe_validation_error  # re-export
from schema.tables import QuarantinedRecord
from schema.types import utcnow


@dataclass(frozen=True)
class Rejection:
    """Why one raw record was not accepted, and what it waits for if that is the reason."""

    raw: Any
    reason: str
    record_type: str | None = None
    source_id: str | None = None
    waiting_for_type: str | None = None
    waiting_for_id: str | None = None


async def quarantine(
    session: AsyncSession,
    platform_id: int,
    rejections: list[Rejection],
    vault: PiiVault,
    run_id: int | None,
) -> None:
    """Store rejected records; a record already waiting in quarantine is not stored twice."""
    if not rejections:
        return
    rows = [
        {
            "platform_id": platform_id,
            "record_type": r.record_type,
            "source_id": r.source_id,
            "raw_cipher": vault.encrypt(json.dumps(r.raw, ensure_ascii=False, default=str)),
            "reason": r.reason,
            "waiting_for_type": r.waiting_for_type,
            "waiting_for_id": r.waiting_for_id,
            "sync_run_id": run_id,
        }
        for r in rejections
    ]
    keyed = [(r.record_type, r.source_id) for r in rejections if r.record_type and r.source_id]
    await resolve_superseded(session, platform_id, keyed)
    await session.execute(QuarantinedRecord.__table__.insert(), rows)


def _by_type(keys: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for record_type, source_id in keys:
        grouped.setdefault(record_type, []).append(source_id)
    return grouped


async def resolve_superseded(
    session: AsyncSession, platform_id: int, keys: list[tuple[str, str]]
) -> None:
    """Close open quarantine entries of these records: a newer version has replaced them."""
    for record_type, source_ids in _by_type(keys).items():
        for part in chunks(source_ids):
            await session.execute(
                update(QuarantinedRecord)
                .where(
                    QuarantinedRecord.platform_id == platform_id,
                    QuarantinedRecord.resolved_at.is_(None),
                    QuarantinedRecord.record_type == record_type,
                    QuarantinedRecord.source_id.in_(part),
                )
                .values(resolved_at=utcnow())
            )


async def take_waiting(
    session: AsyncSession, platform_id: int, arrived: list[tuple[str, str]], vault: PiiVault
) -> list[Any]:
    """Raw payloads of quarantined records waiting for any of the arrived records, marked done."""
    taken: list[Any] = []
    for record_type, source_ids in _by_type(arrived).items():
        for part in chunks(source_ids):
            rows = (
                await session.execute(
                    select(QuarantinedRecord.id, QuarantinedRecord.raw_cipher).where(
                        QuarantinedRecord.platform_id == platform_id,
                        QuarantinedRecord.resolved_at.is_(None),
                        QuarantinedRecord.waiting_for_type == record_type,
                        QuarantinedRecord.waiting_for_id.in_(part),
                    )
                )
            ).all()
            if not rows:
                continue
            await session.execute(
                update(QuarantinedRecord)
                .where(QuarantinedRecord.id.in_([row.id for row in rows]))
                .values(resolved_at=utcnow())
            )
            taken.extend(json.loads(vault.decrypt(row.raw_cipher)) for row in rows)
    return taken


async def has_open_entries(session: AsyncSession, platform_id: int) -> bool:
    """Whether anything of this platform waits in quarantine (skips lookups when nothing does)."""
    found = await session.execute(
        select(QuarantinedRecord.id)
        .where(
            QuarantinedRecord.platform_id == platform_id,
            QuarantinedRecord.resolved_at.is_(None),
        )
        .limit(1)
    )
    return found.first() is not None
