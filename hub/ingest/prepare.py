"""The half of ingest that needs no database: validation, grouping and canonical hashing.

`prepare` turns a batch of raw records into what `Ingestor.store` writes: the valid records
grouped into merge rounds and by type, each with its history payload, canonical text and content
hash, and the rejections validation alone decides. It reads nothing but its arguments and the
vault's key; everything that depends on what the database holds (references, waiting records,
what changed) stays in the storing step. So the next batch can be prepared while the current one
is stored (`prepare_in_turns`, hub/ingest/ahead.py): in the same event loop, taking turns with
the store, whose statements keep the database's core busy meanwhile. (A worker thread measured
slower, not faster: the GIL.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import ValidationError

from hub.ingest.collector import fewer_collections
from hub.ingest.quarantine import Rejection, describe_validation_error
from hub.ingest.rows import Canonical, canonical
from hub.security.pii import PiiVault
from schema.enums import RECORD_ORDER
from schema.records import CanonicalRecord, InvalidRecord, parse_record, storable_text
from schema.types import utcnow

# Records prepared between two turns of the event loop: about a millisecond of work.
TURN = 50


class Ready(NamedTuple):
    """A valid record and its canonical form (a tuple: one is made per record)."""

    record: CanonicalRecord
    canonical: Canonical


@dataclass
class Prepared:
    """A batch validated and hashed, ready for `Ingestor.store`.

    `rounds[n]` holds the (n+1)-th occurrence of each (type, source_id) in the batch, as
    (record type, records) pairs in dependency order: one merge statement cannot update a row
    twice, so repeated records are stored in successive rounds, in the order they came.
    """

    rounds: list[list[tuple[str, list[Ready]]]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    received: Counter[str] = field(default_factory=Counter)  # per (storable) record type


def prepare(raws: Iterable[Any], vault: PiiVault, count_received: bool = True) -> Prepared:
    """Validate, group and hash a batch of raw records; touches no database.

    `count_received`: whether the records count as received (not for quarantine retries,
    which were counted when they first arrived).
    """
    with fewer_collections():
        batch = _Preparing(vault, count_received)
        for raw in raws:
            batch.add(raw)
        return batch.prepared()


async def prepare_in_turns(raws: Iterable[Any], vault: PiiVault, turn: int = TURN) -> Prepared:
    """`prepare`, giving the event loop a turn every `turn` records.

    For a batch prepared while the previous one is stored (hub/ingest/ahead.py): the store's
    statements run in the database meanwhile, and each answer is taken up within a turn.
    """
    with fewer_collections():
        batch = _Preparing(vault, count_received=True)
        for number, raw in enumerate(raws, 1):
            batch.add(raw)
            if number % turn == 0:
                await asyncio.sleep(0)
        return batch.prepared()


class _Preparing:
    """One batch being prepared, a record at a time."""

    def __init__(self, vault: PiiVault, count_received: bool) -> None:
        self.vault = vault
        self.count_received = count_received
        self.rejections: list[Rejection] = []
        # occurrences[n]: the (n+1)-th occurrence of each (type, source_id), in arrival order
        self.occurrences: list[dict[tuple[str, str], Ready]] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.received_at = utcnow()  # one moment for the batch: what "future-dated" is judged by
        self.received: Counter[str] = Counter()

    def add(self, raw: Any) -> None:
        """Validate one raw record; a valid one is hashed and placed in its round."""
        if self.count_received:
            kind = raw.get("type") if isinstance(raw, dict) else None
            self.received[str(kind or "unknown")] += 1
        record = _parse(raw, self.rejections, self.received_at)
        if record is None:
            return
        key = (record.type, record.source_id)
        occurrence = self.seen[key] = self.seen.get(key, -1) + 1
        if occurrence == len(self.occurrences):
            self.occurrences.append({})
        self.occurrences[occurrence][key] = Ready(record, canonical(record, self.vault))

    def prepared(self) -> Prepared:
        """The batch grouped into rounds, by type in dependency order."""
        prepared = Prepared(rejections=self.rejections)
        for record_type, count in self.received.items():  # counted per type, named once per type
            prepared.received[storable_text(record_type, 16)] += count
        for parsed in self.occurrences:
            by_type: dict[str, list[Ready]] = {}
            for (record_type, _), ready in parsed.items():
                by_type.setdefault(record_type, []).append(ready)
            prepared.rounds.append(
                [(t.value, by_type[t.value]) for t in RECORD_ORDER if t.value in by_type]
            )
        return prepared


def _key(raw: dict[str, Any]) -> dict[str, str | None]:
    """The type and source id a rejected raw record names, for its quarantine entry."""
    record_type, source_id = raw.get("type"), raw.get("source_id")
    return {
        "record_type": str(record_type) if record_type else None,
        "source_id": str(source_id) if source_id else None,
    }


def _parse(raw: Any, rejections: list[Rejection], received_at: datetime) -> CanonicalRecord | None:
    if not isinstance(raw, dict):
        rejections.append(Rejection(raw, "a record must be a JSON object"))
        return None
    if "_raw" in raw:  # the connector could not map the platform's object at all
        reason = str(raw.get("_error") or "the platform's record could not be mapped")
        rejections.append(Rejection(raw["_raw"], reason, **_key(raw)))
        return None
    try:
        return parse_record(raw, received_at)
    except InvalidRecord as error:
        rejections.append(Rejection(raw, str(error), **_key(raw)))
        return None
    except ValidationError as error:
        rejections.append(Rejection(raw, describe_validation_error(error), **_key(raw)))
        return None
