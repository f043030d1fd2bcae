"""Inputs that used to come back as INTERNAL (or HTTP 500) are the client's mistakes: 400 or
BAD_USER_INPUT, before authentication when the body itself is unusable."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def raw_post(api: Api, body: str, token: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await api.client.post("/graphql", content=body, headers=headers)


@pytest.mark.usefixtures("two_cities")
async def test_bad_scalars_ids_and_cursors(api: Api, token: Callable[..., str]) -> None:
    region = token("region", pii=True)
    sessions = "query($f: LearningSessionFilter) { learningSessions(filter: $f) { totalCount } }"
    refused = [
        (sessions, {"f": {"startedFrom": "2020-03-01T00:00:00"}}),  # naive: UTC or UTC+8?
        (sessions, {"f": {"startedBefore": "9999-12-31T23:30:00-01:00"}}),  # overflows in UTC
        ('{ learningSessions(filter: {startedFrom: "2020-03-01T00:00"}) { totalCount } }', {}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": b64(f"Trainee:{2**63}")}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": b64(f"Trainee:{2**64 + 1}")}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": b64("Trainee:１２")}),
        ("query($a: String) { trainees(after: $a) { totalCount } }", {"a": b64(f"cursor:{2**63}")}),
        (
            "query($a: String) { trainees(after: $a, order: DESC) { totalCount } }",
            {"a": b64(f"cursor-desc:{10**30}")},
        ),
        ("query($p: String) { trainees(filter: {platform: $p}) { totalCount } }", {"p": "\ud800"}),
        ("query($p: String) { trainees(filter: {platform: $p}) { totalCount } }", {"p": "w\x00h"}),
        ('{ trainees(filter: {platform: "w\\u0000h"}) { totalCount } }', {}),
    ]
    for query, variables in refused:
        response = await raw_post(api, json.dumps({"query": query, "variables": variables}), region)
        assert response.status_code in (200, 400), (query, variables, response.text)
        assert codes(response.json()) == ["BAD_USER_INPUT"], (query, variables, response.text)
    fine = await api.data(region, sessions, {"f": {"startedFrom": "2020-03-01T00:00:00+08:00"}})
    assert fine["learningSessions"]["totalCount"] == 3


def nest(levels: int) -> str:
    return '{"v": ' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize("token_kind", ["none", "invalid"])
async def test_unusable_bodies_are_refused_before_authentication(api: Api, token_kind: str) -> None:
    bearer = {"none": None, "invalid": "not-a-token"}[token_kind]
    bodies = {
        "deeply nested": '{"query": "{ viewer { role } }", "variables": ' + nest(100_000) + "}",
        "NaN": '{"query": "{ __typename }", "variables": {"v": NaN}}',
        "lone surrogate in the query": '{"query": "{ __typename } # \\ud800"}',
    }
    for why, body in bodies.items():
        response = await raw_post(api, body, bearer)
        assert response.status_code == 400, (why, response.text[:200])
        assert codes(response.json()) == ["BAD_USER_INPUT"], why
    # Variables nested past the limit (but within what JSON decoding survives) are refused by
    # type once the document is parsed: JSON-typed ones carry records checked one by one.
    nested = '{"query": "{ __typename }", "variables": ' + nest(70) + "}"
    response = await raw_post(api, nested, None)
    assert codes(response.json()) == ["BAD_USER_INPUT"], response.text[:200]
    huge = json.dumps({"query": "{ __typename }", "variables": {"v": "x" * 9_000_000}})
    response = await raw_post(api, huge, bearer)
    assert response.status_code == 413 and codes(response.json()) == ["BAD_USER_INPUT"]
    params = {"query": "{ __typename }", "variables": nest(100)}
    get = await api.client.get("/graphql", params=params)
    assert codes(get.json()) == ["BAD_USER_INPUT"]
    ok_body = '{"query": "{ __typename }", "variables": ' + nest(10) + "}"
    ok = await raw_post(api, ok_body, bearer)
    if bearer is None:
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"data": {"__typename": "Query"}}
    else:  # a usable body with credentials that are not valid: refused, not answered
        assert ok.status_code == 401 and codes(ok.json()) == ["UNAUTHENTICATED"]
