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
from schema.records import storable_text
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


STORED_DEPTH = 64  # deeper parts of a raw payload are cut: every decoder can read it back
KEY_LENGTH = {"record_type": 16, "source_id": 128, "waiting_for_type": 16, "waiting_for_id": 128}


def storable_payload(raw: Any) -> Any:
    """A copy of a raw payload any JSON encoder and database takes: NUL bytes and lone
    surrogates escaped as text, parts nested deeper than STORED_DEPTH replaced by a note.

    Iterative, so a payload of any depth is copied without recursion.
    """
    root = [raw]
    stack: list[tuple[Any, Any, int]] = [(root, 0, 0)]
    while stack:
        container, slot, depth = stack.pop()
        value = container[slot]
        if depth > STORED_DEPTH and isinstance(value, dict | list):
            container[slot] = f"(nested deeper than {STORED_DEPTH} levels, not kept)"
        elif isinstance(value, dict):
            copy = {storable_text(str(k)): v for k, v in value.items()}
            container[slot] = copy
            stack.extend((copy, key, depth + 1) for key in copy)
        elif isinstance(value, list | tuple):
            items = list(value)
            container[slot] = items
            stack.extend((items, i, depth + 1) for i in range(len(items)))
        elif isinstance(value, str):
            container[slot] = storable_text(value)
    return root[0]


def _key(rejection: Rejection, name: str) -> str | None:
    """A key column's value, or None when it is not text a column of its length holds."""
    value = getattr(rejection, name)
    if value is None:
        return None
    text = storable_text(str(value))
    return text if text == str(value) and len(text) <= KEY_LENGTH[name] else None


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
            **{name: _key(r, name) for name in KEY_LENGTH},
            "raw_cipher": vault.encrypt(
                json.dumps(storable_payload(r.raw), ensure_ascii=False, default=str)
            ),
            "reason": storable_text(r.reason),
            "sync_run_id": run_id,
        }
        for r in rejections
    ]
    keyed = [(row["record_type"], row["source_id"]) for row in rows]
    keyed = [(t, sid) for t, sid in keyed if t and sid]
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
