"""A repeat of a compiled operation is answered before the GraphQL pipeline, as the pipeline
answered it: same body, same caller's scope, counted in the metrics; anything else still runs
the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import Route

from hub.api.app import GraphQLEndpoint, create_app
from hub.api.compiled.plans import plan_key
from hub.api.schema import build_schema
from hub.auth.principal import Principal, Role
from hub.console.graphql import ConsoleGraphQL
from hub.settings import Settings

PAGE = """query Page($n: Int) { trainees(first: $n) { totalCount
  edges { node { id name idNumber onlineSeconds lastSessionAt } } } }"""


class CountedPipeline:
    """The endpoint's GraphQL view, counting the requests that reach it."""

    def __init__(self, endpoint: GraphQLEndpoint) -> None:
        self.view = endpoint.graphql
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.view(scope, receive, send)


def _endpoint(app: Any) -> GraphQLEndpoint:
    route = next(r for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
    return route.app  # type: ignore[no-any-return]


def _counted(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


@pytest.mark.usefixtures("two_cities")
async def test_a_repeat_skips_the_pipeline_and_answers_as_it_did(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": url}))  # the API's own engine
    endpoint = _endpoint(app)
    pipeline = CountedPipeline(endpoint)
    endpoint.graphql = pipeline  # type: ignore[assignment]
    wuhai = {"Authorization": f"Bearer {token('city', region='150300')}"}
    hohhot = {"Authorization": f"Bearer {token('city', region='150100')}"}
    page = {"query": PAGE, "variables": {"n": 5}}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        first = await client.post("/graphql", json=page, headers=wuhai)
        assert first.headers["x-hub-read-path"] == "compiled" and pipeline.calls == 1
        before = (await client.get("/metrics")).text
        repeat = await client.post("/graphql", json=page, headers=wuhai)
        assert pipeline.calls == 1  # answered before the pipeline
        assert repeat.status_code == 200 and repeat.content == first.content
        assert repeat.headers["x-hub-read-path"] == "compiled"
        assert repeat.headers["content-type"] == first.headers["content-type"]
        after = (await client.get("/metrics")).text
        for name, labels in (
            ("hub_graphql_requests_total", {"operation": "other"}),
            ("hub_graphql_root_fields_total", {"field": "query.trainees"}),
            ("hub_graphql_read_path_total", {"path": "compiled"}),
        ):
            assert _counted(after, name, **labels) - _counted(before, name, **labels) == 1, name

        # Another caller's plan is its own: the same document from Hohhot runs the pipeline
        # once, then repeats with Hohhot's answer, never Wuhai's.
        theirs = [(await client.post("/graphql", json=page, headers=hohhot)) for _ in range(2)]
        assert pipeline.calls == 2
        assert theirs[0].content == theirs[1].content != first.content

        # Other variables, another time zone, GraphQL's own media type: what differs runs the
        # pipeline or is answered in the client's terms.
        await client.post("/graphql", json={**page, "variables": {"n": 6}}, headers=wuhai)
        assert pipeline.calls == 3
        zoned = await client.post(
            "/graphql", json=page, headers={**wuhai, "time-zone": "Asia/Shanghai"}
        )
        assert pipeline.calls == 4 and zoned.status_code == 200
        accept = {**wuhai, "accept": "application/graphql-response+json"}
        spec = await client.post("/graphql", json=page, headers=accept)
        assert pipeline.calls == 4 and spec.content == first.content
        assert spec.headers["content-type"] == "application/graphql-response+json; charset=utf-8"


@pytest.mark.usefixtures("two_cities")
async def test_a_repeat_whose_statement_fails_gets_the_pipelines_typed_error(
    engine: AsyncEngine, settings: Settings, token: Callable[..., str]
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": url}))
    endpoint = _endpoint(app)
    bearer = token("city", region="150300")
    page = {"query": PAGE, "variables": {"n": 5}}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        headers = {"Authorization": f"Bearer {bearer}"}
        assert (await client.post("/graphql", json=page, headers=headers)).status_code == 200
        # The table the plan reads is gone (a migration ran meanwhile, say): its statement fails.
        (key, plan), *_ = endpoint.plans._plans.items()
        assert key == plan_key(PAGE, None, {"n": 5}, key[3], engine.dialect.name)
        broken = plan.sql.replace("FROM trainee", "FROM no_such_table", 1)  # type: ignore[union-attr]
        endpoint.plans.put(key, replace(plan, sql=broken))
        failed = await client.post("/graphql", json=page, headers=headers)
    body = failed.json()
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "no_such_table" not in failed.text and "Traceback" not in failed.text


@pytest.mark.usefixtures("two_cities")
async def test_a_console_page_repeats_from_the_plan_the_api_made(
    engine: AsyncEngine, settings: Settings
) -> None:
    # The console runs its documents in process: a repeat is answered from the compiled plan
    # too, with the data the pipeline gave, and another city's user still gets its own.
    schema = build_schema(settings)
    gql = ConsoleGraphQL(settings, engine, schema)
    executed = []
    execute = schema.execute

    async def counted(*args: Any, **kwargs: Any) -> Any:
        executed.append(args[0])
        return await execute(*args, **kwargs)

    schema.execute = counted  # type: ignore[method-assign]
    wuhai = Principal("c", Role.CITY, region_code="150300")
    hohhot = Principal("c", Role.CITY, region_code="150100")
    first = await gql.run(wuhai, PAGE, {"n": 5})
    assert len(executed) == 1 and first["trainees"]["edges"]
    assert await gql.run(wuhai, PAGE, {"n": 5}) == first
    assert len(executed) == 1  # answered from the plan
    theirs = await gql.run(hohhot, PAGE, {"n": 5})
    assert len(executed) == 2 and theirs != first
    assert await gql.run(hohhot, PAGE, {"n": 5}) == theirs and len(executed) == 2
