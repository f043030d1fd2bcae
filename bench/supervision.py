"""Time the fraud rules: a full `hub check`, and the incremental check after a small sync.

    python bench/supervision.py --persons 5000 --url postgresql+asyncpg://postgres@127.0.0.1/bench

The database (migrated here) receives the simulated dataset, then one platform re-reports a few
sessions with changed times. Prints the sessions loaded and the seconds each check took, plus
the time to verify the ledger.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from connectors.simulated.dataset import generate  # noqa: E402
from hub.db import create_engine, transaction  # noqa: E402
from hub.ingest import Ingestor  # noqa: E402
from hub.ingest.runs import finish_run, start_run  # noqa: E402
from hub.migrate import upgrade_engine  # noqa: E402
from hub.platforms.service import ensure_platform  # noqa: E402
from hub.security.pii import PiiVault  # noqa: E402
from hub.supervision.ledger import verify  # noqa: E402
from hub.supervision.rules import check  # noqa: E402
from schema.tables import LearningSession  # noqa: E402

BATCH = 2000


async def _load(engine, vault, persons: int) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    by_platform: dict[str, list[dict]] = {}
    for code, record in generate(persons, seed=3):
        by_platform.setdefault(code, []).append(record)
    for code, records in by_platform.items():
        async with transaction(engine) as db:
            platform_id = (await ensure_platform(db, code)).id
        for start in range(0, len(records), BATCH):
            async with transaction(engine) as db:
                await Ingestor(db, platform_id, vault).ingest(records[start : start + BATCH])
    return by_platform


async def main(persons: int, url: str) -> None:
    engine = create_engine(url)
    await upgrade_engine(engine)
    vault = PiiVault(b"b" * 32)
    started = time.perf_counter()
    data = await _load(engine, vault, persons)
    print(f"loaded in {time.perf_counter() - started:.1f} s")
    async with engine.connect() as conn:
        sessions = (await conn.execute(select(func.count()).select_from(LearningSession))).scalar()
    started = time.perf_counter()
    summary = await check(engine)
    full = time.perf_counter() - started
    print(f"{sessions} sessions: full check {full:.2f} s, findings {dict(summary.found)}")

    code, records = next(iter(data.items()))
    changed = [dict(r) for r in records if r["type"] == "session"][:20]
    for record in changed:
        record["reported_seconds"] = 99_999  # a visible change: DURATION_MISMATCH
    async with transaction(engine) as db:
        platform_id = (await ensure_platform(db, code)).id
        run_id = await start_run(db, platform_id, "bench")
        stats = await Ingestor(db, platform_id, vault, run_id).ingest(changed)
        await finish_run(db, run_id, stats)
    started = time.perf_counter()
    summary = await check(engine, run_ids=[run_id])
    print(
        f"incremental check after {len(changed)} changed sessions: "
        f"{time.perf_counter() - started:.2f} s (incremental={summary.incremental}), "
        f"new alerts {summary.new}"
    )
    started = time.perf_counter()
    async with transaction(engine) as db:
        status = await verify(db)
    print(f"ledger verify: {status.entries} entries in {time.perf_counter() - started:.2f} s")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    asyncio.run(main(args.persons, args.url))
