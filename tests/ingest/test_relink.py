"""A corrected ID number moves everything that hangs off the trainee to the right person."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.supervision.rules import check
from schema.tables import (
    Alert,
    Certificate,
    LearningSession,
    Person,
    RecordVersion,
    StatTraineeCell,
    Trainee,
)
from tests.records import resident_id, small_ledger, trainee

CORRECTED = resident_id(serial="777")


def certificate(source_id: str, trainee_id: str) -> dict:
    return {
        "type": "certificate",
        "source_id": source_id,
        "trainee_source_id": trainee_id,
        "class_source_id": "K1",
        "kind": "skill_level",
        "number": f"N-{source_id}",
        "issued_on": "2020-04-20",
    }


async def ingest(engine: AsyncEngine, vault: PiiVault, records: list) -> None:
    async with transaction(engine) as db:
        platform = await ensure_platform(db, "p1")
        await Ingestor(db, platform.id, vault).ingest(records)


async def persons_of(engine: AsyncEngine, vault: PiiVault) -> dict[str, set[int]]:
    """Person ids per table for trainee T1's rows."""
    async with transaction(engine) as db:
        tid = (await db.execute(select(Trainee.id).where(Trainee.source_id == "T1"))).scalar_one()
        out = {}
        for name, table in (
            ("trainee", Trainee),
            ("session", LearningSession),
            ("certificate", Certificate),
            ("stat", StatTraineeCell),
        ):
            column = table.id if table is Trainee else table.trainee_id  # type: ignore[attr-defined]
            rows = await db.execute(select(table.person_id).where(column == tid))  # type: ignore[attr-defined]
            out[name] = set(rows.scalars())
        return out


async def test_a_corrected_id_number_relinks_sessions_certificates_and_rollups(
    engine: AsyncEngine, vault: PiiVault
) -> None:
    await ingest(engine, vault, [*small_ledger(), certificate("Z1", "T1")])
    await check(engine)
    async with transaction(engine) as db:
        assert (await db.execute(select(Alert.rule).where(Alert.status == "open"))).all() == []
    before = await persons_of(engine, vault)
    assert len({p for ps in before.values() for p in ps}) == 1

    await ingest(engine, vault, [trainee("T1", id_number=CORRECTED)])  # the platform's fix

    async with transaction(engine) as db:
        new = (
            await db.execute(
                select(Person.id).where(Person.id_hash == vault.lookup_hash(CORRECTED))
            )
        ).scalar_one()
        history = (
            await db.execute(
                select(RecordVersion.version, RecordVersion.changed_fields)
                .where(RecordVersion.source_id == "T1")
                .order_by(RecordVersion.version)
            )
        ).all()
    after = await persons_of(engine, vault)
    assert after == {name: {new} for name in before}, "rows left on the old person"
    assert history[-1] == (2, ["id_number"])  # the history shows the change
    # The rules, re-run for both persons in the ingest transaction, found nothing wrong.
    async with transaction(engine) as db:
        open_rules = (await db.execute(select(Alert.rule).where(Alert.status == "open"))).all()
    assert [r for (r,) in open_rules if r != "RETROACTIVE_CHANGE"] == []
    await check(engine)  # and a full check agrees
    async with transaction(engine) as db:
        open_rules = (await db.execute(select(Alert.rule).where(Alert.status == "open"))).all()
    assert [r for (r,) in open_rules if r != "RETROACTIVE_CHANGE"] == []
