"""Pushing records: one batch atomically (GraphQL) or a stream of batches (bulk NDJSON).

Both go through hub.ingest.Ingestor like every other source, and each push is recorded as a
sync run with trigger "push".
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.db import transaction
from hub.ingest import Ingestor, IngestStats
from hub.ingest.runs import finish_run, start_run
from hub.push import receipts
from hub.push.errors import InvalidPush, PushInProgress
from hub.push.ndjson import parse_lines
from hub.push.receipts import PushOutcome
from hub.security.pii import PiiVault
from hub.supervision.rules import check, run_rules
from schema.enums import SyncStatus
from schema.tables import SyncRun
from schema.types import utcnow

MAX_BATCH = 1000  # records per GraphQL push, and per transaction of a bulk push
TRIGGER = "push"


async def push_batch(
    session: AsyncSession,
    vault: PiiVault,
    platform_id: int,
    records: list[Any],
    idempotency_key: str,
) -> PushOutcome:
    """Ingest up to MAX_BATCH records in one transaction, exactly once per idempotency key.

    The key's receipt is inserted before the records, in the same transaction: a concurrent
    request with the same key waits on the receipt's unique index and, when the first commits,
    fails there and answers the first outcome instead of writing anything.
    """
    if len(records) > MAX_BATCH:
        raise InvalidPush(f"at most {MAX_BATCH} records per push, got {len(records)}")
    receipts.check_key(idempotency_key)
    request_hash = receipts.records_hash(records)
    existing = await receipts.find(session, platform_id, idempotency_key)
    if existing is not None:
        return receipts.replay(existing, request_hash)
    try:
        receipt_id = await receipts.claim(session, platform_id, idempotency_key, pending=False)
    except IntegrityError:
        await session.rollback()
        existing = await receipts.find(session, platform_id, idempotency_key)
        if existing is None:
            raise
        return receipts.replay(existing, request_hash)
    try:
        run_id = await start_run(session, platform_id, TRIGGER)
        stats = await Ingestor(session, platform_id, vault, run_id).ingest(records)
        await finish_run(session, run_id, stats)
        outcome = PushOutcome(run_id, stats.as_dict())
        await receipts.complete(session, receipt_id, request_hash, outcome)
        await session.commit()
        # The fraud rules over what this push touched, as after every sync or import: the
        # alerts they raise gate the money (hub/policy/blocking.py).
        await run_rules(session, run_ids=[run_id])
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return outcome


async def push_stream(
    engine: AsyncEngine,
    vault: PiiVault,
    platform_id: int,
    chunks: AsyncIterator[bytes],
    idempotency_key: str | None = None,
    claim_ttl: timedelta = receipts.CLAIM_TTL,
) -> PushOutcome:
    """Ingest newline-delimited records as they arrive, MAX_BATCH per committed transaction.

    Memory stays bounded whatever the body's size. Under an idempotency key the key is claimed
    first and its outcome stored last; the claim is kept alive while the body arrives, so a
    push whose process was killed frees its key once `claim_ttl` has passed, and the push
    taking it over closes the run the dead one left running. A push that fails releases its
    key (what it committed stays, and a retry finds it unchanged by natural key).
    """
    receipts.check_key(idempotency_key)
    digest = hashlib.sha256()
    receipt_id = None
    heartbeat = claim_ttl.total_seconds() / 4
    last_beat = time.monotonic()

    async def hashed() -> AsyncIterator[bytes]:
        nonlocal last_beat
        async for chunk in chunks:
            digest.update(chunk)
            if receipt_id is not None and time.monotonic() - last_beat > heartbeat:
                async with transaction(engine) as session:
                    await receipts.extend(session, receipt_id, claim_ttl)
                last_beat = time.monotonic()
            yield chunk

    if idempotency_key is not None:
        receipt_id, existing = await _claim_or_find(engine, platform_id, idempotency_key, claim_ttl)
        if existing is not None:
            async for _ in hashed():  # the replay must match the first request byte for byte
                pass
            return receipts.replay(existing, digest.hexdigest())
    async with transaction(engine) as session:
        run_id = await start_run(session, platform_id, TRIGGER)
        if receipt_id is not None:
            await receipts.attach_run(session, receipt_id, run_id)
    stats = IngestStats()
    try:
        async for batch in parse_lines(hashed(), MAX_BATCH):
            async with transaction(engine) as session:
                stats.add(await Ingestor(session, platform_id, vault, run_id).ingest(batch))
                if receipt_id is not None:
                    await receipts.extend(session, receipt_id, claim_ttl)
            last_beat = time.monotonic()
    except BaseException as error:
        async with transaction(engine) as session:
            await finish_run(session, run_id, stats, error=f"{type(error).__name__}: {error}")
            if receipt_id is not None:
                await receipts.release(session, receipt_id)
        raise
    outcome = PushOutcome(run_id, stats.as_dict())
    async with transaction(engine) as session:
        await finish_run(session, run_id, stats)
        if receipt_id is not None:
            await receipts.complete(session, receipt_id, digest.hexdigest(), outcome)
    await check(engine, run_ids=[run_id])  # the fraud rules, as after every sync or import
    return outcome


async def _claim_or_find(
    engine: AsyncEngine, platform_id: int, key: str, ttl: timedelta
) -> tuple[int | None, Any]:
    """(our receipt id, None) when we hold the key now, or (None, the finished receipt)."""
    try:
        async with transaction(engine) as session:
            existing = await receipts.find(session, platform_id, key)
            if existing is None:
                return await receipts.claim(session, platform_id, key, True, ttl), None
            if existing.result is not None:
                return None, existing
            abandoned_run = existing.sync_run_id
            if await receipts.take_over_expired(session, existing.id, ttl):  # type: ignore[arg-type]
                if abandoned_run is not None:
                    await _close_abandoned(session, abandoned_run)
                return existing.id, None
    except IntegrityError:
        pass  # claimed by a concurrent request between our look-up and our insert
    raise PushInProgress(f"a push with idempotency key {key!r} is still in progress")


async def _close_abandoned(session: AsyncSession, run_id: int) -> None:
    """The run of a push whose process died mid-upload: failed, not running forever."""
    await session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == SyncStatus.RUNNING)
        .values(
            status=SyncStatus.FAILED,
            finished_at=utcnow(),
            error="abandoned: the upload stopped without finishing (its claim expired)",
        )
    )
