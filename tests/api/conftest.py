"""An API client on the real app, and a dataset spread over two cities, districts, orgs, platforms."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.settings import Settings
from tests.records import (
    ORG,
    OTHER_ORG,
    course,
    enrolment,
    resident_id,
    session,
    trainee,
    training_class,
)

SECRET = "test-secret-of-at-least-thirty-two-bytes"


@dataclass
class Api:
    client: httpx.AsyncClient

    async def query(
        self, token: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return response.json()

    async def data(
        self, token: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body = await self.query(token, query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture
def settings(tmp_path: Path, data_key_b64: str) -> Settings:
    return Settings(data_dir=tmp_path, jwt_secret=SECRET, data_key=data_key_b64)


@pytest_asyncio.fixture(loop_scope="session")
async def api(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings, engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield Api(client)


@pytest.fixture
def token() -> Callable[..., str]:
    def make(role: str, **claims: Any) -> str:
        return issue_token(SECRET, Role(role), **claims)

    return make


WUHAI_PLATFORM = [
    trainee("T1", region_code="150302"),
    trainee("T2", region_code="150303", id_number=resident_id("150303", serial="002")),
    course("C1"),
    training_class("K1", region_code="150302", organiser_credit_code=ORG),
    training_class("K2", region_code="150303", organiser_credit_code=OTHER_ORG),
    enrolment("E1", "T1", "K1"),
    enrolment("E2", "T2", "K2"),
    session(
        "S1", "T1", "2020-03-03T19:00:00+08:00", "2020-03-03T20:00:00+08:00", class_source_id="K1"
    ),
    session(
        "S2", "T2", "2020-03-04T19:00:00+08:00", "2020-03-04T20:00:00+08:00", class_source_id="K2"
    ),
    {
        "type": "certificate",
        "source_id": "Z1",
        "trainee_source_id": "T1",
        "class_source_id": "K1",
        "kind": "training_completion",
        "number": "NM-2020-0001",
        "issued_on": "2020-04-02",
    },
]
HOHHOT_PLATFORM = [
    trainee("H1", region_code="150102", id_number=resident_id("150102", serial="101")),
    course("C9", occupation_name="育婴员", occupation_code="4-10-01-02"),
    training_class(
        "K9", course_source_id="C9", region_code="150102", organiser_credit_code=OTHER_ORG
    ),
    enrolment("E9", "H1", "K9"),
    session(
        "S9", "H1", "2020-03-05T19:00:00+08:00", "2020-03-05T20:00:00+08:00", class_source_id="K9"
    ),
]


@pytest_asyncio.fixture(loop_scope="session")
async def two_cities(engine: AsyncEngine, vault: PiiVault) -> None:
    """Wuhai platform `wh` (districts 150302/150303, two organisers) and Hohhot platform `hh`."""
    for code, region, records in (
        ("wh", "150300", WUHAI_PLATFORM),
        ("hh", "150100", HOHHOT_PLATFORM),
    ):
        async with transaction(engine) as db:
            platform = await ensure_platform(db, code, region_code=region)
            stats = await Ingestor(db, platform.id, vault).ingest(records)
            assert stats.total.quarantined == 0, stats
