"""Console pages against the GraphQL requests behind them: is a page slower than its API call?

Builds the console tests' demo-like data (tests/console/data.py) in a fresh PostgreSQL database,
signs in as the Wuhai city bureau, then alternates, `--rounds` times: GET a console page (its
GraphQL documents run in-process, at once, then the template) and POST the same documents with
the same variables to /graphql with a city token — all at once, as a front end that calls the
API itself at its best would (the goal's baseline), and one after the other. Both go through
the same ASGI app in this process, so the ratio page / API is the console's own cost
(rendering, session, CSRF). Medians in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import fresh_database, record, sqlalchemy_url, write_json  # noqa: E402
from hub.api.app import create_app  # noqa: E402
from hub.auth.principal import Role  # noqa: E402
from hub.auth.tokens import issue_token  # noqa: E402
from hub.console.pages import alerts, ledger, overview, platforms  # noqa: E402
from hub.db import create_engine  # noqa: E402
from hub.settings import Settings  # noqa: E402
from tests.console.data import PASSWORD, build  # noqa: E402

SECRET = "bench-secret-of-at-least-thirty-two-bytes"
# page -> the documents (and variables) it runs
PAGES = {
    "/console/": [
        (overview.OVERVIEW, {"area": ["DISTRICT"]}),
        (overview.SETTLED_CLAIMS, {}),
        (overview.OPEN_ALERTS, {}),
    ],
    "/console/ledger": [
        (
            ledger.SEARCH,
            {"filter": None, "first": 50, "persons": None, "personsFirst": ledger.PERSONS_PAGE},
        ),
        (ledger.CLASSES, {"first": 30}),
    ],
    "/console/alerts": [
        (alerts.ALERTS, {"filter": {"status": "open"}, "first": alerts.PAGE_SIZE, "after": None})
    ],
    "/console/platforms": [(platforms.PLATFORMS, {})],
}


async def main(rounds: int, persons: int) -> None:
    async with fresh_database("hub_bench_console") as name:
        settings = Settings(
            data_dir=Path(tempfile.mkdtemp()),
            database_url=sqlalchemy_url(name),
            jwt_secret=SECRET,
            data_key=base64.urlsafe_b64encode(b"b" * 32).decode(),
        )
        engine = create_engine(settings.resolved_database_url)
        await build(engine, settings, persons=persons)
        app = create_app(settings)  # the API's own engine, as `hub serve` runs it
        token = issue_token(SECRET, Role.CITY, region="150300")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            login = await client.get("/console/login")
            csrf = login.text.split('name="csrf" value="')[1].split('"')[0]
            signed = await client.post(
                "/console/login", data={"csrf": csrf, "username": "wuhai", "password": PASSWORD}
            )
            assert signed.status_code == 303, signed.text
            figures: dict[str, dict[str, float]] = {}
            lines = [
                f"{rounds} rounds, {persons} persons in the demo platforms, Wuhai city user; "
                "median ms (page = console GET; API = the same documents POSTed to /graphql)",
                "",
                "| page | page ms | API ms, at once | page / API | API ms, one by one |",
                "|---|---:|---:|---:|---:|",
            ]
            headers = {"Authorization": f"Bearer {token}"}

            async def post(query: str, variables: dict[str, object]) -> None:
                answer = await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                assert "errors" not in answer.json(), answer.text

            for path, documents in PAGES.items():
                page_times, together_times, serial_times = [], [], []
                for _ in range(rounds):
                    started = time.perf_counter()
                    response = await client.get(path)
                    page_times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (path, response.status_code)
                    started = time.perf_counter()
                    await asyncio.gather(*(post(q, v) for q, v in documents))
                    together_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    for query, variables in documents:
                        await post(query, variables)
                    serial_times.append(time.perf_counter() - started)
                page_ms = statistics.median(page_times) * 1000
                api_ms = statistics.median(together_times) * 1000
                serial_ms = statistics.median(serial_times) * 1000
                figures[path] = {"page_ms": page_ms, "api_ms": api_ms, "ratio": page_ms / api_ms}
                lines.append(
                    f"| `{path}` | {page_ms:.1f} | {api_ms:.1f} | {page_ms / api_ms:.2f}"
                    f" | {serial_ms:.1f} |"
                )
        await engine.dispose()
    record("Console pages vs their GraphQL calls", lines)
    worst = max(f["ratio"] for f in figures.values())
    write_json(
        "console_pages",
        {path: {"page_ms": round(f["page_ms"], 2)} for path, f in figures.items()},
        {path: {"api_ms": round(f["api_ms"], 2)} for path, f in figures.items()},
        round(worst, 3),
        "no page slower than the API call behind it (page / API <= 1.0 on every page)",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--persons", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.persons))
