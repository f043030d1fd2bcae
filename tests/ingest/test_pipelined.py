"""The pipelined driver stores exactly what `Ingestor.ingest` batch by batch stores.

Generated sequences of batches (new, changed, unchanged, repeated, invalid records, and records
waiting for a reference a later batch brings, or none does) go once through `Ingestor.ingest`,
a transaction per batch, and once through `pipelined` (the next batch prepared in a worker thread
while the current one is stored), each on a platform of its own. Rows, versions, the ledger
chain's order, quarantine entries, per-batch counts and the roll-up must be equal.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest import Ingestor
from hub.ingest.pipelined import pipelined
from hub.ingest.prepare import Prepared, prepare
from hub.ingest.rows import SPECS
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.stats.query import StatFilterValues, statistics
from hub.supervision.ledger import RECORD_VERSION, verify
from schema.tables import LedgerEntry, QuarantinedRecord, RecordVersion
from tests.ingest.test_merge_semantics import DIMENSIONS, REGION, batches

PLATFORMS = itertools.count(1)
# Differ between two stores of the same records by design: row ids, times, random ciphertexts.
UNCOMPARED = {"id", "platform_id", "first_seen_at", "updated_at"}
REFERENCES = {"trainee_id": "trainee", "class_id": "class", "course_id": "course"}


async def _platform(engine: AsyncEngine, code: str) -> int:
    async with transaction(engine) as db:
        platform = await ensure_platform(db, code)
        assert platform.id is not None
        return platform.id


async def _one_by_one(
    engine: AsyncEngine, vault: PiiVault, platform_id: int, sequence: list[list[Any]]
) -> list[dict]:
    counts = []
    for raws in sequence:
        async with transaction(engine) as db:
            counts.append((await Ingestor(db, platform_id, vault).ingest(raws)).as_dict())
    return counts


async def _pipelined(
    engine: AsyncEngine, vault: PiiVault, platform_id: int, sequence: list[list[Any]]
) -> list[dict]:
    counts = []

    async def store(_: list[Any], prepared: Prepared) -> None:
        async with transaction(engine) as db:
            counts.append((await Ingestor(db, platform_id, vault).store(prepared)).as_dict())

    await pipelined(sequence, lambda raws: prepare(raws, vault), store)
    return counts


async def _stored(engine: AsyncEngine, vault: PiiVault, platform_id: int) -> dict[str, Any]:
    """Everything the platform's ingest stored, with row ids replaced by source ids."""
    async with transaction(engine) as db:
        by_id: dict[str, dict[int, str]] = {}
        rows: dict[str, list[dict]] = {}
        for record_type, spec in SPECS.items():
            table = spec.table.__table__  # type: ignore[attr-defined]
            found = (
                await db.execute(
                    select(table).where(table.c.platform_id == platform_id).order_by(table.c.id)
                )
            ).mappings()
            rows[record_type] = [dict(row) for row in found]
            by_id[record_type] = {row["id"]: row["source_id"] for row in rows[record_type]}
        for found in rows.values():
            for row in found:
                for name in [n for n in row if n in UNCOMPARED or n.endswith("_cipher")]:
                    del row[name]
                for name, record_type in REFERENCES.items():
                    if row.get(name) is not None:
                        row[name] = by_id[record_type][row[name]]
        version = RecordVersion.__table__.c  # type: ignore[attr-defined]
        chained = await db.execute(
            select(
                version.record_type,
                version.source_id,
                version.version,
                version.content_hash,
                version.payload,
                version.changed_fields,
            )
            .join(LedgerEntry, LedgerEntry.ref == cast(version.id, String))
            .where(LedgerEntry.kind == RECORD_VERSION, version.platform_id == platform_id)
            .order_by(LedgerEntry.seq)
        )
        entries = await db.execute(
            select(QuarantinedRecord)
            .where(QuarantinedRecord.platform_id == platform_id)
            .order_by(QuarantinedRecord.id)
        )
        quarantined = [
            (
                e.record_type,
                e.source_id,
                e.waiting_for_type,
                e.waiting_for_id,
                e.reason,
                e.resolved_at is None,
                json.loads(vault.decrypt(e.raw_cipher)),
            )
            for e in entries.scalars()
        ]
        return {"rows": rows, "chain": [tuple(r) for r in chained.all()], "quarantine": quarantined}


async def _rollup(engine: AsyncEngine, code: str) -> list[dict]:
    async with transaction(engine) as db:
        rolled = await statistics(db, DIMENSIONS, REGION, StatFilterValues(platform=code))
        return [vars(r) for r in rolled]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=batches)
async def test_pipelined_stores_what_ingest_stores(
    engine: AsyncEngine, vault: PiiVault, sequence: list[list[Any]]
) -> None:
    run = next(PLATFORMS)
    plain, piped = f"plain-{run}", f"piped-{run}"
    plain_id, piped_id = await _platform(engine, plain), await _platform(engine, piped)

    assert await _pipelined(engine, vault, piped_id, sequence) == await _one_by_one(
        engine, vault, plain_id, sequence
    )
    assert await _stored(engine, vault, piped_id) == await _stored(engine, vault, plain_id)
    assert await _rollup(engine, piped) == await _rollup(engine, plain)
    async with transaction(engine) as db:
        assert (await verify(db)).intact


async def test_a_failed_read_stores_what_was_read_before_it() -> None:
    """Reading ahead must not lose the batch read before a failing read."""
    stored: list[int] = []

    async def batches_then_failure() -> Any:
        yield 1
        yield 2
        raise ConnectionError("the platform went away")

    async def store(batch: int, prepared: int) -> None:
        assert prepared == batch * 10
        stored.append(batch)

    with pytest.raises(ConnectionError):
        await pipelined(batches_then_failure(), lambda batch: batch * 10, store)
    assert stored == [1, 2]
