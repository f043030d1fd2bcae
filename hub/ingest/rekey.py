"""Re-keying: a record a connector once keyed by an attribute it now keys by a stable id.

When a connector's keys change (Kolibri's logs were keyed by the learner's username, which an
admin may rename; they are now keyed by the user's id), the records stored under the old keys must
not show up as "only in the hub", be withdrawn and come back as new rows: that would change their
row ids (which alerts, claim evidence and roll-ups point at) and cut their history in two.

The connector says, per batch, which old key each record had (`Batch.rekey`, old -> new). For
every old key the hub still holds, and whose new key it does not hold yet:

- the live row's `source_id` becomes the new key in place (same row id, same content);
- a version under the new key records the change: the last payload with the new `source_id` and
  `rekeyed_from` naming the old key, changed field `source_id`, numbered after the old key's last
  version and chained into the ledger. The old key's versions stay as they were: they are sealed
  by the ledger, whose hashes cover the key they were recorded under.

The batch's records then merge into the re-keyed rows as into any other; one waiting in
quarantine under its old key is closed (the batch brings it again under the new one). Where both keys are held
(a run of the new connector before this upgrade stored the record twice), nothing is re-keyed:
the old row is the duplicate, and withdrawal (hub/ingest/withdraw.py) retires it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.batching import chunks
from hub.ingest.quarantine import has_open_entries, resolve_superseded
from hub.ingest.rows import SPECS, content_hash
from hub.ingest.versions import REKEYED_FROM, insert_next_versions, latest_versions
from hub.supervision.ledger import append_record_versions
from schema.types import utcnow


async def rekey(
    session: AsyncSession,
    platform_id: int,
    record_type: str,
    old_to_new: Mapping[str, str],
    run_id: int | None,
) -> dict[str, str]:
    """Move the platform's records of `record_type` from old keys to new ones; what moved."""
    pairs = {old: new for old, new in old_to_new.items() if old != new}
    if not pairs:
        return {}
    if await has_open_entries(session, platform_id):  # waiting under the old key: superseded
        await resolve_superseded(session, platform_id, [(record_type, old) for old in pairs])
    table = SPECS[record_type].table.__table__  # type: ignore[attr-defined]
    held: set[str] = set()
    for part in chunks(sorted({*pairs, *pairs.values()})):
        found = await session.execute(
            select(table.c.source_id).where(
                table.c.platform_id == platform_id, table.c.source_id.in_(part)
            )
        )
        held.update(found.scalars())
    moves = {old: new for old, new in pairs.items() if old in held and new not in held}
    if not moves:
        return {}
    latest = await latest_versions(session, platform_id, record_type, sorted(moves))
    now = utcnow()
    entries = []
    for old, new in sorted(moves.items()):
        number, payload = latest.get(old, (0, {}))
        current = {**payload, "source_id": new}  # what the record is now, as ingest hashes it
        await session.execute(
            update(table)
            .where(table.c.platform_id == platform_id, table.c.source_id == old)
            .values(source_id=new, content_hash=content_hash(current), updated_at=now)
        )
        entries.append((new, number, {**current, REKEYED_FROM: old}, "source_id"))
    chained = await insert_next_versions(session, platform_id, record_type, entries, run_id, now)
    await append_record_versions(session, chained)
    return moves
