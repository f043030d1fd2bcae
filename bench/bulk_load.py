"""Fill a benchmark database with the generated dataset fast: facts by COPY, roll-up rebuilt once.

    .venv/bin/python bench/bulk_load.py [--data bench/data/p112k] [--database hub_bench_stats]

For the read-side benchmarks (statistics, supervision, API read) at 5M sessions, which need the
tables as the ingest path leaves them but not the ingest path's speed: trainees, courses, classes
and enrolments go through `Ingestor.ingest` (persons, encrypted IDs, organisers, versions);
sessions, assessments and certificates are COPYed straight into their tables (foreign-key
triggers off for the load; the rows are consistent by construction) with their content hashes,
without versions; then the statistics roll-up is rebuilt in one statement and every table
analysed. Each platform gets a succeeded import run, so `stats_latency.py` sees it loaded.
The ingest path's own speed is `bench/ingest.py`'s subject.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from harness import ROOT, Timer, database_exists, dsn, fresh_database, sqlalchemy_url
from sqlalchemy import text

from hub.db import create_engine, transaction
from hub.ingest import Ingestor, IngestStats
from hub.ingest.rollup import rebuild_rollup
from hub.ingest.runs import finish_run, start_run
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault

CODES = ["wuhai-skills", "hohhot-online", "baotou-cloud"]
FACTS = {"session", "assessment", "certificate"}
VAULT = PiiVault(b"bench-data-key-of-thirty-two-bytes!!")
CHUNK = 100_000


def _hash(raw: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _ids(connection: asyncpg.Connection, table: str, platform_id: int, extra: str) -> dict:
    rows = await connection.fetch(
        f"SELECT source_id, id{extra} FROM {table} WHERE platform_id = $1", platform_id
    )
    return {r[0]: tuple(r)[1:] for r in rows}


async def _copy_facts(database: str, platform_id: int, facts: list[dict[str, Any]]) -> int:
    connection = await asyncpg.connect(dsn(database))
    await connection.execute("SET session_replication_role = replica")  # no FK triggers
    trainees = await _ids(connection, "trainee", platform_id, ", person_id")
    classes = await _ids(connection, "training_class", platform_id, "")
    now = datetime.now().astimezone()
    tables: dict[str, list[tuple]] = {"session": [], "assessment": [], "certificate": []}
    for raw in facts:
        trainee_id, person_id = trainees[raw["trainee_source_id"]]
        class_ref = raw.get("class_source_id")
        class_id = classes[class_ref][0] if class_ref else None
        common = (platform_id, raw["source_id"], _hash(raw), now, now, trainee_id, class_id)
        if raw["type"] == "session":
            started, ended = _when(raw["started_at"]), _when(raw["ended_at"])
            tables["session"].append(
                (*common, person_id, started, ended, int((ended - started).total_seconds()),
                 raw.get("reported_seconds"), raw["mode"], raw.get("activity"))
            )  # fmt: skip
        elif raw["type"] == "assessment":
            tables["assessment"].append(
                (*common, _when(raw["assessed_at"]), raw["passed"], raw.get("score"))
            )
        else:
            tables["certificate"].append(
                (*common, person_id, raw["kind"], raw["number"],
                 datetime.fromisoformat(raw["issued_on"]).date(),
                 raw.get("occupation_code"), raw.get("skill_level"))
            )  # fmt: skip
    base = ["platform_id", "source_id", "content_hash", "first_seen_at", "updated_at"]
    columns = {
        "session": ("learning_session", [*base, "trainee_id", "class_id", "person_id",
                    "started_at", "ended_at", "duration_seconds", "reported_seconds", "mode",
                    "activity"]),
        "assessment": ("assessment", [*base, "trainee_id", "class_id", "assessed_at", "passed",
                       "score"]),
        "certificate": ("certificate", [*base, "trainee_id", "class_id", "person_id", "kind",
                        "number", "issued_on", "occupation_code", "skill_level"]),
    }  # fmt: skip
    for kind, rows in tables.items():
        table, names = columns[kind]
        for start in range(0, len(rows), CHUNK):
            await connection.copy_records_to_table(
                table, records=rows[start : start + CHUNK], columns=names
            )
    await connection.close()
    return len(facts)


async def load(data: Path, database: str, fresh: bool, codes: list[str]) -> None:
    """Load every platform of `codes` not loaded yet, then rebuild the roll-up and analyse."""
    if fresh or not await database_exists(database):
        async with fresh_database(database, keep=True):
            pass
    engine = create_engine(sqlalchemy_url(database))
    for code in codes:
        async with transaction(engine) as session:
            platform_id = (await ensure_platform(session, code)).id
            assert platform_id is not None
            done = await session.execute(
                text("SELECT 1 FROM sync_run WHERE platform_id = :p AND status = 'succeeded'"),
                {"p": platform_id},
            )
            if done.first():
                continue
            run_id = await start_run(session, platform_id, "import")
        with Timer() as timer:
            lines = (data / f"{code}.ndjson").read_bytes().splitlines()
            records = [orjson.loads(line) for line in lines if line.strip()]
            del lines
            setup = [r for r in records if r["type"] not in FACTS]
            facts = [r for r in records if r["type"] in FACTS]
            del records
            stats = IngestStats()
            for start in range(0, len(setup), 5000):
                async with transaction(engine) as session:
                    ingestor = Ingestor(session, platform_id, VAULT, run_id)
                    stats.add(await ingestor.ingest(setup[start : start + 5000]))
            copied = await _copy_facts(database, platform_id, facts)
        async with transaction(engine) as session:
            await finish_run(session, run_id, stats)
        print(
            f"{code}: {len(setup):,} via ingest, {copied:,} facts by COPY in {timer.seconds:.0f} s"
        )
    with Timer() as timer:
        async with transaction(engine) as session:
            await rebuild_rollup(session)
    print(f"roll-up rebuilt in {timer.seconds:.0f} s")
    await engine.dispose()
    connection = await asyncpg.connect(dsn(database))
    await connection.execute("VACUUM ANALYZE")
    await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "p112k")
    parser.add_argument("--database", default="hub_bench_stats")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--first-only", action="store_true", help="Wuhai alone (≈1.2M sessions)")
    args = parser.parse_args()
    codes = CODES[:1] if args.first_only else CODES
    asyncio.run(load(args.data, args.database, args.fresh, codes))


if __name__ == "__main__":
    main()
