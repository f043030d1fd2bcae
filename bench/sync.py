"""Sync benchmark: peak memory and time of syncing ~1M records from a simulated platform, then of
a second, incremental sync with nothing changed.

    .venv/bin/python bench/sync.py [--persons 22000] [--page-size 1000]

The simulated REST platform (connectors/simulated/rest_json_app.py) runs in a child process on
loopback with the generated records of one platform (22k persons ≈ 1.07M records), so the hub's
process holds only what the sync itself needs. The hub syncs it into a fresh PostgreSQL database
with `sync_platform` (the code path of `hub sync`). Peak RSS is the kernel's high-water mark of
the hub process (VmHWM, reset between the two syncs); requests are counted by the platform.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
from harness import Timer, autoanalyze, fresh_database, load, record, sqlalchemy_url, write_json

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from connectors.simulated.dataset import default_platforms, generate
from hub.db import create_engine
from hub.security.pii import PiiVault
from hub.sync.engine import sync_platform

PLATFORM = default_platforms()[0]  # Wuhai


def serve(persons: int, port: int) -> None:
    """Child process: the simulated platform with `persons` people's records on `port`."""
    import uvicorn
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from connectors.simulated.rest_json_app import EPOCH, create_app

    # Each record last updated one second after the previous one, as a platform's log would
    # have them (with one shared stamp every incremental read would re-read everything).
    records = [
        {**r, "_updated_at": EPOCH + timedelta(seconds=i)}
        for i, (_, r) in enumerate(generate(persons, 1, [PLATFORM]))
    ]
    app = create_app(records)
    platform = app.state.platform
    # The simulator sorts a resource's whole table on every page request; with a million rows
    # that would measure the simulator. Its data does not change here, so sort each window once.
    windows: dict = {}
    original = platform.window
    platform.window = lambda kind, since: windows.setdefault((kind, since), original(kind, since))

    async def count(request):  # type: ignore[no-untyped-def]
        return JSONResponse({"requests": len(platform.requests), "records": len(records)})

    app.router.routes.append(Route("/_bench/requests", count))
    print("ready", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: reset VmHWM to the current RSS


async def _requests(base_url: str) -> tuple[int, int]:
    async with httpx.AsyncClient() as client:
        body = (await client.get(f"{base_url}/_bench/requests")).json()
    return body["requests"], body["records"]


async def run(persons: int, page_size: int, port: int) -> None:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(persons), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                await _requests(base_url)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        config = PlatformConfig(
            code=PLATFORM.code,
            name=PLATFORM.name,
            kind="rest_json",
            base_url=base_url,
            region=PLATFORM.region_code,
            operator=PLATFORM.operator_credit_code,
            page_size=page_size,
        )
        vault = PiiVault(os.urandom(32))
        lines = []
        figures: dict[str, dict[str, float]] = {}
        load_before = load()
        async with fresh_database("hub_bench_sync") as name:
            engine = create_engine(sqlalchemy_url(name))
            async with autoanalyze(name), HttpClient() as client:
                for label in ("full sync (empty hub)", "second sync, no changes"):
                    _reset_peak_rss()
                    before, records = await _requests(base_url)
                    with Timer() as timer:
                        result = await sync_platform(engine, vault, config, client)
                    after, _ = await _requests(base_url)
                    assert result.ok, result.error
                    total = result.stats.total
                    lines.append(
                        f"| {label} | {timer.seconds:.1f} | {_peak_rss_mb():.0f} | "
                        f"{after - before} | {total.received:,} | {total.inserted:,} | "
                        f"{total.updated:,} | {total.unchanged:,} |"
                    )
                    print(lines[-1], flush=True)
                    figures[label] = {
                        "seconds": round(timer.seconds, 1),
                        "records_per_s": round(total.received / timer.seconds),
                        "peak_rss_mb": round(_peak_rss_mb()),
                        "page_requests": after - before,
                        "received": total.received,
                    }
            await engine.dispose()
    finally:
        child.terminate()
        child.wait()
    streams = len(result.stats.by_type)
    conditions = f"before: {load_before}; after: {load()}"
    full = figures["full sync (empty hub)"]
    write_json(
        "sync",
        {"records": records, "persons": persons, "page_size": page_size, "runs": figures},
        {"peak_rss_goal_mb": 300},
        round(full["peak_rss_mb"] / 300, 3),
        "peak RSS of a 1M-record sync < 300 MB; the no-change sync ≈ one request per stream",
        conditions,
    )
    record(
        "Sync: ~1M records from a simulated REST platform",
        [
            f"{records:,} records ({persons} persons, one platform), pages of {page_size}, "
            f"{streams} streams. Machine load (shared): {conditions}.",
            "",
            "| run | seconds | peak RSS MB | page requests | received | inserted | updated "
            "| unchanged |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *lines,
            "",
            "Goals: peak RSS < 300 MB whatever the size; the no-change sync ≈ one page request "
            "per stream.",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=22000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18731)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
    else:
        asyncio.run(run(args.persons, args.page_size, args.port))


if __name__ == "__main__":
    main()
