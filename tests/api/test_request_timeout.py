"""The request timeout bounds what a request does in the database, and leaves nothing broken."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.server import serve
from hub.api.app import create_app
from hub.api.request_session import api_engine
from hub.settings import Settings

PII_READ = "{ trainees { edges { node { idNumber } } } }"


@pytest.mark.usefixtures("two_cities")
async def test_timed_out_request_stops_its_statement_and_spares_the_connection(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    """An unmasked read must log itself; while another writer holds the log, the request waits
    in the database until its timeout. It is answered TIMEOUT, its statement is stopped, and
    the next request on the same keep-alive connection is served normally."""
    url = engine.url.render_as_string(hide_password=False)
    bounded = settings.model_copy(update={"database_url": url, "request_timeout_seconds": 1.0})
    headers = {"Authorization": f"Bearer {token('region', pii=True)}"}
    postgres = engine.dialect.name == "postgresql"
    async with engine.connect() as blocker:
        if postgres:
            await blocker.execute(text("LOCK TABLE access_log IN EXCLUSIVE MODE"))
        else:
            await blocker.exec_driver_sql("BEGIN IMMEDIATE")
        with serve(create_app(bounded)) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                # While the lock is still held: an answer only after it is released (or after
                # SQLite's own 30 s lock wait) would not be bounded by the 1 s timeout.
                slow = await asyncio.wait_for(
                    http.post("/graphql", json={"query": PII_READ}, headers=headers), 20
                )
                assert slow.status_code == 503
                assert slow.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
                if postgres:  # the server no longer runs (or waits on) the abandoned insert
                    waiting = await blocker.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                            " AND query ILIKE 'INSERT INTO access_log%'"
                        )
                    )
                    assert waiting.scalar_one() == 0
                await blocker.rollback()
                after = await http.post(
                    "/graphql", json={"query": "{ trainees { totalCount } }"}, headers=headers
                )
                assert after.json() == {"data": {"trainees": {"totalCount": 3}}}
                again = await http.post("/graphql", json={"query": PII_READ}, headers=headers)
                assert again.status_code == 200 and "errors" not in again.json()
    async with engine.connect() as check:  # the timed-out read logged nothing
        logged = await check.execute(text("SELECT count(*) FROM access_log"))
        assert logged.scalar_one() == 1


@pytest.mark.usefixtures("two_cities")
async def test_timeouts_at_any_point_leave_the_connection_working(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    """Deadlines that land anywhere in a request (authentication, a statement, the session's
    own bookkeeping): every answer is a result or TIMEOUT, never a dropped connection."""
    url = engine.url.render_as_string(hide_password=False)
    headers = {"Authorization": f"Bearer {token('region', pii=True)}"}
    query = (
        "{ trainees { edges { node { name idNumber sessions { id } enrolments"
        " { trainingClass { name } } } } } statistics(groupBy: [CITY]) { sessions } }"
    )
    answers = []
    for timeout in (0.001, 0.003, 0.008, 0.02, 0.05):
        hasty = settings.model_copy(
            update={"database_url": url, "request_timeout_seconds": timeout}
        )
        with serve(create_app(hasty)) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                for _ in range(4):
                    for text_ in (query, "{ trainees { totalCount } }"):
                        response = await http.post(
                            "/graphql", json={"query": text_}, headers=headers
                        )
                        answers.append((response.status_code, response.json()))
    for status, body in answers:
        if status == 503:
            assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
        else:
            assert status == 200 and "errors" not in body, body


@pytest.mark.usefixtures("two_cities")
async def test_console_documents_are_bounded_by_the_same_timeout(
    engine: AsyncEngine, settings: Settings
) -> None:
    """The console runs its documents in-process, not through `POST /graphql`: the same
    deadline applies, and the page gets a TIMEOUT failure it can show instead of hanging."""
    from hub.api.schema import build_schema
    from hub.auth.principal import Principal, Role
    from hub.console.graphql import ConsoleGraphQL, GraphQLFailure

    bounded = settings.model_copy(update={"request_timeout_seconds": 1.0})
    console = ConsoleGraphQL(bounded, engine, build_schema(bounded))
    reader = Principal("region-clerk", Role.REGION, region_code="150000", pii=True)
    async with engine.connect() as blocker:
        if engine.dialect.name == "postgresql":
            await blocker.execute(text("LOCK TABLE access_log IN EXCLUSIVE MODE"))
        else:
            await blocker.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(GraphQLFailure) as failed:
            await asyncio.wait_for(console.run(reader, PII_READ), 20)
        assert failed.value.code == "TIMEOUT"
        await blocker.rollback()
    answer = await console.run(reader, "{ trainees { totalCount } }")
    assert answer == {"trainees": {"totalCount": 3}}


async def test_the_api_engine_starts_its_connections_with_the_request_settings(
    engine: AsyncEngine,
) -> None:
    """On PostgreSQL the API's own engine sets the request bounds when it connects, so that a
    request's transaction does not spend a round trip setting them."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has nothing to set per connection")
    api = api_engine(engine.url.render_as_string(hide_password=False), 2.5, pool_size=2)
    try:
        async with api.connect() as connection:
            timeout = await connection.exec_driver_sql("SHOW statement_timeout")
            assert timeout.scalar_one() == "2500ms"
            assert (await connection.exec_driver_sql("SHOW jit")).scalar_one() == "off"
    finally:
        await api.dispose()


async def test_the_api_engine_keeps_its_pool_and_opens_no_more(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    """More requests at once than the API engine has connections: each waits for one of them,
    none opens a connection of its own (it would be closed again at once, and every later
    request would pay for a new one)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's connections are not pooled this way")
    api = api_engine(engine.url.render_as_string(hide_password=False), 10, pool_size=2)
    opened: list[object] = []
    event.listen(api.sync_engine, "connect", lambda connection, _record: opened.append(connection))
    app = create_app(settings, api)
    headers = {"Authorization": f"Bearer {token('region')}"}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
            answers = await asyncio.gather(
                *(
                    http.post(
                        "/graphql",
                        json={"query": "{ a: trainees { totalCount } b: alerts { totalCount } }"},
                        headers=headers,
                    )
                    for _ in range(12)
                )
            )
        assert all(a.status_code == 200 and "errors" not in a.json() for a in answers)
        assert len(opened) == 2
    finally:
        await api.dispose()
