"""Time the fraud rules: a full `hub check`, and the incremental check after a 1,000-record batch.

    .venv/bin/python bench/supervision.py --database hub_bench_stats [--repeat 3]
    .venv/bin/python bench/supervision.py --persons 5000 --url postgresql+asyncpg://…/bench

With --database, a database loaded earlier (bench/bulk_load.py: ≈5M sessions) is measured as it
is; with --persons, the simulated dataset is generated and ingested into --url first. Then: one
batch of 1,000 session records of one platform is re-reported with changed reported durations
through the ingest path (one import run), and the incremental check over that run is timed
(--repeat batches, each a different 1,000); then the full check over everything. Appends to
bench/RESULTS.md and writes bench/results/supervision.json.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from statistics import median

from harness import load, record, sqlalchemy_url, write_json
from sqlalchemy import func, select, text

from connectors.simulated.dataset import generate
from hub.db import create_engine, transaction
from hub.ingest import Ingestor
from hub.ingest.runs import finish_run, start_run
from hub.migrate import upgrade_engine
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.supervision.rules import check
from schema.tables import LearningSession, Platform, Trainee, TrainingClass

BATCH = 2000
CHANGED = 1000
VAULT = PiiVault(b"bench-data-key-of-thirty-two-bytes!!")


async def _load(engine, persons: int) -> None:  # type: ignore[no-untyped-def]
    by_platform: dict[str, list[dict]] = {}
    for code, record_ in generate(persons, seed=3):
        by_platform.setdefault(code, []).append(record_)
    for code, records in by_platform.items():
        async with transaction(engine) as db:
            platform_id = (await ensure_platform(db, code)).id
        for start in range(0, len(records), BATCH):
            async with transaction(engine) as db:
                await Ingestor(db, platform_id, VAULT).ingest(records[start : start + BATCH])


async def _changed_batch(engine, offset: int) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    """1,000 stored sessions of the first platform, not changed by an earlier run, as canonical
    records with their durations changed."""
    s, t, k = LearningSession, Trainee, TrainingClass
    async with transaction(engine) as db:
        platform_id = (await db.execute(select(func.min(Platform.id)))).scalar_one()
        rows = (
            await db.execute(
                select(s.source_id, t.source_id, k.source_id, s.started_at, s.ended_at, s.mode)
                .join(t, t.id == s.trainee_id)
                .join(k, k.id == s.class_id)
                # not yet changed by an earlier run, so every run re-reports real changes
                .where(s.platform_id == platform_id, s.reported_seconds.is_distinct_from(99_999))
                .order_by(s.id)
                .offset(offset)
                .limit(CHANGED)
            )
        ).all()
    return platform_id, [
        {
            "type": "session",
            "source_id": sid,
            "trainee_source_id": trainee,
            "class_source_id": klass,
            "started_at": started.isoformat(),
            "ended_at": ended.isoformat(),
            "mode": str(mode.value if hasattr(mode, "value") else mode),
            "reported_seconds": 99_999,  # a visible change: DURATION_MISMATCH
        }
        for sid, trainee, klass, started, ended, mode in rows
    ]


async def main(url: str, persons: int | None, repeat: int, database: str | None) -> None:
    engine = create_engine(url)
    if persons:
        await upgrade_engine(engine)
        await _load(engine, persons)
        async with engine.connect() as conn:  # autovacuum's analyze (off on the local server)
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    async with engine.connect() as conn:
        sessions = (await conn.execute(select(func.count()).select_from(LearningSession))).scalar()
    load_before = load()

    ingest_s, incremental_s, alerts = [], [], 0
    for n in range(repeat):
        platform_id, batch = await _changed_batch(engine, n * CHANGED)
        started = time.perf_counter()
        async with transaction(engine) as db:
            run_id = await start_run(db, platform_id, "bench")
            stats = await Ingestor(db, platform_id, VAULT, run_id).ingest(batch)
            await finish_run(db, run_id, stats)
        ingest_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        summary = await check(engine, run_ids=[run_id])
        incremental_s.append(time.perf_counter() - started)
        assert summary.incremental, "the batch fell back to a full check"
        alerts += summary.new
        print(f"batch {n + 1}: ingest {ingest_s[-1]:.2f} s, incremental check "
              f"{incremental_s[-1]:.2f} s, {stats.total.updated} updated, new alerts "
              f"{summary.new}", flush=True)  # fmt: skip

    started = time.perf_counter()
    full = await check(engine)
    full_s = time.perf_counter() - started
    print(f"full check {full_s:.1f} s, findings {sum(full.found.values())}", flush=True)
    await engine.dispose()

    conditions = f"before: {load_before}; after: {load()}"
    incremental = median(incremental_s)
    record(
        "Supervision: incremental and full rule runs",
        [
            f"Database {database or url}: {sessions:,} sessions. Machine load (shared): {conditions}.",
            "",
            "| run | seconds (median of runs) | runs |",
            "|---|---:|---:|",
            f"| ingest of {CHANGED:,} changed session records (one transaction) | "
            f"{median(ingest_s):.2f} | {repeat} |",
            f"| incremental check over that batch's run | {incremental:.2f} | {repeat} |",
            f"| full `hub check` | {full_s:.1f} | 1 |",
            "",
            f"Goal: the incremental check well under 1 s ({incremental:.2f} s = "
            f"{incremental:.0%} of it); the full check measured ({full_s / incremental:.0f}× "
            "the incremental one).",
        ],
    )
    write_json(
        "supervision",
        {
            "sessions": sessions,
            "batch_records": CHANGED,
            "incremental_check_s": round(incremental, 3),
            "incremental_check_runs_s": [round(v, 3) for v in incremental_s],
            "batch_ingest_s": round(median(ingest_s), 3),
        },
        {"full_check_s": round(full_s, 2)},
        round(incremental / full_s, 4),
        "incremental check after a 1,000-record batch well under 1 s at 5M sessions",
        conditions,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, help="generate and ingest this many persons")
    parser.add_argument("--url", help="database URL (with --persons)")
    parser.add_argument("--database", help="a benchmark database loaded earlier")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    target = sqlalchemy_url(args.database) if args.database else args.url
    if not target:
        parser.error("give --database, or --persons with --url")
    asyncio.run(main(target, args.persons, args.repeat, args.database))
