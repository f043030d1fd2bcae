"""Records withdrawn on their platform: the hub's ledger keeps them, its live tables do not.

A platform may take a record back: a Kolibri learner moved to another classroom no longer has the
old membership, a row is deleted from an enterprise's workbook. The hub must then equal the
platform again, without losing what was reported:

- the record's history gets one more version, its last payload with `"withdrawn": true` (changed
  field `withdrawn`), chained into the tamper-evident ledger like every other version, so an
  auditor sees what was reported, when, and that the platform withdrew it;
- its live row is removed, so every read, the statistics roll-up, the supervision rules and the
  claim computations stop counting it — by construction, not by a filter each of them would have
  to remember;
- an entry of it waiting in quarantine is closed: it waits for nothing any more;
- if the platform sends the record again, it is inserted afresh and its history goes on from the
  withdrawal version (hub/ingest/versions.py numbers it after the last one).

A row something else still refers to (a trainee on a bureau's roster or claim, a class with an
approved opening) is not removed: it is reported as `kept`, because the ledger must not lose the
row a decision was made on; reconciliation keeps showing it as "only in the hub".

Only the sync engine calls this, and only for a stream whose read proved what the platform holds
(hub/sync/engine.py): withdrawing on a partial read would delete records the platform still has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.batching import chunks
from hub.ingest.quarantine import has_open_entries, resolve_superseded
from hub.ingest.rollup import RollupChanges
from hub.ingest.rows import SPECS
from hub.ingest.versions import insert_next_versions, latest_versions
from hub.supervision.ledger import append_record_versions
from hub.supervision.rules import run_rules
from schema.enums import RECORD_ORDER
from schema.tables import Trainee
from schema.types import utcnow

WITHDRAWN = "withdrawn"  # the history field that marks the withdrawal version
# Derived tables, rebuilt from the facts: they never keep a row alive.
_DERIVED = frozenset({"stat_trainee_cell", "stat_area_cell"})


@dataclass
class Withdrawal:
    """What one call withdrew (source ids per record type) and what it had to keep."""

    withdrawn: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Counts and (a few) ids per record type, for the run's stats."""
        out: dict[str, Any] = {}
        for kind, ids in self.withdrawn.items():
            out.setdefault(kind, {})["withdrawn"] = len(ids)
        for kind, ids in self.kept.items():
            out.setdefault(kind, {})["kept_ids"] = ids[:20]
        return out


def _referrers(table: Table) -> list[Any]:
    """(referring table, column) pairs of every foreign key onto `table`, derived ones aside."""
    found = []
    for other in table.metadata.tables.values():
        if other.name in _DERIVED:
            continue
        for fk in other.foreign_keys:
            if fk.column.table is table:
                found.append((other, fk.parent))
    return found


async def withdraw(
    session: AsyncSession,
    platform_id: int,
    gone: Mapping[str, Iterable[str]],
    run_id: int | None,
) -> Withdrawal:
    """Withdraw the platform's records `gone` (record type -> source ids) in the caller's txn.

    Dependants first (sessions before the classes they belong to), so a class or trainee whose
    records were withdrawn with it can go too.
    """
    result = Withdrawal()
    rollup = RollupChanges()
    persons: set[int] = set()
    classes: set[int] = set()
    now = utcnow()
    chained: list[tuple[int, dict[str, Any]]] = []
    waiting = await has_open_entries(session, platform_id)
    for record_type in reversed([t.value for t in RECORD_ORDER]):
        ids = sorted(set(gone.get(record_type, ())))
        if not ids:
            continue
        if waiting:  # a record the platform no longer has waits for nothing
            await resolve_superseded(session, platform_id, [(record_type, i) for i in ids])
        table = SPECS[record_type].table.__table__  # type: ignore[attr-defined]
        rows = []
        for part in chunks(ids):
            found = await session.execute(
                select(table).where(table.c.platform_id == platform_id, table.c.source_id.in_(part))
            )
            rows += list(found.mappings())
        removable, kept = await _split(session, table, rows)
        if kept:
            result.kept[record_type] = sorted(r["source_id"] for r in kept)
        if not removable:
            continue
        await _note_affected(session, removable, rollup, persons, classes)
        chained += await _write_versions(session, platform_id, record_type, removable, run_id, now)
        for part in chunks([r["id"] for r in removable]):
            await session.execute(delete(table).where(table.c.id.in_(part)))
        result.withdrawn[record_type] = sorted(r["source_id"] for r in removable)
        # Cells rebuilt from the facts left, before the next (parent) type is looked at.
        await rollup.apply(session)
    await append_record_versions(session, chained)
    if persons or classes:  # the rules judge again what the withdrawn records supported
        await run_rules(session, person_ids=sorted(persons), class_ids=sorted(classes))
    return result


async def _split(
    session: AsyncSession, table: Table, rows: list[Any]
) -> tuple[list[Any], list[Any]]:
    """The rows nothing refers to any more, and those something still needs."""
    referrers = _referrers(table)
    if not referrers or not rows:
        return rows, []
    needed: set[int] = set()
    for part in chunks([r["id"] for r in rows]):
        for _, column in referrers:
            found = await session.execute(select(column).where(column.in_(part)).distinct())
            needed.update(v for v in found.scalars() if v is not None)
    return [r for r in rows if r["id"] not in needed], [r for r in rows if r["id"] in needed]


async def _note_affected(
    session: AsyncSession,
    rows: list[Any],
    rollup: RollupChanges,
    persons: set[int],
    classes: set[int],
) -> None:
    """The trainees whose roll-up cells change, and the persons and classes to judge again."""
    trainees = {r["trainee_id"] for r in rows if r.get("trainee_id") is not None}
    rollup.trainee_ids.update(trainees)
    classes.update(r["class_id"] for r in rows if r.get("class_id") is not None)
    persons.update(r["person_id"] for r in rows if r.get("person_id") is not None)
    for part in chunks(sorted(trainees)):
        found = await session.execute(select(Trainee.person_id).where(Trainee.id.in_(part)))
        persons.update(found.scalars())


async def _write_versions(
    session: AsyncSession,
    platform_id: int,
    record_type: str,
    rows: list[Any],
    run_id: int | None,
    now: Any,
) -> list[tuple[int, dict[str, Any]]]:
    """One withdrawal version per record: the last payload, marked withdrawn."""
    ids = [r["source_id"] for r in rows]
    latest = await latest_versions(session, platform_id, record_type, ids)
    entries = []
    for source_id in ids:
        number, payload = latest.get(source_id, (0, {}))
        entries.append((source_id, number, {**payload, WITHDRAWN: True}, WITHDRAWN))
    return await insert_next_versions(session, platform_id, record_type, entries, run_id, now)
