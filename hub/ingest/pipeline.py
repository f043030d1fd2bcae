"""The one ingest path: every connector, push and file import goes through `Ingestor.ingest`.

Records are validated, de-duplicated by (type, source_id), resolved against what the platform
sent before, upserted in bulk and versioned. The caller owns the transaction, so a sync can commit
a batch together with its cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import insert_new
from hub.ingest.batching import chunks
from hub.ingest.bulk import insert_rows
from hub.ingest.identity import resolve_persons
from hub.ingest.quarantine import (
    Rejection,
    describe_validation_error,
    has_open_entries,
    quarantine,
    resolve_superseded,
    take_waiting,
)
from hub.ingest.relink import Relink, recheck_persons, relink_trainees
from hub.ingest.rollup import RollupChanges
from hub.ingest.rows import SPECS, RecordSpec, Resolved, content_hash, history_payload
from hub.ingest.stats import IngestStats
from hub.security.pii import PiiVault
from hub.supervision.ledger import append_record_versions
from schema.enums import RECORD_ORDER, OrganisationKind
from schema.records import (
    CanonicalRecord,
    ClassRecord,
    InvalidRecord,
    TraineeRecord,
    parse_record,
    storable_text,
)
from schema.tables import Organisation, RecordVersion, Region
from schema.types import utcnow

Key = tuple[str, str]


class Ingestor:
    """Ingests canonical records of one platform inside the caller's transaction."""

    def __init__(
        self,
        session: AsyncSession,
        platform_id: int,
        vault: PiiVault,
        run_id: int | None = None,
    ) -> None:
        self.session = session
        self.platform_id = platform_id
        self.vault = vault
        self.run_id = run_id
        self._region_codes: set[str] | None = None
        self._unchained: list[tuple[int, dict[str, Any]]] = []
        self._rollup = RollupChanges()
        self._relinked: list[Relink] = []

    async def ingest(self, raws: Iterable[Any]) -> IngestStats:
        """Validate and store raw canonical records; returns what happened to them."""
        stats = IngestStats()
        arrived = await self._ingest_once(list(raws), stats, retry=False)
        # Records that waited in quarantine for what just arrived get another chance, which
        # may in turn release records waiting for them.
        while arrived and await has_open_entries(self.session, self.platform_id):
            waiting = await take_waiting(self.session, self.platform_id, arrived, self.vault)
            if not waiting:
                break
            arrived = await self._ingest_once(waiting, stats, retry=True)
        await self._rollup.apply(self.session)  # statistics stay exact in the same transaction
        if self._relinked:  # corrected ID numbers: the rules judge both persons again
            moved, self._relinked = self._relinked, []
            await recheck_persons(self.session, [p for m in moved for p in m.persons])
        # The batch's versions join the hash chain last, so the chain head is locked briefly.
        await append_record_versions(self.session, self._unchained)
        self._unchained = []
        return stats

    async def _ingest_once(self, raws: list[Any], stats: IngestStats, retry: bool) -> list[Key]:
        rejections: list[Rejection] = []
        # A key sent twice in one batch is two versions: the n-th sending of each key goes in
        # round n, so every version is stored and versioned in the order it came.
        rounds: list[dict[Key, CanonicalRecord]] = []
        for raw in raws:
            record_type = raw.get("type") if isinstance(raw, dict) else None
            if not retry:
                stats.of(storable_text(str(record_type or "unknown"), 16)).received += 1
            record = self._parse(raw, rejections)
            if record is not None:
                key = (record.type, record.source_id)
                free = next((r for r in rounds if key not in r), None)
                if free is None:
                    free = {}
                    rounds.append(free)
                free[key] = record
        accepted: list[Key] = []
        for parsed in rounds:
            for record_type in RECORD_ORDER:
                records = [r for (t, _), r in parsed.items() if t == record_type.value]
                if records:
                    spec = SPECS[record_type.value]
                    accepted += await self._upsert(spec, records, stats, rejections)
        if accepted and await has_open_entries(self.session, self.platform_id):
            await resolve_superseded(self.session, self.platform_id, accepted)
        accepted_set = set(accepted)
        rejections = [r for r in rejections if (r.record_type, r.source_id) not in accepted_set]
        for rejection in rejections:
            stats.of(storable_text(str(rejection.record_type or "unknown"), 16)).quarantined += 1
        await quarantine(self.session, self.platform_id, rejections, self.vault, self.run_id)
        return accepted

    def _parse(self, raw: Any, rejections: list[Rejection]) -> CanonicalRecord | None:
        if not isinstance(raw, dict):
            rejections.append(Rejection(raw, "a record must be a JSON object"))
            return None
        record_type, source_id = raw.get("type"), raw.get("source_id")
        key = {
            "record_type": str(record_type) if record_type else None,
            "source_id": str(source_id) if source_id else None,
        }
        if "_raw" in raw:  # the connector could not map the platform's object at all
            reason = str(raw.get("_error") or "the platform's record could not be mapped")
            rejections.append(Rejection(raw["_raw"], reason, **key))
            return None
        try:
            return parse_record(raw)
        except InvalidRecord as error:
            rejections.append(Rejection(raw, str(error), **key))
            return None
        except ValidationError as error:
            rejections.append(Rejection(raw, describe_validation_error(error), **key))
            return None

    async def _upsert(
        self,
        spec: RecordSpec,
        records: Sequence[CanonicalRecord],
        stats: IngestStats,
        rejections: list[Rejection],
    ) -> list[Key]:
        record_type = records[0].type
        resolved = await self._resolve(spec, records, rejections)
        records = [r for r in records if r.source_id in resolved]
        if not records:
            return []
        rows: dict[str, dict[str, Any]] = {}
        payloads: dict[str, dict[str, Any]] = {}
        for record in records:
            payload = history_payload(record, self.vault)
            row = spec.build(record, resolved[record.source_id], self.vault)
            row.update(
                platform_id=self.platform_id,
                source_id=record.source_id,
                content_hash=content_hash(payload),
            )
            rows[record.source_id] = row
            payloads[record.source_id] = payload

        table = spec.table
        existing: dict[str, tuple[int, str]] = {}
        for part in chunks(list(rows)):
            found = await self.session.execute(
                select(table.source_id, table.id, table.content_hash).where(  # type: ignore[attr-defined]
                    table.platform_id == self.platform_id,  # type: ignore[attr-defined]
                    table.source_id.in_(part),  # type: ignore[attr-defined]
                )
            )
            existing.update({sid: (rid, h) for sid, rid, h in found.all()})

        now = utcnow()
        inserts = [row for sid, row in rows.items() if sid not in existing]
        changed = [
            sid
            for sid, row in rows.items()
            if sid in existing and existing[sid][1] != row["content_hash"]
        ]
        stream = stats.of(record_type)
        stream.inserted += len(inserts)
        stream.updated += len(changed)
        stream.unchanged += len(rows) - len(inserts) - len(changed)
        if inserts:
            for row in inserts:
                row["first_seen_at"] = row["updated_at"] = now
            await insert_rows(self.session, table, inserts)
        updates = [{**rows[sid], "id": existing[sid][0], "updated_at": now} for sid in changed]
        if updates:
            await self._rollup.before_update(self.session, table, [u["id"] for u in updates])
            await self.session.execute(update(table), updates)
        self._rollup.written(table.__tablename__, inserts + updates, [u["id"] for u in updates])
        await self._record_versions(record_type, payloads, inserts, changed, now)
        return [(record_type, r.source_id) for r in records]

    async def _record_versions(
        self,
        record_type: str,
        payloads: dict[str, dict[str, Any]],
        inserts: list[dict[str, Any]],
        changed: list[str],
        now: Any,
    ) -> None:
        versions = [
            self._version(record_type, row["source_id"], 1, payloads[row["source_id"]], None, now)
            for row in inserts
        ]
        previous = await self._latest_versions(record_type, changed)
        for sid in changed:
            number, old = previous.get(sid, (0, {}))
            new = payloads[sid]
            fields = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
            versions.append(self._version(record_type, sid, number + 1, new, fields, now))
        if versions:
            # Not COPY: the chain needs each version's id, which RETURNING gives in order.
            # Core, not the ORM's bulk insert: nothing here needs ORM objects.
            table = RecordVersion.__table__  # type: ignore[attr-defined]
            inserted = table.insert().returning(table.c.id, sort_by_parameter_order=True)
            ids = (await self.session.execute(inserted, versions)).scalars().all()
            self._unchained.extend(zip(ids, versions, strict=True))

    def _version(
        self,
        record_type: str,
        source_id: str,
        number: int,
        payload: dict[str, Any],
        changed_fields: list[str] | None,
        now: Any,
    ) -> dict[str, Any]:
        return {
            "platform_id": self.platform_id,
            "record_type": record_type,
            "source_id": source_id,
            "version": number,
            "content_hash": content_hash(payload),
            "payload": payload,
            "changed_fields": changed_fields,
            "sync_run_id": self.run_id,
            "recorded_at": now,
        }

    async def _latest_versions(
        self, record_type: str, source_ids: list[str]
    ) -> dict[str, tuple[int, dict[str, Any]]]:
        latest: dict[str, tuple[int, dict[str, Any]]] = {}
        for part in chunks(source_ids):
            found = await self.session.execute(
                select(RecordVersion.source_id, RecordVersion.version, RecordVersion.payload).where(
                    RecordVersion.platform_id == self.platform_id,
                    RecordVersion.record_type == record_type,
                    RecordVersion.source_id.in_(part),
                )
            )
            for sid, number, payload in found.all():
                if number > latest.get(sid, (0, {}))[0]:
                    latest[sid] = (number, payload)
        return latest

    async def _resolve(
        self, spec: RecordSpec, records: Sequence[CanonicalRecord], rejections: list[Rejection]
    ) -> dict[str, Resolved]:
        """Resolve every reference of every record; records that cannot be resolved are rejected."""
        resolved = {r.source_id: Resolved() for r in records}
        region_codes = await self._known_regions()
        for record in records:
            code = getattr(record, "region_code", None)
            if code is not None and code not in region_codes:
                self._reject(record, f"region_code {code} is not a known division", rejections)
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
                    self._reject(record, reason, rejections, waiting=(ref_type, target))
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
            new_persons = {sid: r.person_id for sid, r in resolved.items() if r.person_id}
            self._relinked += await relink_trainees(self.session, self.platform_id, new_persons)
        if spec.table.__tablename__ == "training_class":
            classes = [r for r in records if isinstance(r, ClassRecord)]
            organisers = await self._organisers(classes)
            for record in classes:
                if record.source_id in resolved:
                    resolved[record.source_id].organiser_id = organisers[
                        record.organiser_credit_code
                    ]
        return resolved

    def _reject(
        self,
        record: CanonicalRecord,
        reason: str,
        rejections: list[Rejection],
        waiting: tuple[str, str] | None = None,
    ) -> None:
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
