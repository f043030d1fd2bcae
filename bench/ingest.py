"""Ingest benchmark: session records through the hub's ingest path vs raw COPY into the same table.

    .venv/bin/python bench/ingest.py [--persons 5000] [--batch 5000]

Generates the simulated dataset for --persons people; ingests the trainees, courses, classes and
enrolments (untimed), then times the session records through the ingest path in --batch-record
transactions (validation, reference resolution, staging merge, history, ledger chain, statistics
roll-up), exactly as `hub import` does, the next batch validated and hashed while one is stored.
The same rows, read back, are then COPYed with asyncpg `copy_records_to_table` into the emptied
`learning_session` table (same indexes and foreign keys): the physical limit. A second baseline
COPYs every row the hub path wrote for those records (the session rows, one `record_version` row
and one `ledger_entry` each) into the emptied tables: what the history and the ledger cost COPY
itself, so the rest of the gap is the hub's own work. ANALYZE runs every
20 s meanwhile, as autovacuum would (bench/harness.py). The same sessions then go through the
ingest path into a SQLite file, and the per-record Python steps are timed alone (validation:
pydantic per record, pydantic `TypeAdapter(list[...])`, msgspec; canonical hashing: stdlib json
vs orjson). Prints the rates and the ratio, appends them to bench/RESULTS.md and writes
bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

import asyncpg
from harness import (
    CpuUsed,
    Timer,
    autoanalyze,
    cpu_used,
    dsn,
    fresh_database,
    load,
    record,
    sqlalchemy_url,
    write_json,
)
from steps import time_steps

from connectors.simulated.dataset import generate_by_platform
from hub.db import create_engine, transaction
from hub.ingest import IngestStats
from hub.ingest.files import BATCH_SIZE, store_batches
from hub.migrate import upgrade_engine
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault

CODE = "wuhai-skills"


async def _ingest(engine, vault, platform_id, records, batch) -> None:  # type: ignore[no-untyped-def]
    """Stored as `hub import` stores a file (`store_batches`), without a sync run."""

    async def batches():  # type: ignore[no-untyped-def]
        for start in range(0, len(records), batch):
            yield records[start : start + batch]

    stats = IngestStats()
    await store_batches(engine, vault, platform_id, None, batches(), stats)
    assert stats.total.quarantined == 0, stats.as_dict()


async def run(persons: int, batch: int) -> None:
    data = generate_by_platform(persons, seed=1)
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
    load_before = load()
    async with fresh_database("hub_bench_ingest") as name:
        engine = create_engine(sqlalchemy_url(name))
        async with transaction(engine) as session:
            platform_id = (await ensure_platform(session, CODE)).id
        await _ingest(engine, vault, platform_id, setup, batch)
        marks = await _marks(name)
        async with cpu_used(name) as hub_cpu, autoanalyze(name):
            with Timer() as hub_time:
                await _ingest(engine, vault, platform_id, sessions, batch)
        await engine.dispose()
        copy_time, copy_cpu, copied = await _copy_back(name, {"learning_session": 0})
        all_time, all_cpu, written = await _copy_back(name, marks)

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await upgrade_engine(engine)
        async with transaction(engine) as session:
            platform_id = (await ensure_platform(session, CODE)).id
        await _ingest(engine, vault, platform_id, setup, batch)
        with Timer() as sqlite_time:
            await _ingest(engine, vault, platform_id, sessions, batch)
        await engine.dispose()
    steps = time_steps(sessions[:20000], vault)
    load_after = load()

    hub_rate = len(sessions) / hub_time.seconds
    copy_rate = copied["learning_session"] / copy_time.seconds
    all_rate = len(sessions) / all_time.seconds
    sqlite_rate = len(sessions) / sqlite_time.seconds
    ratio = hub_rate / copy_rate
    conditions = f"before: {load_before}; after: {load_after}"
    record(
        "Ingest: session records into PostgreSQL and SQLite",
        [
            f"{len(sessions)} session records ({persons} persons), batches of {batch} per transaction.",
            f"Machine load (shared): {conditions}.",
            "",
            "| path | seconds | rows/s | CPU s: this process | CPU s: its PostgreSQL backend |",
            "|---|---:|---:|---:|---:|",
            f"| hub ingest path (as `hub import`), PostgreSQL | {hub_time.seconds:.1f} | {hub_rate:,.0f} | {hub_cpu.cells()} |",
            f"| asyncpg `copy_records_to_table`, PostgreSQL | {copy_time.seconds:.1f} | {copy_rate:,.0f} | {copy_cpu.cells()} |",
            f"| COPY of every row the hub path wrote ({_rows(written)}) | {all_time.seconds:.1f} | {all_rate:,.0f} | {all_cpu.cells()} |",
            f"| hub ingest path, SQLite (file, WAL) | {sqlite_time.seconds:.1f} | {sqlite_rate:,.0f} | | |",
            "",
            f"Ratio hub / COPY on PostgreSQL: **{ratio:.0%}** (goal ≥ 50%).",
            f"Ratio hub / COPY of every row it wrote: **{hub_rate / all_rate:.0%}** (rows/s counted",
            "per session record: what the history and the ledger the issue asks for cost COPY itself).",
            *_bound(hub_cpu.server, copy_time.seconds),
            "The hub path also validates, writes one `record_version` row and one ledger entry per",
            "new record and keeps the statistics roll-up; COPY writes the session rows only.",
            "ANALYZE runs every 20 s (autovacuum stand-in: the local server runs with autovacuum=off).",
            "",
            "Per-record Python steps alone (20,000 session records, µs per record):",
            "",
            "| step | µs/record |",
            "|---|---:|",
            *(f"| {name} | {micros:.1f} |" for name, micros in steps.items()),
        ],
    )
    write_json(
        "ingest",
        {
            "records": len(sessions),
            "batch": batch,
            "hub_postgresql_rows_per_s": round(hub_rate),
            "hub_sqlite_rows_per_s": round(sqlite_rate),
            "hub_cpu_seconds": hub_cpu.as_dict(),
            "copy_cpu_seconds": copy_cpu.as_dict(),
            "copy_everything_written_rows_per_s": round(all_rate),
            "copy_everything_written_cpu_seconds": all_cpu.as_dict(),
            "hub_vs_copy_everything_written": round(hub_rate / all_rate, 3),
            "steps_us_per_record": {k: round(v, 2) for k, v in steps.items()},
        },
        {"copy_postgresql_rows_per_s": round(copy_rate)},
        round(ratio, 3),
        "hub ingest path >= 0.5 x asyncpg COPY of the same rows (PostgreSQL)",
        conditions,
    )


# What storing one new session record writes, by table and its key: its live row, its version
# and its ledger entry.
WRITTEN = {"learning_session": "id", "record_version": "id", "ledger_entry": "seq"}


async def _marks(database: str) -> dict[str, int]:
    """The last key of each written table before the timed run: rows past it are the run's."""
    connection = await asyncpg.connect(dsn(database))
    try:
        return {
            table: await connection.fetchval(f"SELECT coalesce(max({key}), 0) FROM {table}")
            for table, key in WRITTEN.items()
        }
    finally:
        await connection.close()


async def _copy_back(database: str, marks: dict[str, int]) -> tuple[Timer, CpuUsed, dict[str, int]]:
    """Read back what the hub path stored in the tables of `marks`, empty them and COPY it in
    again, in the hub path's order on one connection. Only the rows past each table's mark are
    timed; the earlier ones are put back first. Returns the time, the CPU and the rows timed
    per table."""
    connection = await asyncpg.connect(dsn(database))
    try:
        kept = {}
        for table in marks:
            rows = await connection.fetch(f"SELECT * FROM {table} ORDER BY {WRITTEN[table]}")
            kept[table] = (list(rows[0].keys()), [tuple(r) for r in rows])
        await connection.execute(f"TRUNCATE {', '.join(marks)}")
        timed = {}
        for table, mark in marks.items():
            columns, rows = kept[table]
            at = columns.index(WRITTEN[table])
            earlier = [r for r in rows if r[at] <= mark]
            if earlier:
                await connection.copy_records_to_table(table, records=earlier, columns=columns)
            timed[table] = [r for r in rows if r[at] > mark]
        async with cpu_used(database) as cpu:
            with Timer() as elapsed:
                for table, rows in timed.items():
                    await connection.copy_records_to_table(
                        table, records=rows, columns=kept[table][0]
                    )
    finally:
        await connection.close()
    return elapsed, cpu, {table: len(rows) for table, rows in timed.items()}


def _rows(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {table}" for table, count in counts.items())


def _bound(server_seconds: float | None, copy_seconds: float) -> list[str]:
    """What the PostgreSQL side alone allows: a batch's statements run one after another on one
    backend, so the hub path cannot take less time than that backend's CPU."""
    if not server_seconds:
        return ["(PostgreSQL's CPU not measured: the server is not on this machine.)"]
    return [
        f"PostgreSQL's own CPU for the hub path's statements: {server_seconds:.1f} s. However fast",
        "the Python side, the path cannot finish sooner, so on this server it can reach at most",
        f"**{copy_seconds / server_seconds:.0%}** of COPY's rate with what it writes per record today.",
    ]


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
    parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="records per transaction")
    args = parser.parse_args()
    asyncio.run(run(args.persons, args.batch))


if __name__ == "__main__":
    main()
