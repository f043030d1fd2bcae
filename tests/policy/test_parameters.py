"""Policy parameters: region default, city override, versions with effective dates, who may edit."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from schema.tables import PolicyParameter
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
        # the epidemic's end and the online-training policy are the region's to declare
        (
            token("city", region="150300"),
            variables("150300", "epidemic_period_ends_on", "2020-06-30"),
            "FORBIDDEN",
        ),
        (token("region"), variables("150000", "epidemic_period_ends_on", "soon"), "BAD_USER_INPUT"),
        (token("region"), variables("150000", "settlement_rule", "by_feel"), "BAD_USER_INPUT"),
        (token("region"), variables("150000", "claim_submission", "whenever"), "BAD_USER_INPUT"),
        # high-severity alerts always block the money
        (
            token("region"),
            variables("150000", "blocking_alert_severities", ["medium"]),
            "BAD_USER_INPUT",
        ),
        (token("region"), variables("150000", "offline_training_min_hours", -1), "BAD_USER_INPUT"),
    ]
    for tok, data, code in cases:
        assert await error_code(api, tok, SET_PARAMETER, data) == code, data
    back_dated = variables("150000")
    back_dated["input"]["effectiveFrom"] = (utcnow() - timedelta(days=1)).isoformat()
    assert await error_code(api, token("region"), SET_PARAMETER, back_dated) == "BAD_USER_INPUT"


async def test_non_finite_and_absurd_values_are_refused(api: Api, token: Token) -> None:
    region = token("region")
    cases = [
        ("pre_disbursement_rate", float("nan")),
        ("online_hours_cap", float("nan")),
        ("pre_disbursement_rate", float("inf")),
        ("standard_amount/5", float("inf")),
        ("standard_amount/5", float("-inf")),
        ("standard_amount/5", float("nan")),
        ("standard_amount/5", 1e308),
        ("standard_amount/5", 10**400),
        ("standard_amount/5/6-31-01-03", 2e5),
    ]
    for key, value in cases:
        data = {"input": {"jurisdiction": "150000", "key": key, "value": value}}
        # Python's json writes NaN and Infinity (as clients in the wild do); httpx would not.
        response = await api.client.post(
            "/graphql",
            content=json.dumps({"query": SET_PARAMETER, "variables": data}),
            headers={"Authorization": f"Bearer {region}", "Content-Type": "application/json"},
        )
        body = response.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], key
    in_force = await api.data(region, IN_FORCE, {"r": "150302"})
    assert in_force["policyInForce"]["values"]["pre_disbursement_rate"] == 0.2


async def test_versions_breaking_the_rules_are_skipped_when_read(
    api: Api, token: Token, engine: AsyncEngine
) -> None:
    """A version stored before the rules were checked (NaN on SQLite, a rate over the ceiling
    on both) must not reach policyInForce: the previous version or the default applies."""
    bad = [5.0] if engine.dialect.name == "postgresql" else [5.0, float("nan")]
    async with transaction(engine) as db:
        for value in bad:
            db.add(
                PolicyParameter(
                    region_code="150000",
                    key="pre_disbursement_rate",
                    value={"value": value},
                    effective_from=utcnow() - timedelta(days=1),
                    set_by="before the rules",
                )
            )
    response = await api.client.post(
        "/graphql",
        json={"query": IN_FORCE, "variables": {"r": "150302"}},
        headers={"Authorization": f"Bearer {token('city', region='150300')}"},
    )
    body = json.loads(response.text, parse_constant=_refuse)  # strict JSON: no bare NaN
    assert body["data"]["policyInForce"]["values"]["pre_disbursement_rate"] == 0.2


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


async def test_a_version_ends_at_its_effective_until(api: Api, token: Token) -> None:
    """After `effective_until` the version no longer applies, and an older one does not return."""
    region, wuhai = token("region"), token("city", region="150300")
    now = utcnow()
    await _set(api, region, "150000", "settlement_rule", "per_certificate")
    await api.data(
        wuhai,
        SET_PARAMETER,
        {
            "input": {
                "jurisdiction": "150300",
                "key": "settlement_rule",
                "value": "pro_rata_hours",
                "effectiveUntil": (now + timedelta(days=30)).isoformat(),
            }
        },
    )
    window = {
        "input": {
            "jurisdiction": "150000",
            "key": "online_training_policy",
            "value": "内人社办发〔2020〕16号",
            "effectiveFrom": (now + timedelta(days=1)).isoformat(),
            "effectiveUntil": (now + timedelta(days=20)).isoformat(),
        }
    }
    await api.data(region, SET_PARAMETER, window)

    async def values(days: int) -> dict:
        at = (now + timedelta(days=days)).isoformat()
        return (await api.data(wuhai, IN_FORCE, {"r": "150302", "at": at}))["policyInForce"][
            "values"
        ]

    assert (await values(10))["settlement_rule"] == "pro_rata_hours"  # the city's, in force
    assert (await values(40))["settlement_rule"] == "per_certificate"  # ended: the region's
    assert "online_training_policy" not in await values(0)  # not started
    assert (await values(10))["online_training_policy"] == "内人社办发〔2020〕16号"
    assert "online_training_policy" not in await values(21)  # ended, nothing older returns
    reversed_window = {"input": {**window["input"], "effectiveUntil": now.isoformat()}}
    assert await error_code(api, region, SET_PARAMETER, reversed_window) == "BAD_USER_INPUT"
