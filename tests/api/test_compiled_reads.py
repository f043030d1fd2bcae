"""The compiled read path answers exactly as the resolvers do, and says which path answered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.settings import Settings


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
