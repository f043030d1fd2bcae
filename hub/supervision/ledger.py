"""The tamper-evident record: a hash chain over every record version and workflow transition.

Each `ledger_entry` holds the hash of what it records (`payload_hash`), the previous entry's hash
(`prev_hash`) and its own hash over both, so rewriting any stored version, or any entry, breaks
the chain from that point on unless every later hash is recomputed. Appends lock the single
`ledger_head` row (a row lock on PostgreSQL, the database write lock on SQLite), so concurrent
writers take turns and the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import func, select, update
from sqlalchemy import insert as insert_statement
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bulk import COPY_THRESHOLD, copy_tuples, is_postgresql
from schema.tables import LedgerEntry, LedgerHead, RecordVersion, WorkflowTransition
from schema.types import utcnow

GENESIS = "0" * 64
RECORD_VERSION = "record_version"
WORKFLOW_TRANSITION = "workflow_transition"
HEAD_ID = 1
PAGE = 5000
_ENTRY_COLUMNS = ("seq", "kind", "ref", "payload_hash", "prev_hash", "entry_hash", "at")

# kind -> function recomputing the payload hash of each ref from the rows it names
Verifier = Callable[[AsyncSession, list[str]], Awaitable[dict[str, str]]]


class LedgerError(RuntimeError):
    """The chain cannot be appended to (e.g. the head row vanished mid-transaction)."""


def canonical_bytes(payload: Any) -> bytes:
    """The payload as canonical JSON: sorted keys, no whitespace, UTF-8, orjson's number forms.

    The same bytes as `json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))`
    except for floats below 1e-4, which orjson writes without an exponent. What orjson cannot
    encode (integers beyond 64 bits, lone surrogates) falls back to the standard library's form,
    so every payload still has one canonical form.
    """
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "surrogatepass")


def canonical_hash(payload: Any) -> str:
    """SHA-256 of the payload's canonical JSON bytes (`canonical_bytes`)."""
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


@lru_cache(maxsize=1024)  # a batch's versions and entries share one moment
def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(seq: int, kind: str, ref: str, payload_hash: str, prev: str, at: datetime) -> str:
    """The hash an entry must carry: over its position, content and predecessor."""
    text = "\n".join((str(seq), kind, ref, payload_hash, prev, _iso(at)))
    return hashlib.sha256(text.encode()).hexdigest()


def version_hash(row: Mapping[str, Any]) -> str:
    """The payload hash of a record_version row (as inserted, or as read back).

    The version's payload is fixed through its content hash (SHA-256 of the canonical payload),
    which verification re-derives from the stored payload; hashing the payload a second time
    here would only cost the ingest path.
    """
    recorded = row.get("recorded_at")
    return canonical_hash(
        {
            "platform_id": row["platform_id"],
            "record_type": row["record_type"],
            "source_id": row["source_id"],
            "version": row["version"],
            "content_hash": row["content_hash"],
            "changed_fields": row["changed_fields"],
            "sync_run_id": row["sync_run_id"],
            "recorded_at": _iso(recorded) if recorded else None,
        }
    )


def _stored_version_hash(row: Mapping[str, Any]) -> str:
    """version_hash of a stored row, spoiled when its payload no longer matches its content hash."""
    if canonical_hash(row["payload"]) != row["content_hash"]:
        return "payload-edited"
    return version_hash(row)


async def _lock_head(session: AsyncSession) -> tuple[int, str]:
    """Take the chain's head for this transaction; other appenders wait until it ends."""
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # One statement: the upsert creates the head if missing, and otherwise "updates" it to
    # itself, which takes the row lock on PostgreSQL (the database write lock on SQLite) and
    # returns the head as it stands once the lock is held. No second appender reads it too.
    insert = make_insert(LedgerHead).values(id=HEAD_ID, seq=0, entry_hash=GENESIS)
    row = (
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["id"], set_={"seq": LedgerHead.seq}
            ).returning(LedgerHead.seq, LedgerHead.entry_hash)
        )
    ).one_or_none()
    if row is None:
        raise LedgerError("the ledger head row is missing")
    return int(row[0]), str(row[1])


async def append_many(session: AsyncSession, items: Sequence[tuple[str, str, str]]) -> int:
    """Append (kind, ref, payload_hash) entries in order in one insert; returns the new head seq."""
    if not items:
        return 0
    seq, prev = await _lock_head(session)
    now = utcnow()
    at = _iso(now)
    rows = []
    for kind, ref, payload_hash in items:
        seq += 1
        # entry_hash(), inlined with the time formatted once: this runs per record version.
        text = "\n".join((str(seq), kind, ref, payload_hash, prev, at))
        digest = hashlib.sha256(text.encode()).hexdigest()
        rows.append((seq, kind, ref, payload_hash, prev, digest, now))
        prev = digest
    if await is_postgresql(session) and len(rows) >= COPY_THRESHOLD:
        await copy_tuples(session, LedgerEntry.__tablename__, _ENTRY_COLUMNS, rows)
    else:
        await session.execute(
            insert_statement(LedgerEntry), [dict(zip(_ENTRY_COLUMNS, r, strict=True)) for r in rows]
        )
    await session.execute(
        update(LedgerHead).where(LedgerHead.id == HEAD_ID).values(seq=seq, entry_hash=prev)
    )
    return seq


async def append(session: AsyncSession, kind: str, ref: str, payload: Any) -> int:
    """Append one entry (e.g. a workflow transition) in the caller's transaction; returns its seq.

    Register a verifier for `kind` with `register_verifier` so `verify` also re-reads the row
    `ref` names and detects edits to it, not only edits to the chain.
    """
    return await append_many(session, [(kind, ref, canonical_hash(payload))])


async def append_record_versions(
    session: AsyncSession, versions: Iterable[tuple[int, dict[str, Any]]]
) -> int:
    """Chain freshly inserted record_version rows, given as (row id, inserted values)."""
    return await append_many(
        session, [(RECORD_VERSION, str(row_id), version_hash(row)) for row_id, row in versions]
    )


def _row_verifier(table: Any, row_hash: Callable[[Mapping[str, Any]], str]) -> Verifier:
    """A verifier re-reading the rows of `table` an entry's refs name and hashing each again."""
    columns = list(table.__table__.c)

    async def recompute(session: AsyncSession, refs: list[str]) -> dict[str, str]:
        ids = [int(ref) for ref in refs if ref.isdigit()]
        found: dict[str, str] = {}
        for start in range(0, len(ids), PAGE):
            part = ids[start : start + PAGE]
            rows = await session.execute(select(*columns).where(table.id.in_(part)))
            for row in rows.mappings():
                found[str(row["id"])] = row_hash(row)
        return found

    return recompute


def transition_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the chain fixes of a workflow transition: who moved what, from where to where, why."""
    keys = ("entity", "entity_id", "from_status", "to_status", "actor_subject", "actor_role")
    payload = {key: row[key] for key in keys}
    payload["reason"] = row["reason"]
    payload["at"] = _iso(row["at"])
    return payload


async def append_transition(session: AsyncSession, row_id: int, row: Mapping[str, Any]) -> int:
    """Chain one freshly inserted workflow_transition row."""
    return await append(session, WORKFLOW_TRANSITION, str(row_id), transition_payload(row))


VERIFIERS: dict[str, Verifier] = {
    RECORD_VERSION: _row_verifier(RecordVersion, _stored_version_hash),
    WORKFLOW_TRANSITION: _row_verifier(
        WorkflowTransition, lambda row: canonical_hash(transition_payload(row))
    ),
}


def register_verifier(kind: str, verifier: Verifier) -> None:
    """Let `verify` recompute payload hashes of entries of `kind` from their source rows."""
    VERIFIERS[kind] = verifier


@dataclass(frozen=True)
class LedgerStatus:
    """Outcome of a full verification of the chain."""

    intact: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None
    unchained_versions: int = 0


async def verify(session: AsyncSession) -> LedgerStatus:
    """Walk the whole chain in order, recomputing every hash; stops at the first broken entry.

    Also checks that the head row names the last entry (entries cut off the end are noticed)
    and that every record_version is chained (a version slipped in beside the chain is noticed).
    """
    expected_seq, prev, entries = 1, GENESIS, 0
    after = 0
    while True:
        page = list(
            (
                await session.execute(
                    select(*LedgerEntry.__table__.c)  # type: ignore[attr-defined]
                    .where(LedgerEntry.seq > after)
                    .order_by(LedgerEntry.seq)
                    .limit(PAGE)
                )
            ).all()
        )
        if not page:
            break
        recomputed: dict[tuple[str, str], str] = {}
        for kind, verifier in VERIFIERS.items():
            refs = [e.ref for e in page if e.kind == kind]
            if refs:
                hashes = await verifier(session, refs)
                recomputed.update({(kind, ref): h for ref, h in hashes.items()})
        for e in page:
            broken = _check(e, expected_seq, prev, recomputed)
            if broken:
                return LedgerStatus(False, entries, expected_seq, broken)
            entries, prev, expected_seq = entries + 1, e.entry_hash, expected_seq + 1
        after = page[-1].seq
    head = (await session.execute(select(LedgerHead))).scalars().one_or_none()
    if head is not None and (head.seq != entries or head.entry_hash != prev):
        reason = f"the head names entry {head.seq} but the chain ends at {entries}"
        return LedgerStatus(False, entries, entries + 1, reason)
    chained = (
        await session.execute(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == RECORD_VERSION)
        )
    ).scalar_one()
    versions = (await session.execute(select(func.count()).select_from(RecordVersion))).scalar_one()
    if versions != chained:
        reason = f"{versions - chained} record versions are not in the chain"
        return LedgerStatus(False, entries, None, reason, versions - chained)
    return LedgerStatus(True, entries)


def _check(
    e: Any, expected_seq: int, prev: str, recomputed: dict[tuple[str, str], str]
) -> str | None:
    """Why entry `e` breaks the chain, or None when it holds."""
    if e.seq != expected_seq:
        return f"entry {expected_seq} is missing"
    if e.prev_hash != prev:
        return "prev_hash does not match the previous entry"
    if e.entry_hash != entry_hash(e.seq, e.kind, e.ref, e.payload_hash, e.prev_hash, e.at):
        return "entry_hash does not match the entry"
    if e.kind in VERIFIERS:
        actual = recomputed.get((e.kind, e.ref))
        if actual is None:
            return f"the {e.kind} {e.ref} it records is missing"
        if actual != e.payload_hash:
            return f"the {e.kind} {e.ref} it records was changed"
    return None
