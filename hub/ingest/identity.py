"""Identity resolution: the same resident ID on any platform is one person."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import insert_new
from hub.ingest.batching import chunks
from hub.security.pii import PiiVault
from schema.ids import mask_id_number, parse_resident_id
from schema.records import TraineeRecord
from schema.tables import Person


async def resolve_persons(
    session: AsyncSession, records: Sequence[TraineeRecord], vault: PiiVault
) -> dict[str, int]:
    """Map each record's ID-number hash to a person id, creating the persons not yet known."""
    wanted: dict[str, TraineeRecord] = {}
    for record in records:
        wanted.setdefault(vault.lookup_hash(record.id_number), record)
    found: dict[str, int] = {}
    for part in chunks(list(wanted)):
        rows = await session.execute(
            select(Person.id_hash, Person.id).where(Person.id_hash.in_(part))
        )
        found.update(dict(rows.all()))
    missing = [h for h in wanted if h not in found]
    if missing:
        values = []
        for id_hash in missing:
            record = wanted[id_hash]
            decoded = parse_resident_id(record.id_number)
            values.append(
                {
                    "id_hash": id_hash,
                    "id_cipher": vault.encrypt(decoded.number),
                    "id_masked": mask_id_number(decoded.number),
                    "name": record.name,
                    "birth_date": decoded.birth_date,
                    "is_male": decoded.is_male,
                    "area_code": decoded.area_code,
                }
            )
        await session.execute(insert_new(session, Person), values)
        for part in chunks(missing):
            rows = await session.execute(
                select(Person.id_hash, Person.id).where(Person.id_hash.in_(part))
            )
            found.update(dict(rows.all()))
    return found
