"""The hash chain: every record version is chained; direct edits in the database are detected."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.supervision import ledger
from schema.tables import LedgerEntry, RecordVersion
from tests.records import session, small_ledger, trainee


async def _ingest(engine: AsyncEngine, vault: PiiVault, code: str, records: list[dict]) -> None:
    async with transaction(engine) as db:
        platform = await ensure_platform(db, code)
        await Ingestor(db, platform.id, vault).ingest(records)


async def _verify(engine: AsyncEngine) -> ledger.LedgerStatus:
    async with transaction(engine) as db:
        return await ledger.verify(db)


async def _entry_of_version(engine: AsyncEngine, source_id: str, version: int) -> int:
    async with engine.connect() as conn:
        version_id = (
            await conn.execute(
                select(RecordVersion.id).where(
                    RecordVersion.source_id == source_id, RecordVersion.version == version
                )
            )
        ).scalar_one()
        return (
            await conn.execute(select(LedgerEntry.seq).where(LedgerEntry.ref == str(version_id)))
        ).scalar_one()


async def test_every_version_is_chained_and_a_rewritten_payload_is_found(
    engine: AsyncEngine, vault: PiiVault, tmp_path: Path
) -> None:
    await _ingest(engine, vault, "wh", small_ledger())
    changed = session("S2", "T1", "2020-03-04T19:00:00+08:00", "2020-03-04T22:30:00+08:00")
    await _ingest(engine, vault, "wh", [changed, trainee("T1", name="张三")])
    status = await _verify(engine)
    async with engine.connect() as conn:
        versions = (await conn.execute(select(func.count()).select_from(RecordVersion))).scalar()
    assert status.intact and status.entries == versions == 11

    # Someone with database access makes the platform's first report match its second one.
    seq = await _entry_of_version(engine, "S2", 1)
    async with engine.begin() as conn:
        rv = (
            await conn.execute(
                select(RecordVersion.id, RecordVersion.payload).where(
                    RecordVersion.source_id == "S2", RecordVersion.version == 1
                )
            )
        ).one()
        payload = {**rv.payload, "ended_at": "2020-03-04T22:30:00+08:00"}
        await conn.execute(
            update(RecordVersion).where(RecordVersion.id == rv.id).values(payload=payload)
        )
    broken = await _verify(engine)
    assert not broken.intact and broken.first_broken_seq == seq
    assert broken.entries == seq - 1 and "changed" in (broken.reason or "")

    cli = subprocess.run(
        [sys.executable, "-m", "hub", "verify-ledger"],
        env={
            **os.environ,
            "HUB_DATA_DIR": str(tmp_path),
            "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "COLUMNS": "200",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 1 and f"BROKEN at entry {seq}" in cli.stdout, cli.stdout + cli.stderr


async def test_edited_or_removed_entries_are_found(engine: AsyncEngine, vault: PiiVault) -> None:
    await _ingest(engine, vault, "wh", small_ledger())
    assert (await _verify(engine)).intact
    async with engine.begin() as conn:
        await conn.execute(
            update(LedgerEntry).where(LedgerEntry.seq == 3).values(payload_hash="0" * 64)
        )
    assert (await _verify(engine)).first_broken_seq == 3

    # Recomputing that one entry's hash is not enough: the next entry names the old hash.
    async with engine.begin() as conn:
        entry = (await conn.execute(select(LedgerEntry).where(LedgerEntry.seq == 3))).one()
        forged = ledger.entry_hash(3, entry.kind, entry.ref, "0" * 64, entry.prev_hash, entry.at)
        await conn.execute(
            update(LedgerEntry).where(LedgerEntry.seq == 3).values(entry_hash=forged)
        )
    status = await _verify(engine)
    assert status.first_broken_seq == 3  # the payload no longer matches its version

    async with engine.begin() as conn:
        await conn.execute(delete(LedgerEntry).where(LedgerEntry.seq >= 3))
    status = await _verify(engine)
    assert not status.intact and status.entries == 2 and status.first_broken_seq == 3


async def test_workflow_appends_share_the_chain_and_concurrent_writers_do_not_fork_it(
    engine: AsyncEngine, vault: PiiVault
) -> None:
    transitions: dict[str, dict] = {}

    async def recompute(db: AsyncSession, refs: list[str]) -> dict[str, str]:
        return {ref: ledger.canonical_hash(transitions[ref]) for ref in refs if ref in transitions}

    ledger.register_verifier("test_transition", recompute)
    try:
        transitions["claim:1:submitted"] = {"claim": 1, "to": "submitted", "by": "org"}
        async with transaction(engine) as db:
            seq = await ledger.append(
                db, "test_transition", "claim:1:submitted", transitions["claim:1:submitted"]
            )
        assert seq == 1
        await _ingest(engine, vault, "wh", small_ledger())
        await _ingest(engine, vault, "hh", small_ledger())
        # Two platforms report new sessions at once: both batches append to the one chain.
        batches = [
            [
                session(f"{code}{i}", "T2", f"2020-03-{i:02d}T08:00:00+08:00",
                        f"2020-03-{i:02d}T09:00:00+08:00")
                for i in range(5, 25)
            ]
            for code in ("W", "H")
        ]  # fmt: skip
        await asyncio.gather(
            _ingest(engine, vault, "wh", batches[0]), _ingest(engine, vault, "hh", batches[1])
        )
        status = await _verify(engine)
        assert status.intact and status.entries == 1 + 9 + 9 + 20 + 20
        transitions["claim:1:submitted"]["to"] = "approved"  # the workflow row is rewritten
        status = await _verify(engine)
        assert not status.intact and status.first_broken_seq == 1
    finally:
        ledger.VERIFIERS.pop("test_transition", None)
