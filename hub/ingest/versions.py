"""History: one `record_version` row per accepted change, numbered per record, ready to chain.

Only rows the merge inserted (version 1) or changed (previous version + 1, with the fields that
differ) get a version; unchanged records cost nothing. On PostgreSQL the merge statement takes
the version ids from the sequence and the rows are COPYed as tuples with their payload's
canonical JSON text, so no JSON is serialised twice; elsewhere an INSERT … RETURNING gives the
ids in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ARRAY, Integer, String, bindparam, column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bulk import copy_tuples, is_postgresql, reserve_ids
from hub.ingest.batching import chunks
from hub.ingest.merge import Merged
from hub.ingest.rows import Canonical, content_hash
from schema.tables import RecordVersion

# A note the history keeps beside a record's content, never a change of it (hub/ingest/rekey.py).
REKEYED_FROM = "rekeyed_from"
TABLE = RecordVersion.__table__  # type: ignore[attr-defined]
# The columns COPYed, in the order of the tuples built for them.
_COPIED = (
    "id",
    "payload",
    "platform_id",
    "record_type",
    "source_id",
    "version",
    "content_hash",
    "changed_fields",
    "sync_run_id",
    "recorded_at",
)


async def write_versions(
    session: AsyncSession,
    platform_id: int,
    record_type: str,
    run_id: int | None,
    merged: Sequence[Merged],
    canonical: dict[str, Canonical],
    now: datetime,
) -> list[tuple[int, dict[str, Any]]]:
    """Insert the versions of what the merge wrote; returns (version id, row) for the chain."""
    if not merged:
        return []
    # An inserted row may still have a history: a record withdrawn on its platform (its live row
    # removed, hub/ingest/withdraw.py) that came back. Its numbering goes on from there.
    previous = await latest_versions(
        session, platform_id, record_type, [m.source_id for m in merged]
    )
    rows = []
    for m in merged:
        new = canonical[m.source_id]
        number, fields = 1, None
        if not m.inserted or m.source_id in previous:
            number, old = previous.get(m.source_id, (0, {}))
            number += 1
            fields = sorted(
                k
                for k in old.keys() | new.payload.keys()
                if old.get(k) != new.payload.get(k) and k != REKEYED_FROM
            )
        rows.append(
            {
                "platform_id": platform_id,
                "record_type": record_type,
                "source_id": m.source_id,
                "version": number,
                "content_hash": new.content_hash,
                "payload": new.payload,
                "changed_fields": fields,
                "sync_run_id": run_id,
                "recorded_at": now,
            }
        )
    if await is_postgresql(session):
        ids = [m.version_id for m in merged]
        if None in ids:  # merged without reserving version ids
            ids = await reserve_ids(session, TABLE, len(rows))
        # COPYed as tuples: the payload as its canonical text, changed_fields as JSON text,
        # the rest as asyncpg takes them (timestamps are timezone-aware).
        records = [
            (
                version_id,
                canonical[row["source_id"]].text,
                platform_id,
                record_type,
                row["source_id"],
                row["version"],
                row["content_hash"],
                None
                if row["changed_fields"] is None
                else orjson.dumps(row["changed_fields"]).decode(),
                run_id,
                now,
            )
            for version_id, row in zip(ids, rows, strict=True)
        ]
        await copy_tuples(session, TABLE.name, _COPIED, records)
    else:
        # The chain needs each version's id, which RETURNING gives in parameter order.
        statement = TABLE.insert().returning(TABLE.c.id, sort_by_parameter_order=True)
        ids = list((await session.execute(statement, rows)).scalars())
    return list(zip(ids, rows, strict=True))


async def latest_versions(
    session: AsyncSession, platform_id: int, record_type: str, source_ids: list[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """The latest version number and payload of each record."""
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    if not source_ids:
        return latest
    if await is_postgresql(session):
        # One index probe per record for its newest version only. With an IN list the planner,
        # which finds nearly every version of the table under this platform and type, scans
        # them all for each chunk of ids: that cost grew with the history, batch after batch.
        found = await session.execute(
            _LATEST, {"p": platform_id, "t": record_type, "ids": source_ids}
        )
        return {sid: (number, payload) for sid, number, payload in found.all()}
    for part in chunks(source_ids):
        found = await session.execute(
            select(RecordVersion.source_id, RecordVersion.version, RecordVersion.payload).where(
                RecordVersion.platform_id == platform_id,
                RecordVersion.record_type == record_type,
                RecordVersion.source_id.in_(part),
            )
        )
        for sid, number, payload in found.all():
            if number > latest.get(sid, (0, {}))[0]:
                latest[sid] = (number, payload)
    return latest


_LATEST = (
    text(
        f"""
        SELECT s.source_id, v.version, v.payload
        FROM unnest(CAST(:ids AS text[])) AS s(source_id)
        CROSS JOIN LATERAL (
            SELECT version, payload FROM {TABLE.name}
            WHERE platform_id = :p AND record_type = :t AND source_id = s.source_id
            ORDER BY version DESC LIMIT 1
        ) v
        """
    )
    .bindparams(bindparam("ids", type_=ARRAY(String)))
    .columns(
        column("source_id", String),
        column("version", Integer),
        column("payload", TABLE.c.payload.type),
    )
)


async def insert_next_versions(
    session: AsyncSession,
    platform_id: int,
    record_type: str,
    entries: Sequence[tuple[str, int, dict[str, Any], str]],
    run_id: int | None,
    now: datetime,
) -> list[tuple[int, dict[str, Any]]]:
    """Versions the ingest merge does not make (a withdrawal, a re-key): per entry (source id,
    the number it follows, payload, the one changed field), inserted in order; (id, row) pairs
    ready to chain into the ledger."""
    values = [
        {
            "platform_id": platform_id,
            "record_type": record_type,
            "source_id": source_id,
            "version": after + 1,
            "content_hash": content_hash(payload),
            "payload": payload,
            "changed_fields": [changed],
            "sync_run_id": run_id,
            "recorded_at": now,
        }
        for source_id, after, payload, changed in entries
    ]
    statement = TABLE.insert().returning(TABLE.c.id, sort_by_parameter_order=True)
    inserted = list((await session.execute(statement, values)).scalars())
    return list(zip(inserted, values, strict=True))
