"""Idempotency keys: the first outcome of a push is kept and answered to every replay.

A key belongs to one platform, so two platforms may use the same key independently. A replay
with different records under a used key is refused rather than silently answered with the
first outcome (as payment APIs do), because the caller is then certainly confused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.push.errors import InvalidPush, PushInProgress
from schema.tables import PushReceipt
from schema.types import utcnow

MAX_KEY_LENGTH = 128
# A streamed push extends its claim while its body arrives (every quarter of this, and with
# every batch); one silent for this long has died — a killed upload frees its key that soon
# (HUB_PUSH_CLAIM_SECONDS), not after ten minutes as it used to.
CLAIM_TTL = timedelta(seconds=60)


@dataclass(frozen=True)
class PushOutcome:
    """What a push did: its sync run, the counts per record type, whether it was a replay."""

    sync_run_id: int | None
    counts: dict[str, dict[str, int]]
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        totals: dict[str, int] = {}
        for stream in self.counts.values():
            for name, value in stream.items():
                totals[name] = totals.get(name, 0) + value
        return {
            "sync_run_id": self.sync_run_id,
            "replayed": self.replayed,
            "counts": self.counts,
            "total": totals,
        }


def check_key(key: str | None) -> None:
    """Refuse an empty or over-long idempotency key."""
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH):
        raise InvalidPush(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters")


def records_hash(records: list[Any]) -> str:
    """A digest of a batch, independent of key order inside the records."""
    text = json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a lone surrogate is hashed (and then quarantined), not an encoding error
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


async def find(session: AsyncSession, platform_id: int, key: str) -> PushReceipt | None:
    query = select(PushReceipt).where(
        PushReceipt.platform_id == platform_id, PushReceipt.idempotency_key == key
    )
    return (await session.execute(query)).scalar_one_or_none()


def replay(receipt: PushReceipt, request_hash: str) -> PushOutcome:
    """The stored outcome for a replayed request; refused if the request differs or is running."""
    if receipt.result is None:
        raise PushInProgress(
            f"a push with idempotency key {receipt.idempotency_key!r} is still in progress"
        )
    if receipt.request_hash != request_hash:
        raise InvalidPush(
            f"idempotency key {receipt.idempotency_key!r} was already used for other records"
        )
    return PushOutcome(receipt.sync_run_id, dict(receipt.result), replayed=True)


async def claim(
    session: AsyncSession, platform_id: int, key: str, pending: bool, ttl: timedelta = CLAIM_TTL
) -> int:
    """Insert the key's receipt (its unique constraint serialises concurrent claims).

    With `pending`, the claim expires after CLAIM_TTL unless extended; without, it lives and
    dies with the caller's transaction. Raises IntegrityError when the key is already taken.
    """
    now = utcnow()
    result = await session.execute(
        insert(PushReceipt)
        .values(
            platform_id=platform_id,
            idempotency_key=key,
            created_at=now,
            claimed_until=now + ttl if pending else None,
        )
        .returning(PushReceipt.id)
    )
    return result.scalar_one()


async def take_over_expired(
    session: AsyncSession, receipt_id: int, ttl: timedelta = CLAIM_TTL
) -> bool:
    """Take a crashed push's expired claim; False when it is still alive or already finished."""
    now = utcnow()
    result = await session.execute(
        update(PushReceipt)
        .where(
            PushReceipt.id == receipt_id,
            PushReceipt.result.is_(None),
            or_(PushReceipt.claimed_until.is_(None), PushReceipt.claimed_until < now),
        )
        .values(claimed_until=now + ttl, created_at=now, sync_run_id=None)
    )
    return result.rowcount == 1


async def extend(session: AsyncSession, receipt_id: int, ttl: timedelta = CLAIM_TTL) -> None:
    await session.execute(
        update(PushReceipt)
        .where(PushReceipt.id == receipt_id, PushReceipt.result.is_(None))
        .values(claimed_until=utcnow() + ttl)
    )


async def attach_run(session: AsyncSession, receipt_id: int, run_id: int) -> None:
    """Note the sync run of a push in progress, so that whoever takes over its expired claim
    can close the run the dead push left running."""
    await session.execute(
        update(PushReceipt).where(PushReceipt.id == receipt_id).values(sync_run_id=run_id)
    )


async def complete(
    session: AsyncSession, receipt_id: int, request_hash: str, outcome: PushOutcome
) -> None:
    await session.execute(
        update(PushReceipt)
        .where(PushReceipt.id == receipt_id)
        .values(
            request_hash=request_hash,
            sync_run_id=outcome.sync_run_id,
            result=outcome.counts,
            claimed_until=None,
        )
    )


async def release(session: AsyncSession, receipt_id: int) -> None:
    """Free the key of a push that failed, so the client may retry it under the same key."""
    await session.execute(delete(PushReceipt).where(PushReceipt.id == receipt_id))
