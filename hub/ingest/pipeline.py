"""The one ingest path: every connector, push and file import goes through `Ingestor`.

The steps, each over a whole batch:

1. validate each record (`schema.records`); invalid ones go to quarantine with the reason; build
   each valid record's canonical payload and content hash once (`prepare`: no database);
2. per record type, in dependency order: resolve references (`references`), build rows (`rows`),
   merge them into the table in one statement (`merge`: staging table + INSERT … ON CONFLICT …
   WHERE content_hash IS DISTINCT FROM … RETURNING), and write a version for each row the
   merge inserted or changed (`versions`);
3. records waiting in quarantine for what arrived are retried;
4. the statistics roll-up is brought up to date from the merges' RETURNING sets (`rollup`) and
   the new versions are chained into the ledger.

A batch holding the same (type, source_id) more than once stores each occurrence as a version
of its own, in order (successive merge rounds: one statement cannot update a row twice).
The caller owns the transaction, so a sync can commit a batch together with its cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.collector import fewer_collections
from hub.ingest.merge import merge
from hub.ingest.prepare import Prepared, Ready, prepare
from hub.ingest.quarantine import (
    Rejection,
    has_open_entries,
    quarantine,
    resolve_superseded,
    take_waiting,
)
from hub.ingest.references import References
from hub.ingest.relink import Relink, recheck_persons, relink_trainees
from hub.ingest.rollup import RollupChanges
from hub.ingest.rows import SPECS, Canonical, RecordSpec
from hub.ingest.stats import IngestStats
from hub.ingest.versions import write_versions
from hub.security.pii import PiiVault
from hub.supervision.ledger import append_record_versions
from schema.records import storable_text
from schema.tables import RecordVersion
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
        self._references = References(session, platform_id, vault)
        self._unchained: list[tuple[int, dict[str, Any]]] = []
        self._rollup = RollupChanges()
        self._relinked: list[Relink] = []
        self._open_entries = True  # whether quarantine may hold open entries of the platform

    async def ingest(self, raws: Iterable[Any]) -> IngestStats:
        """Validate and store raw canonical records; returns what happened to them."""
        return await self.store(prepare(raws, self.vault))

    async def store(self, prepared: Prepared) -> IngestStats:
        """Store a batch `prepare` made of raw records; returns what happened to them."""
        with fewer_collections():
            return await self._store(prepared)

    async def _store(self, prepared: Prepared) -> IngestStats:
        stats = IngestStats()
        # Asked once per call: the common batch has nothing waiting and quarantines nothing.
        self._open_entries = await has_open_entries(self.session, self.platform_id)
        arrived = await self._store_once(prepared, stats)
        # Records that waited in quarantine for what just arrived get another chance, which
        # may in turn release records waiting for them. They are prepared here, not ahead:
        # which records wait is known only once the batch is stored.
        while arrived and self._open_entries:
            waiting = await take_waiting(self.session, self.platform_id, arrived, self.vault)
            if not waiting:
                break
            retried = prepare(waiting, self.vault, count_received=False)
            arrived = await self._store_once(retried, stats)
        await self._rollup.apply(self.session)  # statistics stay exact in the same transaction
        if self._relinked:  # corrected ID numbers: the rules judge both persons again
            moved, self._relinked = self._relinked, []
            await recheck_persons(self.session, [p for m in moved for p in m.persons])
        # The batch's versions join the hash chain last, so the chain head is locked briefly.
        await append_record_versions(self.session, self._unchained)
        self._unchained = []
        return stats

    async def _store_once(self, prepared: Prepared, stats: IngestStats) -> list[Key]:
        for record_type, count in prepared.received.items():
            stats.of(record_type).received += count
        rejections = list(prepared.rejections)  # references add theirs; the batch stays as made
        accepted: list[Key] = []
        for parsed in prepared.rounds:
            for record_type, ready in parsed:  # dependency order
                accepted += await self._upsert(SPECS[record_type], ready, stats, rejections)
        if accepted and self._open_entries:
            await resolve_superseded(self.session, self.platform_id, accepted)
        accepted_set = set(accepted)
        rejections = [r for r in rejections if (r.record_type, r.source_id) not in accepted_set]
        for rejection in rejections:
            stats.of(storable_text(str(rejection.record_type or "unknown"), 16)).quarantined += 1
        await quarantine(self.session, self.platform_id, rejections, self.vault, self.run_id)
        if rejections:
            self._open_entries = True
        return accepted

    async def _upsert(
        self,
        spec: RecordSpec,
        ready: Sequence[Ready],
        stats: IngestStats,
        rejections: list[Rejection],
    ) -> list[Key]:
        """Resolve, merge and version records of one type, each (type, source_id) at most once."""
        record_type = ready[0].record.type
        resolved = await self._references.resolve(spec, [r.record for r in ready], rejections)
        ready = [r for r in ready if r.record.source_id in resolved]
        if not ready:
            return []
        if spec.table.__tablename__ == "trainee":
            # A corrected ID number: what hangs off the trainee follows it to the new person.
            new_persons = {sid: r.person_id for sid, r in resolved.items() if r.person_id}
            self._relinked += await relink_trainees(self.session, self.platform_id, new_persons)
        now = utcnow()
        rows: list[dict[str, Any]] = []
        texts: dict[str, Canonical] = {}
        for record, text in ready:
            texts[record.source_id] = text
            row = spec.build(record, resolved[record.source_id], self.vault)
            row.update(source_id=record.source_id, content_hash=text.content_hash)
            rows.append(row)
        table = spec.table.__table__  # type: ignore[attr-defined]
        shared = {"platform_id": self.platform_id, "first_seen_at": now, "updated_at": now}
        versions = RecordVersion.__table__  # type: ignore[attr-defined]
        merged = await merge(self.session, table, rows, shared, versions)
        inserted = sum(1 for m in merged if m.inserted)
        stream = stats.of(record_type)
        stream.inserted += inserted
        stream.updated += len(merged) - inserted
        stream.unchanged += len(rows) - len(merged)
        self._rollup.merged(spec.table.__tablename__, merged)
        self._unchained += await write_versions(
            self.session, self.platform_id, record_type, self.run_id, merged, texts, now
        )
        return [(record_type, r.record.source_id) for r in ready]
