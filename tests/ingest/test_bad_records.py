"""`hub import`: one bad line is quarantined with its reason, the rest of its batch is stored."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest.files import import_file
from hub.security.pii import PiiVault
from schema.tables import LearningSession, QuarantinedRecord, RecordVersion, Trainee
from tests.ingest.bad_records import bad_records, deep_lines, good_and_bad, ndjson
from tests.records import trainee


async def _count(engine: AsyncEngine, table: type, *where: object) -> int:
    async with transaction(engine) as db:
        query = select(func.count()).select_from(table).where(*where)
        return (await db.execute(query)).scalar_one()


async def test_import_quarantines_each_bad_line_and_keeps_the_rest(
    engine: AsyncEngine, vault: PiiVault, tmp_path: Path
) -> None:
    path = tmp_path / "ledger.ndjson"
    path.write_bytes(ndjson(good_and_bad(), deep_lines()))
    stats = await import_file(engine, vault, path, "acme")
    bad = len(bad_records()) + len(deep_lines())
    assert stats.total.quarantined == bad, stats
    assert stats.total.inserted == 9, stats
    assert await _count(engine, Trainee) == 2
    assert await _count(engine, LearningSession) == 3
    async with transaction(engine) as db:
        reasons = (await db.execute(select(QuarantinedRecord.reason))).scalars().all()
    assert len(reasons) == bad and all(reasons)
    assert any("nested" in r for r in reasons), reasons


async def test_import_keeps_both_versions_of_a_key_sent_twice(
    engine: AsyncEngine, vault: PiiVault, tmp_path: Path
) -> None:
    path = tmp_path / "twice.ndjson"
    path.write_bytes(ndjson([trainee("D1", name="甲"), trainee("D1", name="乙")]))
    stats = await import_file(engine, vault, path, "acme")
    assert stats.of("trainee").received == 2
    assert (stats.of("trainee").inserted, stats.of("trainee").updated) == (1, 1)
    async with transaction(engine) as db:
        versions = (
            await db.execute(
                select(RecordVersion.version, RecordVersion.payload)
                .where(RecordVersion.source_id == "D1")
                .order_by(RecordVersion.version)
            )
        ).all()
        name = (await db.execute(select(Trainee.name))).scalar_one()
    assert [(v, p["name"]) for v, p in versions] == [(1, "甲"), (2, "乙")]
    assert name == "乙"
