"""The ingest path on both engines: upsert by natural key, history, quarantine, persons."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest import Ingestor, IngestStats
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from schema.tables import (
    LearningSession,
    Person,
    QuarantinedRecord,
    RecordVersion,
    Trainee,
)
from tests.records import enrolment, resident_id, session, small_ledger, trainee


async def ingest(
    engine: AsyncEngine, vault: PiiVault, records: list, platform: str = "p1"
) -> IngestStats:
    async with transaction(engine) as db:
        platform_row = await ensure_platform(db, platform)
        return await Ingestor(db, platform_row.id, vault).ingest(records)


async def count(engine: AsyncEngine, table: type, *where: object) -> int:
    async with transaction(engine) as db:
        return (
            await db.execute(select(func.count()).select_from(table).where(*where))
        ).scalar_one()


async def test_ingest_inserts_then_is_idempotent(engine: AsyncEngine, vault: PiiVault) -> None:
    first = await ingest(engine, vault, small_ledger())
    assert first.total.inserted == 9 and first.total.quarantined == 0
    again = await ingest(engine, vault, small_ledger())
    assert again.total.inserted == 0 and again.total.updated == 0 and again.total.unchanged == 9
    assert await count(engine, LearningSession) == 3
    assert await count(engine, RecordVersion) == 9


async def test_changed_record_is_updated_and_versioned(
    engine: AsyncEngine, vault: PiiVault
) -> None:
    await ingest(engine, vault, small_ledger())
    moved = session("S1", "T1", "2020-03-03T18:00:00+08:00", "2020-03-03T20:00:00+08:00")
    stats = await ingest(engine, vault, [moved])
    assert stats.of("session").updated == 1
    async with transaction(engine) as db:
        row = (
            await db.execute(select(LearningSession).where(LearningSession.source_id == "S1"))
        ).scalar_one()
        assert row.duration_seconds == 7200
        versions = (
            (
                await db.execute(
                    select(RecordVersion)
                    .where(RecordVersion.source_id == "S1")
                    .order_by(RecordVersion.version)
                )
            )
            .scalars()
            .all()
        )
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].changed_fields == ["started_at"]


async def test_reported_duration_kept_beside_computed(engine: AsyncEngine, vault: PiiVault) -> None:
    await ingest(engine, vault, small_ledger())
    async with transaction(engine) as db:
        row = (
            await db.execute(select(LearningSession).where(LearningSession.source_id == "S2"))
        ).scalar_one()
    assert (row.duration_seconds, row.reported_seconds) == (5400, 5600)


async def test_invalid_records_are_quarantined_with_reason(
    engine: AsyncEngine, vault: PiiVault
) -> None:
    bad_id = trainee("T9", id_number="150302199001011230")  # wrong check digit
    stats = await ingest(
        engine, vault, [*small_ledger(), bad_id, {"type": "spaceship", "source_id": "X"}]
    )
    assert stats.total.quarantined == 2
    async with transaction(engine) as db:
        rows = (
            (await db.execute(select(QuarantinedRecord).order_by(QuarantinedRecord.id)))
            .scalars()
            .all()
        )
    assert "check digit" in rows[0].reason
    assert json.loads(vault.decrypt(rows[0].raw_cipher))["id_number"] == "150302199001011230"
    assert "150302199001011230" not in rows[0].raw_cipher  # encrypted at rest
    assert rows[1].record_type == "spaceship"


async def test_missing_reference_waits_and_is_retried(engine: AsyncEngine, vault: PiiVault) -> None:
    await ingest(engine, vault, small_ledger())
    early = [
        enrolment("E3", "T3"),
        session("S9", "T3", "2020-03-05T19:00:00+08:00", "2020-03-05T20:00:00+08:00"),
    ]
    stats = await ingest(engine, vault, early)
    assert stats.total.quarantined == 2
    stats = await ingest(engine, vault, [trainee("T3", id_number=resident_id(serial="333"))])
    assert stats.of("trainee").inserted == 1
    assert stats.of("session").inserted == 1 and stats.of("enrolment").inserted == 1
    assert await count(engine, QuarantinedRecord, QuarantinedRecord.resolved_at.is_(None)) == 0


async def test_same_id_number_on_two_platforms_is_one_person(
    engine: AsyncEngine, vault: PiiVault
) -> None:
    await ingest(engine, vault, [trainee("T1")], platform="p1")
    await ingest(
        engine, vault, [trainee("A-77", id_number=resident_id(serial="001"))], platform="p2"
    )
    assert await count(engine, Trainee) == 2
    assert await count(engine, Person) == 1


async def test_id_numbers_are_not_stored_in_plain_text(
    engine: AsyncEngine, vault: PiiVault
) -> None:
    await ingest(engine, vault, small_ledger())
    number = resident_id(serial="001")
    async with transaction(engine) as db:
        row = (await db.execute(select(Trainee).where(Trainee.source_id == "T1"))).scalar_one()
        history = (
            await db.execute(select(RecordVersion.payload).where(RecordVersion.source_id == "T1"))
        ).scalar_one()
    assert number not in (row.id_cipher, row.id_hash) and vault.decrypt(row.id_cipher) == number
    assert row.id_masked == number[:6] + "********" + number[-4:]
    assert history["id_number"].startswith("hmac:") and number not in json.dumps(history)


async def test_ingest_after_a_rolled_back_batch(engine: AsyncEngine, vault: PiiVault) -> None:
    """A batch rolled back after its merge (staging table included) does not spoil the next."""
    async with transaction(engine) as db:
        platform_id = (await ensure_platform(db, "p1")).id

    class Abort(Exception):
        pass

    try:
        async with transaction(engine) as db:
            await Ingestor(db, platform_id, vault).ingest(small_ledger())
            raise Abort
    except Abort:
        pass
    stats = await ingest(engine, vault, small_ledger())
    assert stats.total.inserted == 9 and stats.total.quarantined == 0
    assert await count(engine, LearningSession) == 3
