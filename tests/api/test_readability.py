"""Readable for Chinese users: text as it is, one enum spelling, Chinese descriptions, local time."""

from __future__ import annotations

import re
from collections.abc import Callable

from graphql import GraphQLEnumType, build_schema

from hub.api.commands import schema_sdl
from tests.api.conftest import Api

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_enum_and_value_has_a_chinese_description() -> None:
    schema = build_schema(schema_sdl())
    enums = [t for t in schema.type_map.values() if isinstance(t, GraphQLEnumType)]
    enums = [t for t in enums if not t.name.startswith("__")]
    assert {"ErrorCode", "IdentityCategory", "StatDimension"} <= {t.name for t in enums}
    missing = [t.name for t in enums if not CJK.search(t.description or "")]
    missing += [
        f"{t.name}.{name}"
        for t in enums
        for name, value in t.values.items()
        if not CJK.search(value.description or "")
    ]
    assert not missing, f"enums without a Chinese description: {missing}"


async def test_chinese_text_is_not_escaped(
    api: Api, two_cities: None, token: Callable[..., str]
) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": "{ courses(first: 1) { edges { node { title } } } }"},
        headers={"Authorization": f"Bearer {token('region')}"},
    )
    assert "电工（五级）线上课程" in response.content.decode("utf-8")
    assert "\\u" not in response.text


async def test_identity_category_is_spelt_the_same_everywhere(
    api: Api, two_cities: None, token: Callable[..., str]
) -> None:
    query = """{ trainees(first: 1) { edges { node { identityCategory } } }
                 statistics(groupBy: [IDENTITY_CATEGORY]) { identityCategory } }"""
    data = await api.data(token("region"), query)
    trainee = data["trainees"]["edges"][0]["node"]["identityCategory"]
    assert trainee == "ENTERPRISE_EMPLOYEE"
    assert {row["identityCategory"] for row in data["statistics"]} == {trainee}


async def test_datetimes_in_local_time_when_asked(
    api: Api, two_cities: None, token: Callable[..., str]
) -> None:
    query = {
        "query": '{ learningSessions(filter: {platform: "wh"}, first: 1) '
        "{ edges { node { startedAt } } } }"
    }
    headers = {"Authorization": f"Bearer {token('region')}"}

    async def started_at(**extra: str) -> str:
        response = await api.client.post("/graphql", json=query, headers={**headers, **extra})
        return response.json()["data"]["learningSessions"]["edges"][0]["node"]["startedAt"]

    assert await started_at() == "2020-03-03T11:00:00+00:00"
    assert await started_at(**{"Time-Zone": "Asia/Shanghai"}) == "2020-03-03T19:00:00+08:00"
    assert await started_at(**{"Time-Zone": "+08:00"}) == "2020-03-03T19:00:00+08:00"
    refused = await api.client.post(
        "/graphql", json=query, headers={**headers, "Time-Zone": "Mars/Olympus"}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
