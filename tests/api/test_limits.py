"""Typed errors, masking of the unexpected, and the limits on what one request may ask."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.db import create_engine, transaction
from hub.settings import Settings
from schema.tables import Platform, QuarantinedRecord
from tests.api.conftest import Api


async def post(settings: Settings, engine: AsyncEngine, token: str, query: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(settings, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        return await http.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.usefixtures("two_cities")
async def test_internal_errors_are_masked_and_logged(
    api: Api, token: Callable[..., str], engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    # A quarantined payload that no longer decrypts (say, after a wrong key rotation).
    async with transaction(engine) as db:
        platform_id = (await db.execute(select(Platform.id).limit(1))).scalar_one()
        await db.execute(
            insert(QuarantinedRecord).values(
                platform_id=platform_id, raw_cipher="not-a-fernet-token", reason="test"
            )
        )
    with caplog.at_level(logging.ERROR, logger="hub.api"):
        body = await api.query(token("region"), "{ quarantinedRecords { edges { node { raw } } } }")
    assert codes(body) == ["INTERNAL"]
    assert body["errors"][0]["message"] == "Internal server error"
    text = str(body)
    assert "Traceback" not in text and "InvalidToken" not in text and "fernet" not in text.lower()
    assert any(r.exc_info and "InvalidToken" in repr(r.exc_info[1]) for r in caplog.records)


async def test_database_errors_show_no_sql(
    settings: Settings, tmp_path: Path, token: Callable[..., str]
) -> None:
    empty = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")  # no tables at all
    try:
        response = await post(settings, empty, token("region"), "{ trainees { totalCount } }")
    finally:
        await empty.dispose()
    body = response.json()
    assert codes(body) == ["INTERNAL"]
    assert "SELECT" not in response.text and "sqlite" not in response.text.lower()


async def test_limits(api: Api, token: Callable[..., str]) -> None:
    region = token("region")
    deep = "{ trainees { edges { node { person { trainees { person { trainees { person { trainees { person { trainees { id } } } } } } } } } } } }"
    assert codes(await api.query(region, deep)) == ["BAD_USER_INPUT"]
    aliases = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(61)) + " }"
    assert codes(await api.query(region, aliases)) == ["BAD_USER_INPUT"]
    assert "errors" not in await api.query(region, aliases.replace("a60: viewer { role }", ""))
    tokens = "{ viewer { " + " ".join(["role"] * 5000) + " } }"
    assert codes(await api.query(region, tokens)) == ["BAD_USER_INPUT"]
    assert codes(await api.query(region, "{ trainees(first: 501) { totalCount } }")) == [
        "BAD_USER_INPUT"
    ]


async def test_cost_estimate_rejects_worst_case_reads(api: Api, token: Callable[..., str]) -> None:
    query = """query Q($n: Int) { trainingClasses(first: $n) { edges { node {
        enrolments { trainee { sessions { id } } } } } } }"""
    region = token("region")
    # 500 classes x 100 enrolments x 100 sessions each: 5 million rows in the worst case.
    body = await api.query(region, query, {"n": 500})
    assert codes(body) == ["BAD_USER_INPUT"] and "rows" in body["errors"][0]["message"]
    assert body["data"] is None
    assert "errors" not in await api.query(region, query, {"n": 10})
    fragments = """{ trainingClasses(first: 500) { ...C } } fragment C on TrainingClassConnection {
        edges { node { enrolments { ... on Enrolment { trainee { sessions { id } } } } } } }"""
    assert codes(await api.query(region, fragments)) == ["BAD_USER_INPUT"]


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_can_be_disabled(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    on_settings = settings.model_copy(update={"introspection": True})
    on = (await post(on_settings, engine, token("region"), INTROSPECTION)).json()
    assert on["data"]["__schema"]["queryType"]["name"] == "Query"
    off_settings = settings.model_copy(update={"introspection": False})
    off = (await post(off_settings, engine, token("region"), INTROSPECTION)).json()
    assert set(codes(off)) == {"BAD_USER_INPUT"} and "introspection" in off["errors"][0]["message"]


async def test_request_timeout(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    hasty = settings.model_copy(update={"request_timeout_seconds": 1e-9})
    response = await post(hasty, engine, token("region"), "{ trainees { totalCount } }")
    assert response.status_code == 503
    assert codes(response.json()) == ["TIMEOUT"]
    # The same request with the default timeout is answered normally.
    normal = await post(settings, engine, token("region"), "{ trainees { totalCount } }")
    assert normal.json() == {"data": {"trainees": {"totalCount": 0}}}


async def test_cost_counts_variable_defaults(api: Api, token: Callable[..., str]) -> None:
    """`first: $n` with `$n: Int = 500` not sent is priced at 500, like the literal."""
    fields = " ".join(
        f"a{i}: trainees(first: $n) {{ edges {{ node {{ sessions {{ trainingClass {{ id }} }} }} }} }}"
        for i in range(40)
    )
    region = token("region")
    by_default = await api.query(region, f"query($n: Int = 500) {{ {fields} }}")
    assert codes(by_default) == ["BAD_USER_INPUT"] and "4020000 rows" in str(by_default)
    literal = await api.query(region, "{ " + fields.replace("$n", "500") + " }")
    assert codes(literal) == ["BAD_USER_INPUT"] and "4020000 rows" in str(literal)
    sent = await api.query(region, f"query($n: Int = 500) {{ {fields} }}", {"n": 5})
    assert "errors" not in sent


async def test_metrics_labels_stay_bounded(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    listed = settings.model_copy(update={"metrics_operations": "ConsolePage, Other2"})
    transport = httpx.ASGITransport(app=create_app(listed, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        headers = {"Authorization": f"Bearer {token('region')}"}
        for i in range(300):
            query = f"query Probe{i}x {{ viewer {{ role }} bogus{i}: viewer {{ role }} }}"
            await http.post("/graphql", json={"query": query}, headers=headers)
            await http.post("/graphql", json={"query": f"{{ made_up_{i} }}"}, headers=headers)
        await http.post(
            "/graphql", json={"query": "query ConsolePage { viewer { role } }"}, headers=headers
        )
        metrics = (await http.get("/metrics")).text
    assert "Probe" not in metrics and "made_up" not in metrics and "bogus" not in metrics
    assert 'hub_graphql_requests_total{operation="ConsolePage"}' in metrics
    assert 'hub_graphql_requests_total{operation="other"}' in metrics
    assert 'hub_graphql_root_fields_total{field="query.viewer"}' in metrics


async def test_no_suggestions_when_introspection_is_off(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    assert Settings().introspection is False  # off unless asked for (hub demo asks)
    queries = [
        "{ traines { totalCount } }",  # a field
        "{ trainees(frist: 1) { totalCount } }",  # an argument
        "{ trainees(order: ASCC) { totalCount } }",  # an enum value, literal
        "query($o: SortOrder!) { trainees(order: $o) { totalCount } }",  # ... and variable
        "{ trainees { ... on TraineeConection { totalCount } } }",  # a type
    ]
    for introspection in (False, True):
        current = settings.model_copy(update={"introspection": introspection})
        transport = httpx.ASGITransport(app=create_app(current, engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
            for query in queries:
                variables = {"o": "ASCC"} if "$o" in query else {}
                response = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token('region')}"},
                )
                body = response.json()
                assert codes(body) and set(codes(body)) == {"BAD_USER_INPUT"}, body
                hinted = "Did you mean" in response.text
                if not introspection:
                    assert not hinted, (query, body)
                elif "$o" not in query:  # with it on, the schema may be spelled out
                    assert hinted, (query, body)
