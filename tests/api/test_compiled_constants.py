"""On PostgreSQL a compiled plan carries its plain constants in its SQL text, so the server plans
it once per connection; anything else a client sent stays a parameter, never SQL text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.api.compiled.plans import constants_written_in
from hub.settings import Settings

PAGE = """query Page($n: Int, $region: String) {
  trainees(first: $n, filter: {region: $region}) { edges { node { name onlineSeconds } } } }"""


def test_plain_constants_are_written_and_the_rest_renumbered() -> None:
    sql = "SELECT $1::INTEGER, $2::VARCHAR, $3, $4::VARCHAR, '$5 stays', $5::VARCHAR, $2, $6"
    params = (50, "150300", None, "x' OR '1'='1", date(2026, 1, 1), -3)
    written, kept = constants_written_in(sql, params)
    assert written == (
        "SELECT 50::INTEGER, '150300'::VARCHAR, NULL, $1::VARCHAR, '$5 stays', $2::VARCHAR,"
        " '150300', (-3)"
    )
    assert kept == ("x' OR '1'='1", date(2026, 1, 1))


@pytest.mark.usefixtures("two_cities")
async def test_a_city_page_is_planned_once_and_quoted_input_stays_a_parameter(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": url}))
    plans = next(r for r in app.routes if getattr(r, "path", "") == "/graphql").app.plans
    headers = {"Authorization": f"Bearer {token('city', region='150300')}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:

        async def page(region: str) -> dict:
            variables = {"n": 5, "region": region}
            body = {"query": PAGE, "variables": variables}
            response = await client.post("/graphql", json=body, headers=headers)
            assert response.headers["x-hub-read-path"] == "compiled", response.text
            return response.json()

        wuhai = await page("150300")
        hostile = await page("150300' OR '1'='1")
    assert len(wuhai["data"]["trainees"]["edges"]) > 0
    assert hostile == {"data": {"trainees": {"edges": []}}}

    statements = {plan.sql: plan.params for plan in plans._plans.values()}
    (plain_sql,) = [sql for sql, params in statements.items() if params == ()]
    (hostile_sql,) = [sql for sql, params in statements.items() if params != ()]
    assert "'150300'" in plain_sql and "OR '1'='1" not in hostile_sql
    assert "150300' OR '1'='1" in statements[hostile_sql]

    # the server plans the parameterless statement once and keeps that plan
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        statement = await connection.prepare(plain_sql)
        for _ in range(3):
            await statement.fetchval()
        row = await connection.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            plain_sql,
        )
    finally:
        await connection.close()
    assert (row["generic_plans"], row["custom_plans"]) == (3, 0)
