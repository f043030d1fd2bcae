"""`hub import FILE --platform CODE`: newline-delimited canonical records from a file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest.ahead import prepared_ahead
from hub.ingest.pipeline import Ingestor
from hub.ingest.runs import finish_run, start_run
from hub.ingest.stats import IngestStats
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.supervision.rules import check

# Records per transaction: each batch pays fixed costs (a commit, a dozen statements, the
# roll-up and ledger updates), which 5,000 records share five times better than 1,000
# (bench/ingest.py); a batch this size still holds a few MB.
BATCH_SIZE = 5000


def parse_ndjson_line(line: str, number: int) -> Any:
    """One line's JSON value; a line that is not JSON becomes a record to quarantine."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        return {"_raw": line.rstrip("\n"), "_error": f"line {number}: invalid JSON ({error.msg})"}
    except RecursionError:
        # The decoder recurses per level; a line nested this deep is kept as its text.
        return {"_raw": line.rstrip("\n"), "_error": f"line {number}: JSON nested too deeply"}


def read_ndjson(path: Path, encoding: str = "utf-8-sig") -> Iterator[Any]:
    """Each non-blank line parsed; a line that is not JSON becomes a record to quarantine."""
    with path.open(encoding=encoding) as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield parse_ndjson_line(line, number)


async def import_file(
    engine: AsyncEngine, vault: PiiVault, path: Path, platform_code: str
) -> IngestStats:
    """Ingest a file batch by batch; each batch commits on its own, so a retry resumes cheaply."""
    _, stats = await import_file_run(engine, vault, path, platform_code)
    return stats


async def import_file_run(
    engine: AsyncEngine,
    vault: PiiVault,
    path: Path,
    platform_code: str,
    encoding: str = "utf-8-sig",
) -> tuple[int, IngestStats]:
    """`import_file`, also returning the id of the sync run that recorded the import."""
    async with transaction(engine) as session:
        platform = await ensure_platform(session, platform_code)
        platform_id = platform.id
        assert platform_id is not None
        run_id = await start_run(session, platform_id, "import")
    stats = IngestStats()
    try:
        await store_batches(engine, vault, platform_id, run_id, _batches(path, encoding), stats)
    except Exception as error:
        async with transaction(engine) as session:
            await finish_run(session, run_id, stats, error=f"{type(error).__name__}: {error}")
        raise
    async with transaction(engine) as session:
        await finish_run(session, run_id, stats)
    await check(engine, run_ids=[run_id])  # the fraud rules, over what this import touched
    return run_id, stats


async def store_batches(
    engine: AsyncEngine,
    vault: PiiVault,
    platform_id: int,
    run_id: int | None,
    batches: AsyncIterable[list[Any]],
    stats: IngestStats,
) -> None:
    """Store each batch of raw records in a transaction of its own, the next batch read and
    prepared meanwhile; `stats` grows as batches commit, so a failure still counts what stored."""
    ahead = prepared_ahead(batches, list, vault)
    async with aclosing(ahead):
        async for _, prepared in ahead:
            async with transaction(engine) as session:
                stats.add(await Ingestor(session, platform_id, vault, run_id).store(prepared))


async def _batches(path: Path, encoding: str) -> AsyncIterator[list[Any]]:
    batch: list[Any] = []
    for raw in read_ndjson(path, encoding):
        batch.append(raw)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch
