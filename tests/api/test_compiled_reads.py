"""The compiled read path answers exactly as the resolvers do, and says which path answered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.db import transaction
from hub.settings import Settings
from schema.tables import AccessLogEntry


@dataclass
class Paths:
    """The same app twice: compiled reads on, and resolvers only."""

    compiled: httpx.AsyncClient
    resolved: httpx.AsyncClient

    async def both(
        self, bearer: str, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[httpx.Response, httpx.Response]:
        payload = {"query": query, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {bearer}"}
        one = await self.compiled.post("/graphql", json=payload, headers=headers)
        two = await self.resolved.post("/graphql", json=payload, headers=headers)
        return one, two


@pytest_asyncio.fixture(loop_scope="session")
async def paths(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Paths]:
    off = settings.model_copy(update={"compiled_reads": False})
    apps = [create_app(settings, engine), create_app(off, engine)]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://hub.test")
        for a in apps
    ]
    try:
        yield Paths(*clients)
    finally:
        for client in clients:
            await client.aclose()


ROSTER = """query Roster($n: Int, $after: String) {
  trainingClasses(first: $n, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name startsOn endsOn approvedAt __typename
      course { title totalHours onlineHours standard skillLevel }
      organiser { name kind registered region { code name level } }
      enrolments { enrolledOn trainee { id name idNumber phone onlineSeconds lastSessionAt
        identityCategory firstSeenAt sessions { startedAt endedAt durationSeconds mode } } } } } } }"""


@pytest.mark.usefixtures("two_cities")
@pytest.mark.parametrize(
    "claims",
    [
        {"role": "region"},
        {"role": "city", "region": "150300"},
        {"role": "district", "region": "150302"},
        {"role": "org", "org": "91150300MA0N000001"},
        {"role": "connector", "platform": "wh"},
    ],
)
async def test_roster_page_is_compiled_and_equal(
    paths: Paths, token: Callable[..., str], claims: dict[str, str]
) -> None:
    bearer = token(claims["role"], **{k: v for k, v in claims.items() if k != "role"})
    for variables in ({"n": 1}, {"n": 20}, {"n": 0}):
        compiled, resolved = await paths.both(bearer, ROSTER, variables)
        assert compiled.headers["x-hub-read-path"] == "compiled"
        assert resolved.headers["x-hub-read-path"] == "resolvers"
        assert compiled.json() == resolved.json()


PERSONAL = """{ trainees(first: 10) { edges { node { name idNumber phone } } }
  persons { edges { node { idNumber } } } }"""


@pytest.mark.usefixtures("two_cities")
async def test_masked_numbers_compile_and_unmasked_reads_go_through_the_log(
    paths: Paths, token: Callable[..., str], engine: AsyncEngine
) -> None:
    compiled, resolved = await paths.both(token("city", region="150300"), PERSONAL)
    assert compiled.headers["x-hub-read-path"] == "compiled"
    assert compiled.json() == resolved.json()
    trainees = compiled.json()["data"]["trainees"]["edges"]
    assert trainees and all("********" in e["node"]["idNumber"] for e in trainees)
    assert all(e["node"]["phone"] == "138****5678" for e in trainees)
    assert all(
        "********" in e["node"]["idNumber"] for e in compiled.json()["data"]["persons"]["edges"]
    )
    # An auditor reads unmasked numbers: never compiled, always logged.
    async with transaction(engine) as db:
        before = (await db.execute(select(func.count()).select_from(AccessLogEntry))).scalar_one()
    compiled, _ = await paths.both(token("auditor"), PERSONAL)
    assert compiled.headers["x-hub-read-path"] == "resolvers"
    assert all(
        "*" not in e["node"]["idNumber"] for e in compiled.json()["data"]["trainees"]["edges"]
    )
    async with transaction(engine) as db:
        after = (await db.execute(select(func.count()).select_from(AccessLogEntry))).scalar_one()
    assert after == before + 2 * 3  # each path logged trainee idNumber, phone, person idNumber


@pytest.mark.usefixtures("two_cities")
async def test_order_by_pages_walk_every_row_once_on_both_paths(
    paths: Paths, token: Callable[..., str]
) -> None:
    query = """query($after: String, $order: SortOrder, $by: TrainingClassOrderField) {
      trainingClasses(first: 1, after: $after, order: $order, orderBy: $by) {
        pageInfo { hasNextPage endCursor } edges { cursor node { id startsOn name } } } }"""
    bearer = token("region")
    for by in ("NAME", "STARTS_ON", "REGION", "ID"):
        for order in ("ASC", "DESC"):
            seen, after = [], None
            while True:
                variables = {"after": after, "order": order, "by": by}
                compiled, resolved = await paths.both(bearer, query, variables)
                assert compiled.headers["x-hub-read-path"] == "compiled"
                assert compiled.json() == resolved.json()
                page = compiled.json()["data"]["trainingClasses"]
                seen += [e["node"]["id"] for e in page["edges"]]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
            assert len(seen) == len(set(seen)) == 3, (by, order)


@pytest.mark.usefixtures("two_cities")
async def test_the_api_engine_answers_a_compiled_read_in_one_statement(
    paths: Paths, engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    """On its own engine (the bounds set per connection) the app runs a fully compiled read
    outside a transaction; answers, and the requests after it on the same pooled connection
    (mixed, and a write of the read log), are as on any engine."""
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": url}))
    bearer = token("city", region="150300")
    mixed = "{ trainees(first: 1) { totalCount } syncRuns { totalCount } }"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        for query, path in ((ROSTER, "compiled"), (mixed, "mixed"), (PERSONAL, "compiled")):
            payload = {"query": query, "variables": {"n": 20}}
            headers = {"Authorization": f"Bearer {bearer}"}
            own = await client.post("/graphql", json=payload, headers=headers)
            _, resolved = await paths.both(bearer, query, {"n": 20})
            assert own.headers["x-hub-read-path"] == path
            assert own.json() == resolved.json()
        auditor = {"Authorization": f"Bearer {token('auditor')}"}
        logged = await client.post("/graphql", json={"query": PERSONAL}, headers=auditor)
        assert "errors" not in logged.json(), logged.json()
