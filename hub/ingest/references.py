"""Resolving a batch's references: the rows each record points at, or why it must wait.

One query per referenced type and batch (not per record). A record whose reference the platform
has not sent yet is rejected as *waiting* for it and retried when it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import insert_new
from hub.ingest.batching import chunks
from hub.ingest.identity import resolve_persons
from hub.ingest.quarantine import Rejection
from hub.ingest.rows import SPECS, RecordSpec, Resolved
from hub.security.pii import PiiVault
from schema.enums import OrganisationKind
from schema.records import CanonicalRecord, ClassRecord, TraineeRecord
from schema.tables import Organisation, Region
from schema.types import utcnow


class References:
    """Looks up what records of one platform refer to; remembers the known regions."""

    def __init__(self, session: AsyncSession, platform_id: int, vault: PiiVault) -> None:
        self.session = session
        self.platform_id = platform_id
        self.vault = vault
        self._region_codes: set[str] | None = None

    async def resolve(
        self, spec: RecordSpec, records: Sequence[CanonicalRecord], rejections: list[Rejection]
    ) -> dict[str, Resolved]:
        """Resolve every reference of every record; records that cannot be resolved are rejected."""
        resolved = {r.source_id: Resolved() for r in records}
        if "region_code" in type(records[0]).model_fields:  # one type per call
            region_codes = await self._known_regions()
            for record in records:
                code = getattr(record, "region_code", None)
                if code is not None and code not in region_codes:
                    reject(record, f"region_code {code} is not a known division", rejections)
                    resolved.pop(record.source_id)
        for field, ref_type in spec.references.items():
            wanted = {getattr(r, field) for r in records if getattr(r, field) is not None}
            lookup = await self._lookup(ref_type, wanted)
            for record in records:
                target = getattr(record, field)
                entry = resolved.get(record.source_id)
                if entry is None or (target is None and field in spec.optional_references):
                    continue
                if target not in lookup:
                    reason = f"{field} '{target}' refers to a {ref_type} the platform has not sent"
                    reject(record, reason, rejections, waiting=(ref_type, target))
                    resolved.pop(record.source_id)
                    continue
                entry.refs[field], person_id = lookup[target]
                if ref_type == "trainee":
                    entry.person_id = person_id
        if spec.table.__tablename__ == "trainee":
            trainees = [r for r in records if isinstance(r, TraineeRecord)]
            persons = await resolve_persons(self.session, trainees, self.vault)
            for record in trainees:
                if record.source_id in resolved:
                    resolved[record.source_id].person_id = persons[
                        self.vault.lookup_hash(record.id_number)
                    ]
        if spec.table.__tablename__ == "training_class":
            classes = [r for r in records if isinstance(r, ClassRecord)]
            organisers = await self._organisers(classes)
            for record in classes:
                if record.source_id in resolved:
                    resolved[record.source_id].organiser_id = organisers[
                        record.organiser_credit_code
                    ]
        return resolved

    async def _lookup(self, record_type: str, source_ids: set[str]) -> dict[str, tuple[int, Any]]:
        """source_id -> (row id, person id or None) for records of this platform."""
        table = SPECS[record_type].table
        person = table.person_id if record_type == "trainee" else table.id  # type: ignore[attr-defined]
        found: dict[str, tuple[int, Any]] = {}
        for part in chunks(sorted(source_ids)):
            rows = await self.session.execute(
                select(table.source_id, table.id, person).where(  # type: ignore[attr-defined]
                    table.platform_id == self.platform_id,  # type: ignore[attr-defined]
                    table.source_id.in_(part),  # type: ignore[attr-defined]
                )
            )
            found.update({sid: (rid, pid) for sid, rid, pid in rows.all()})
        return found

    async def _known_regions(self) -> set[str]:
        if self._region_codes is None:
            self._region_codes = set((await self.session.execute(select(Region.code))).scalars())
        return self._region_codes

    async def _organisers(self, classes: list[ClassRecord]) -> dict[str, int]:
        """Organisation ids by credit code; organisers first seen here are recorded unregistered."""
        wanted = {c.organiser_credit_code: c.region_code for c in classes}
        query = select(Organisation.credit_code, Organisation.id)
        found = dict(
            (await self.session.execute(query.where(Organisation.credit_code.in_(wanted)))).all()
        )
        missing = [
            {
                "credit_code": code,
                "name": code,
                "kind": OrganisationKind.TRAINING_INSTITUTION,
                "region_code": wanted[code],
                "registered": False,
                "created_at": utcnow(),
            }
            for code in wanted
            if code not in found
        ]
        if missing:
            await self.session.execute(insert_new(self.session, Organisation), missing)
            found = dict(
                (
                    await self.session.execute(query.where(Organisation.credit_code.in_(wanted)))
                ).all()
            )
        return found


def reject(
    record: CanonicalRecord,
    reason: str,
    rejections: list[Rejection],
    waiting: tuple[str, str] | None = None,
) -> None:
    """Note a valid record that cannot be stored (yet), with its payload for quarantine."""
    rejections.append(
        Rejection(
            record.model_dump(mode="json", exclude_none=True),
            reason,
            record.type,
            record.source_id,
            waiting[0] if waiting else None,
            waiting[1] if waiting else None,
        )
    )
