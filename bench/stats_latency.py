"""Statistics benchmark: region-wide statistics(groupBy: [CITY, IDENTITY_CATEGORY]) at ~1M and ~5M
sessions, against the plain SQL GROUP BY over the raw tables.

    .venv/bin/python bench/stats_latency.py [--persons 112000] [--data bench/data/p112k] [--fresh]

Generates the dataset if --data holds none (112k persons ≈ 5.0M sessions on three platforms),
loads it into a fresh PostgreSQL database through `hub import`'s code path (1000-record
transactions through the ingest path, which keeps the roll-up), first the Wuhai platform alone
(≈1.2M sessions), then the two others. At each size it checks that the roll-up answers equal the
raw GROUP BY, then times (median and p95 of --repeat runs after one warm-up): the GraphQL query
over HTTP-less ASGI, the roll-up SQL alone, and the plain GROUP BY.
The database is kept: a later run measures it again without loading, and an interrupted load
resumes with the platforms not yet imported; --fresh starts from an empty database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from statistics import median

import httpx
from harness import (
    ROOT,
    Timer,
    autoanalyze,
    database_exists,
    fresh_database,
    load,
    record,
    sqlalchemy_url,
    write_json,
)
from sqlalchemy import func, select

from hub.api.app import create_app
from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.auth.tokens import issue_token
from hub.db import create_engine, transaction
from hub.ingest.files import import_file
from hub.security.pii import PiiVault
from hub.settings import Settings
from hub.stats.query import StatDimension, statistics
from schema.enums import SyncStatus
from schema.tables import LearningSession, Platform, StatAreaCell, StatTraineeCell, SyncRun

DATABASE = "hub_bench_stats"
SECRET = "bench-secret-of-at-least-thirty-two-bytes!"
QUERY = """{ statistics(groupBy: [CITY, IDENTITY_CATEGORY]) {
  city { code name } identityCategory trainees persons sessions onlineHours offlineHours
  certificates qualified preDisbursed settled openAlerts } }"""
DIMENSIONS = [StatDimension.CITY, StatDimension.IDENTITY_CATEGORY]
FIRST, REST = ["wuhai-skills"], ["hohhot-online", "baotou-cloud"]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{median(ordered) * 1000:.1f} | {p95 * 1000:.1f}"


COLD: dict[str, float] = {}
FIGURES: dict[int, dict] = {}


async def _timed(run, repeat: int, name: str = "") -> list[float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await run()  # the cold run: first in this process (compile caches, prepared statements)
    COLD[name] = time.perf_counter() - started
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - started)
    return samples


async def _measure(engine, repeat: int) -> list[str]:  # type: ignore[no-untyped-def]
    region = Scope(Principal(subject="bench", role=Role.REGION)).statistics
    async with transaction(engine) as db:
        sessions = (await db.execute(select(func.count()).select_from(LearningSession))).scalar()
        cells = (await db.execute(select(func.count()).select_from(StatTraineeCell))).scalar()
        area = (await db.execute(select(func.count()).select_from(StatAreaCell))).scalar()
        rolled = await statistics(db, DIMENSIONS, region)
        raw = await statistics(db, DIMENSIONS, region, from_raw=True)
    equal = [vars(r) for r in rolled] == [vars(r) for r in raw]

    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()),
        jwt_secret=SECRET,
        data_key="a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS0=",
    )
    token = issue_token(SECRET, Role.REGION, subject="bench")
    app = create_app(settings, engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:

        async def graphql() -> None:
            response = await client.post(
                "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
            )
            assert "errors" not in response.json(), response.text

        api = await _timed(graphql, repeat, "graphql")

    async def rollup_sql() -> None:
        async with transaction(engine) as db:
            await statistics(db, DIMENSIONS, region)

    async def raw_sql() -> None:
        async with transaction(engine) as db:
            await statistics(db, DIMENSIONS, region, from_raw=True)

    rollup = await _timed(rollup_sql, repeat, "rollup")
    plain = await _timed(raw_sql, max(3, repeat // 5), "plain")
    FIGURES[sessions] = {
        "graphql_cold_ms": round(COLD["graphql"] * 1000, 1),
        "graphql_warm_median_ms": round(median(api) * 1000, 1),
        "rollup_sql_warm_median_ms": round(median(rollup) * 1000, 1),
        "plain_group_by_median_ms": round(median(plain) * 1000, 1),
        "equal": equal,
    }
    return [
        f"| {sessions:,} | {cells:,} ({area:,} area) | GraphQL `statistics`, cold (first in process) | "
        f"{COLD['graphql'] * 1000:.1f} | |",
        f"| {sessions:,} | {cells:,} | GraphQL `statistics` (roll-up), warm | {_ms(api)} |",
        f"| {sessions:,} | {cells:,} | roll-up SQL only, warm | {_ms(rollup)} |",
        f"| {sessions:,} | {cells:,} | plain GROUP BY over raw tables | {_ms(plain)} |",
        f"| {sessions:,} | | roll-up == GROUP BY ({len(rolled)} rows) | {'yes' if equal else 'NO'} | |",
    ]


async def _loaded(engine) -> set[str]:  # type: ignore[no-untyped-def]
    """Platforms whose import finished in an earlier run."""
    async with transaction(engine) as db:
        done = select(Platform.code).join(SyncRun, SyncRun.platform_id == Platform.id)
        found = await db.execute(done.where(SyncRun.status == SyncStatus.SUCCEEDED))
        return set(found.scalars())


async def _load(engine, name: str, data: Path, codes: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    vault = PiiVault(b"bench-data-key-of-thirty-two-bytes!!")
    lines = []
    codes = [c for c in codes if c not in await _loaded(engine)]
    async with autoanalyze(name):
        for code in codes:
            with Timer() as timer:
                result = await import_file(engine, vault, data / f"{code}.ndjson", code)
            total = result.total.received
            lines.append(
                f"- loaded {code}: {total:,} records in {timer.seconds:.0f} s "
                f"({total / timer.seconds:,.0f} records/s through the ingest path)"
            )
            print(lines[-1], flush=True)
    return lines


def _write_json(conditions: str) -> None:
    """Latest figures per dataset size (sizes measured by earlier runs are kept)."""
    path = ROOT / "bench" / "results" / "stats_latency.json"
    sizes = json.loads(path.read_text())["figures"] if path.exists() else {}
    sizes.update({str(k): {**v, "conditions": conditions} for k, v in FIGURES.items()})
    largest = sizes[max(sizes, key=int)]
    write_json(
        "stats_latency",
        sizes,
        {"plain_group_by_median_ms": largest["plain_group_by_median_ms"]},
        round(largest["graphql_cold_ms"] / 100, 3),
        "statistics(groupBy: [CITY, IDENTITY_CATEGORY]) < 100 ms cold at 5M sessions "
        "(ratio: cold ms / 100 ms)",
        conditions,
    )


async def load_only(persons: int, data: Path, fresh: bool) -> None:
    """Load (or resume loading) the kept database without timing the statistics."""
    if not (data / "wuhai-skills.ndjson").exists():
        from generate import main as generate_main

        generate_main(["--persons", str(persons), "--seed", "1", "--out", str(data)])
    if fresh or not await database_exists(DATABASE):
        async with fresh_database(DATABASE, keep=True):
            pass
    engine = create_engine(sqlalchemy_url(DATABASE))
    await _load(engine, DATABASE, data, FIRST + REST)
    await engine.dispose()


async def measure_only(database: str, repeat: int) -> None:
    """Time the statistics on a database loaded earlier (this benchmark's or another's)."""
    engine = create_engine(sqlalchemy_url(database))
    before = load()
    lines = await _measure(engine, repeat)
    await engine.dispose()
    conditions = f"before: {before}; after: {load()}"
    _write_json(conditions)
    record(
        "Statistics: region-wide statistics(groupBy: [CITY, IDENTITY_CATEGORY])",
        [
            f"Database {database}, measured as loaded. Machine load (shared): {conditions}.",
            "",
            "| sessions | roll-up rows | what | median ms | p95 ms |",
            "|---:|---:|---|---:|---:|",
            *lines,
            "",
            "Goal: < 100 ms at 5M sessions.",
        ],
    )


async def run(persons: int, data: Path, repeat: int, fresh: bool, first_only: bool) -> None:
    if not (data / "wuhai-skills.ndjson").exists():
        from generate import main as generate_main

        generate_main(["--persons", str(persons), "--seed", "1", "--out", str(data)])
    table = [
        "| sessions | roll-up rows | what | median ms | p95 ms |",
        "|---:|---:|---|---:|---:|",
    ]
    if fresh or not await database_exists(DATABASE):
        async with fresh_database(DATABASE, keep=True):
            pass
    engine = create_engine(sqlalchemy_url(DATABASE))
    notes = await _load(engine, DATABASE, data, FIRST)
    table += await _measure(engine, repeat)
    more = [] if first_only else await _load(engine, DATABASE, data, REST)
    if more:
        notes += more
        table += await _measure(engine, repeat)
    await engine.dispose()
    _write_json(load())
    record(
        "Statistics: region-wide statistics(groupBy: [CITY, IDENTITY_CATEGORY])",
        [
            f"Dataset: {persons} persons, seed 1 ({data}).",
            *notes,
            "",
            *table,
            "",
            "Goal: < 100 ms at 5M sessions.",
        ],
    )


def main() -> None:
    global DATABASE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=112000)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "p112k")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="drop a kept database first")
    parser.add_argument("--measure-only", metavar="DATABASE", help="no load: time this database")
    parser.add_argument("--database", default=DATABASE, help="database to load and measure")
    parser.add_argument("--first-only", action="store_true", help="load the ~1M platform only")
    parser.add_argument("--load-only", action="store_true", help="load (or resume), no timing")
    args = parser.parse_args()
    DATABASE = args.database
    if args.load_only:
        asyncio.run(load_only(args.persons, args.data, args.fresh))
    elif args.measure_only:
        asyncio.run(measure_only(args.measure_only, args.repeat))
    else:
        asyncio.run(run(args.persons, args.data, args.repeat, args.fresh, args.first_only))


if __name__ == "__main__":
    main()
