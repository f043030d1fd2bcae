"""Generated requests over the whole schema: no HTTP 500, no INTERNAL for the client's own
mistakes, and every request answered within the configured limits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest_asyncio
from graphql import GraphQLError, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.api.cost import CostEstimator
from hub.api.ledger.types import CHILD_LIMIT
from hub.api.relay import DEFAULT_PAGE_SIZE
from hub.api.schema import build_schema
from hub.api.shape import ShapeMeter
from hub.settings import Settings
from tests.api.query_gen import Request, requests

SCHEMA = build_schema(Settings())._schema
ROLES = [
    {"role": "region", "pii": True},
    {"role": "city", "region": "150300"},
    {"role": "district", "region": "150302"},
    {"role": "org", "org": "91150300MA0N000001"},
    {"role": "auditor", "region": "150300"},
]
# Small limits, so that generated requests meet them often and stay cheap when they do not.
LIMITS = {"max_query_rows": 20_000, "max_query_depth": 6, "max_query_aliases": 6}


@pytest_asyncio.fixture(loop_scope="session")
async def fuzz_client(
    engine: AsyncEngine, settings: Settings, two_cities: None
) -> AsyncIterator[httpx.AsyncClient]:
    limited = settings.model_copy(update=LIMITS)
    transport = httpx.ASGITransport(app=create_app(limited, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


def over_limits(request: Request) -> bool:
    """Whether the request's document breaks a limit the hub must refuse it for."""
    try:
        document = parse(request.query)
    except GraphQLError:
        return False
    meter = ShapeMeter(document)
    shapes = [meter.operation(o) for o in meter.operations]
    if any(s.depth > LIMITS["max_query_depth"] for s in shapes):
        return True
    if sum(s.aliases for s in shapes) > LIMITS["max_query_aliases"]:
        return True
    estimator = CostEstimator(SCHEMA, DEFAULT_PAGE_SIZE, CHILD_LIMIT)
    variables = request.variables if isinstance(request.variables, dict) else {}
    try:
        rows = estimator.estimate(document, request.operation_name, variables)
    except Exception:  # the hub may refuse such variables on other grounds
        return False
    return rows > LIMITS["max_query_rows"]


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@given(request=requests(SCHEMA, hostile=True), role=st.sampled_from(ROLES))
async def test_generated_requests(
    fuzz_client: httpx.AsyncClient,
    token: Callable[..., str],
    request: Request,
    role: dict[str, Any],
) -> None:
    claims = {k: v for k, v in role.items() if k != "role"}
    body = json.dumps(
        {"query": request.query, "variables": request.variables, "operationName": "Q"}
    )
    response = await fuzz_client.post(
        "/graphql",
        content=body,
        headers={
            "Authorization": f"Bearer {token(role['role'], **claims)}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code != 500, response.text
    assert response.status_code != 503, "timed out"  # no request may run into the timeout
    answer = response.json()
    codes = [e.get("extensions", {}).get("code") for e in answer.get("errors", [])]
    assert "INTERNAL" not in codes, (request, answer)
    assert None not in codes, answer
    if over_limits(request):
        assert answer.get("data") is None and "BAD_USER_INPUT" in codes, (request, answer)
