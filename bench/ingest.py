"""Ingest benchmark: session records through the hub's ingest path vs raw COPY into the same table.

    .venv/bin/python bench/ingest.py [--persons 5000] [--batch 1000]

Generates the simulated dataset for --persons people; ingests the trainees, courses, classes and
enrolments (untimed), then times the session records through `Ingestor.ingest` in --batch-record
transactions (validation, reference resolution, upsert, history, statistics roll-up), exactly as
`hub import` does. The same rows, read back, are then COPYed with asyncpg
`copy_records_to_table` into the emptied `learning_session` table (same indexes): the physical
limit. ANALYZE runs every 20 s meanwhile, as autovacuum would (bench/harness.py). Prints both rates and the ratio and appends them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os

import asyncpg
from harness import Timer, autoanalyze, dsn, fresh_database, record, sqlalchemy_url

from connectors.simulated.dataset import generate_by_platform
from hub.db import create_engine, transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault

CODE = "wuhai-skills"


async def _ingest(engine, vault, platform_id, records, batch) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(records), batch):
        async with transaction(engine) as session:
            stats = await Ingestor(session, platform_id, vault).ingest(
                records[start : start + batch]
            )
            assert stats.total.quarantined == 0, stats.as_dict()


async def run(persons: int, batch: int) -> None:
    data = generate_by_platform(persons, seed=1)
    records = [r for rs in data.values() for r in rs]
    sessions = [r for r in records if r["type"] == "session"]
    # One platform for all, so every session goes through one Ingestor path; source ids are
    # prefixed by platform to stay unique.
    setup = [
        {**r, "source_id": f"{c}:{r['source_id']}", **_refs(c, r)}
        for c, rs in data.items()
        for r in rs
        if r["type"] not in ("session", "assessment", "certificate")
    ]
    sessions = [
        {**r, "source_id": f"{c}:{r['source_id']}", **_refs(c, r)}
        for c, rs in data.items()
        for r in rs
        if r["type"] == "session"
    ]
    vault = PiiVault(os.urandom(32))
    async with fresh_database("hub_bench_ingest") as name:
        engine = create_engine(sqlalchemy_url(name))
        async with transaction(engine) as session:
            platform_id = (await ensure_platform(session, CODE)).id
        await _ingest(engine, vault, platform_id, setup, batch)
        async with autoanalyze(name):
            with Timer() as hub_time:
                await _ingest(engine, vault, platform_id, sessions, batch)
        await engine.dispose()

        connection = await asyncpg.connect(dsn(name))
        rows = await connection.fetch("SELECT * FROM learning_session ORDER BY id")
        columns = list(rows[0].keys())
        await connection.execute("TRUNCATE learning_session")
        with Timer() as copy_time:
            await connection.copy_records_to_table(
                "learning_session", records=[tuple(r) for r in rows], columns=columns
            )
        await connection.close()

    hub_rate = len(sessions) / hub_time.seconds
    copy_rate = len(rows) / copy_time.seconds
    record(
        "Ingest: session records into PostgreSQL",
        [
            f"{len(sessions)} session records ({persons} persons), batches of {batch} per transaction.",
            "",
            "| path | seconds | rows/s |",
            "|---|---:|---:|",
            f"| hub ingest path (`Ingestor.ingest`) | {hub_time.seconds:.1f} | {hub_rate:,.0f} |",
            f"| asyncpg `copy_records_to_table` | {copy_time.seconds:.1f} | {copy_rate:,.0f} |",
            "",
            f"Ratio hub / COPY: **{hub_rate / copy_rate:.0%}** (goal ≥ 50%).",
            "The hub path also writes one `record_version` row per record (history) and the",
            "statistics roll-up; COPY writes the session rows only. ANALYZE runs every 20 s",
            "(autovacuum stand-in: the local server runs with autovacuum=off).",
        ],
    )


def _refs(code: str, record: dict) -> dict:
    """The record's references, prefixed like its source id."""
    return {
        field: f"{code}:{record[field]}"
        for field in ("trainee_source_id", "class_source_id", "course_source_id")
        if record.get(field)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(run(args.persons, args.batch))


if __name__ == "__main__":
    main()
