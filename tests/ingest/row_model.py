"""The ingest semantics one record at a time, in memory: the reference the set-based merge must match.

Each pass takes the valid records in order of occurrence (the n-th repeat of a key after every
first occurrence), by record type in dependency order, and for each one: a reference the platform
has not sent makes it wait in quarantine; a new key is inserted as version 1; a different payload
is an update and a new version; the same payload changes nothing. Invalid records are quarantined
unless the same key is accepted in the pass. After a pass, records waiting for an accepted key are
taken out of quarantine and passed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from hub.ingest.rows import SPECS, history_payload
from hub.ingest.stats import IngestStats
from hub.security.pii import PiiVault
from schema.enums import RECORD_ORDER
from schema.records import parse_record

Key = tuple[str, str]


@dataclass
class Waiting:
    """An open quarantine entry."""

    key: Key | None
    waiting_for: Key | None
    raw: Any


@dataclass
class RowModel:
    """What one platform's records look like after each ingest, computed row by row."""

    vault: PiiVault
    versions: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    open: list[Waiting] = field(default_factory=list)

    def ingest(self, raws: list[Any]) -> IngestStats:
        stats = IngestStats()
        arrived = self._pass(raws, stats, retry=False)
        while arrived and self.open:
            taken = [w for w in self.open if w.waiting_for in arrived]
            if not taken:
                break
            self.open = [w for w in self.open if w not in taken]
            arrived = self._pass([w.raw for w in taken], stats, retry=True)
        return stats

    def _pass(self, raws: list[Any], stats: IngestStats, retry: bool) -> set[Key]:
        rejected: list[Waiting] = []
        rounds: list[list[Any]] = []
        seen: dict[Key, int] = {}
        for raw in raws:
            kind = raw.get("type") if isinstance(raw, dict) else None
            if not retry:
                stats.of(str(kind or "unknown")).received += 1
            key = _key(raw)
            try:
                record = parse_record(raw)
            except (ValidationError, AttributeError, TypeError):
                rejected.append(Waiting(key, None, raw))
                continue
            k = (record.type, record.source_id)
            seen[k] = seen.get(k, -1) + 1
            if seen[k] == len(rounds):
                rounds.append([])
            rounds[seen[k]].append(record)
        accepted: set[Key] = set()
        for records in rounds:
            for record_type in RECORD_ORDER:
                for record in (r for r in records if r.type == record_type.value):
                    if self._store(record, stats, rejected):
                        accepted.add((record.type, record.source_id))
        rejected = [w for w in rejected if w.key not in accepted]
        # A newer version of a record, accepted or not, closes its older open entries.
        closed = accepted | {w.key for w in rejected if w.key and None not in w.key}
        self.open = [w for w in self.open if w.key not in closed]
        for waiting in rejected:
            stats.of(waiting.key[0] or "unknown" if waiting.key else "unknown").quarantined += 1
            self.open.append(waiting)
        return accepted

    def _store(self, record: Any, stats: IngestStats, rejected: list[Waiting]) -> bool:
        spec = SPECS[record.type]
        for name, ref_type in spec.references.items():
            target = getattr(record, name)
            if target is None and name in spec.optional_references:
                continue
            if (ref_type, target) not in self.versions:
                raw = record.model_dump(mode="json", exclude_none=True)
                rejected.append(Waiting((record.type, record.source_id), (ref_type, target), raw))
                return False
        key = (record.type, record.source_id)
        payload = history_payload(record, self.vault)
        history = self.versions.setdefault(key, [])
        stream = stats.of(record.type)
        if not history:
            stream.inserted += 1
        elif history[-1] != payload:
            stream.updated += 1
        else:
            stream.unchanged += 1
            return True
        history.append(payload)
        return True


def _key(raw: Any) -> Key | None:
    """(type, source_id) as the quarantine records them: None parts when absent."""
    if not isinstance(raw, dict):
        return None
    kind, source_id = raw.get("type"), raw.get("source_id")
    return (str(kind) if kind else None, str(source_id) if source_id else None)  # type: ignore[return-value]
