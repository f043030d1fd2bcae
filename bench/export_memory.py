"""Peak Python memory of a streamed XLSX export, against the number of rows exported.

    python bench/export_memory.py --persons 2500 [--seed 1]

Ingests the simulated dataset (about 44 learning sessions per person) into a fresh SQLite
database, then builds the learning-records export as the region role under tracemalloc, and
prints rows, file size, elapsed time and the peak of traced allocations during the export.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from itertools import groupby
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook  # noqa: E402

from connectors.simulated.dataset import default_platforms, generate  # noqa: E402
from hub.auth.principal import Principal, Role  # noqa: E402
from hub.db import create_engine, session_factory, transaction  # noqa: E402
from hub.documents.exports import ExportFilter, build_export  # noqa: E402
from hub.ingest import Ingestor  # noqa: E402
from hub.migrate import upgrade_engine  # noqa: E402
from hub.platforms.service import ensure_platform  # noqa: E402
from hub.security.pii import PiiVault  # noqa: E402


async def run(persons: int, seed: int, trace: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
        await upgrade_engine(engine)
        vault = PiiVault(b"b" * 32)
        started = time.perf_counter()
        records = generate(persons, seed, default_platforms())
        for code, batch in groupby(records, key=lambda item: item[0]):
            chunk: list[dict] = []
            for _, record in batch:
                chunk.append(record)
                if len(chunk) >= 20_000:
                    await _ingest(engine, vault, code, chunk)
                    chunk = []
            if chunk:
                await _ingest(engine, vault, code, chunk)
        print(f"ingested in {time.perf_counter() - started:.1f} s")

        region = Principal("bench", Role.REGION)
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        async with session_factory(engine)() as session:
            path = await build_export(session, region, "learning-records", ExportFilter())
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory() if trace else (0, 0)
        tracemalloc.stop()
        sheet = load_workbook(path, read_only=True)["学习记录"]
        rows = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
        print(
            f"learning-records export: {rows} rows, {path.stat().st_size / 1e6:.1f} MB xlsx,"
            f" {elapsed:.1f} s, peak traced memory {peak / 1e6:.1f} MB"
        )
        path.unlink()
        await engine.dispose()


async def _ingest(engine, vault: PiiVault, code: str, records: list[dict]) -> None:  # type: ignore[no-untyped-def]
    async with transaction(engine) as db:
        platform = await ensure_platform(db, code)
        await Ingestor(db, platform.id, vault).ingest(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-trace", action="store_true", help="time without tracemalloc")
    args = parser.parse_args()
    asyncio.run(run(args.persons, args.seed, not args.no_trace))


if __name__ == "__main__":
    main()
