"""Platform details set by bureaus, and what the published catalogue means for subsidies:
online hours count on a platform while it is listed (or filed and approved for the organiser)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.policy.hours import counting_platforms
from schema.tables import Organisation, Platform
from tests.api.conftest import Api
from tests.policy.flow import FILE_PLATFORM, PLATFORM, Token, WuhaiClass, error_code, filing_input
from tests.policy.registry_flow import REGISTER, organiser, register
from tests.records import ORG, credit_code

UPDATE = """mutation($input: PlatformDetailsInput!) {
  updatePlatform(input: $input) { code name url platformType region { code } operator { creditCode } } }"""
LIST = """mutation($p: String!) {
  listPlatformInCatalogue(platform: $p, reason: "免费开放的国家平台") { platformCode } }"""
UNLIST = """mutation($p: String!) {
  unlistPlatformFromCatalogue(platform: $p, reason: "停止免费") { platformCode } }"""


async def _counting(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        organiser = (
            await conn.execute(select(Organisation.id).where(Organisation.credit_code == ORG))
        ).scalar_one()
        rows = await conn.execute(select(Platform.code).where(counting_platforms(organiser)))
        return set(rows.scalars())


async def test_bureaus_set_platform_details_within_their_area(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    city = token("city", region="150300")
    changed = await api.data(
        city,
        UPDATE,
        {
            "input": {
                "code": PLATFORM,
                "name": "乌海职业技能云课堂（新）",
                "url": "https://new.example.cn",
                "platformType": "catalogue",
                "operator": ORG,
                "region": "150302",
            }
        },
    )
    assert changed["updatePlatform"] == {
        "code": PLATFORM,
        "name": "乌海职业技能云课堂（新）",
        "url": "https://new.example.cn",
        "platformType": "CATALOGUE",
        "region": {"code": "150302"},
        "operator": {"creditCode": ORG},
    }
    for bad in ({"url": "ftp://x"}, {"platformType": "free"}, {"name": " "}, {"region": "999"}):
        code = await error_code(api, city, UPDATE, {"input": {"code": PLATFORM, **bad}})
        assert code == "BAD_USER_INPUT", bad
    hohhot = token("city", region="150100")
    assert await error_code(api, hohhot, UPDATE, {"input": {"code": PLATFORM}}) == "NOT_FOUND"
    org = token("org", org=ORG)
    assert await error_code(api, org, UPDATE, {"input": {"code": PLATFORM}}) == "FORBIDDEN"


async def test_a_listed_platform_counts_until_it_is_unlisted(
    api: Api, token: Token, wuhai: WuhaiClass, engine: AsyncEngine
) -> None:
    assert await _counting(engine) == set()  # neither filed nor listed
    region = token("region")
    await api.data(region, LIST, {"p": PLATFORM})
    assert await _counting(engine) == {PLATFORM}
    public = await api.data(
        None, '{ platformCatalogue(region: "150303") { platformCode jurisdictionName } }'
    )
    assert public["platformCatalogue"] == [
        {"platformCode": PLATFORM, "jurisdictionName": "内蒙古自治区"}
    ]
    # The region keeps its own catalogue: a city cannot unlist from it.
    city = token("city", region="150300")
    assert await error_code(api, city, UNLIST, {"p": PLATFORM}) == "NOT_FOUND"
    await api.data(region, UNLIST, {"p": PLATFORM})
    assert await _counting(engine) == set()
    flag = await api.data(region, "{ platforms { edges { node { code catalogueListed } } } }")
    assert {e["node"]["code"]: e["node"]["catalogueListed"] for e in flag["platforms"]["edges"]}[
        PLATFORM
    ] is False


async def test_an_operator_listed_as_untrustworthy_is_neither_commissioned_nor_published(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    city = token("city", region="150300")
    operator = credit_code("91150300MA0N7777")
    await api.data(
        city,
        REGISTER,
        {
            "input": organiser(
                creditCode=operator,
                name="某平台运营公司",
                kind="PLATFORM_OPERATOR",
                creditStanding="UNTRUSTWORTHY",
                creditSource="信用中国 失信被执行人名单",
            )
        },
    )
    await api.data(city, UPDATE, {"input": {"code": PLATFORM, "operator": operator}})
    assert await error_code(api, token("region"), LIST, {"p": PLATFORM}) == "BAD_USER_INPUT"
    await register(api, token)
    body = await api.query(token("org", org=ORG), FILE_PLATFORM, {"input": filing_input()})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "untrustworthy" in body["errors"][0]["message"]
