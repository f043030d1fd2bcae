"""Policy parameters: region default, city override, versions with effective dates, who may edit."""

from __future__ import annotations

from datetime import timedelta

from schema.types import utcnow
from tests.api.conftest import Api
from tests.policy.flow import SET_PARAMETER, Token, error_code
from tests.records import ORG

IN_FORCE = "query($r: String!, $at: DateTime) { policyInForce(region: $r, at: $at) }"


async def _set(api: Api, tok: str, jurisdiction: str, key: str, value: object, since=None) -> None:
    data = {"jurisdiction": jurisdiction, "key": key, "value": value}
    if since is not None:
        data["effectiveFrom"] = since.isoformat()
    await api.data(tok, SET_PARAMETER, {"input": data})


async def test_city_overrides_the_region_and_versions_take_effect_on_their_date(
    api: Api, token: Token
) -> None:
    region, wuhai = token("region"), token("city", region="150300")
    await _set(api, region, "150000", "standard_amount/5", 1000)
    await _set(api, region, "150000", "standard_amount/5/6-31-01-03", 1200)
    await _set(api, wuhai, "150300", "pre_disbursement_basis", "qualified")
    later = utcnow() + timedelta(days=10)
    await _set(api, region, "150000", "pre_disbursement_rate", 0.1, since=later)

    haibowan = (await api.data(wuhai, IN_FORCE, {"r": "150302"}))["policyInForce"]["values"]
    hohhot = (await api.data(wuhai, IN_FORCE, {"r": "150102"}))["policyInForce"]["values"]
    assert haibowan["pre_disbursement_basis"] == "qualified"
    assert hohhot["pre_disbursement_basis"] == "registered"  # the region's default
    assert haibowan["standard_amount/5"] == 1000 == hohhot["standard_amount/5"]
    assert haibowan["pre_disbursement_rate"] == 0.2
    at_later = await api.data(
        wuhai, IN_FORCE, {"r": "150302", "at": (later + timedelta(hours=1)).isoformat()}
    )
    assert at_later["policyInForce"]["values"]["pre_disbursement_rate"] == 0.1

    listed = await api.data(
        token("district", region="150302"),
        '{ policyParameters(jurisdiction: "150000") { totalCount edges { node { key value setBy } } } }',
    )
    assert listed["policyParameters"]["totalCount"] == 3


async def test_who_may_set_what(api: Api, token: Token) -> None:
    def variables(
        jurisdiction: str, key: str = "pre_disbursement_basis", value: object = "qualified"
    ):
        return {"input": {"jurisdiction": jurisdiction, "key": key, "value": value}}

    cases = [
        (token("city", region="150300"), variables("150100"), "FORBIDDEN"),  # another city
        (token("city", region="150300"), variables("150000"), "FORBIDDEN"),  # the region's default
        (token("region"), variables("150300"), "FORBIDDEN"),  # a city's override is the city's
        (token("district", region="150302"), variables("150302"), "FORBIDDEN"),
        (token("org", org=ORG), variables("150300"), "FORBIDDEN"),
        (token("region"), variables("150000", "pre_disbursement_rate", 0.3), "BAD_USER_INPUT"),
        (token("region"), variables("150000", "online_hours_cap", 0.5), "BAD_USER_INPUT"),
        (token("region"), variables("150000", "pre_disbursement_basis", "all"), "BAD_USER_INPUT"),
        (token("region"), variables("150000", "anything", 1), "BAD_USER_INPUT"),
    ]
    for tok, data, code in cases:
        assert await error_code(api, tok, SET_PARAMETER, data) == code, data
    back_dated = variables("150000")
    back_dated["input"]["effectiveFrom"] = (utcnow() - timedelta(days=1)).isoformat()
    assert await error_code(api, token("region"), SET_PARAMETER, back_dated) == "BAD_USER_INPUT"
