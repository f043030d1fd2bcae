"""Token claims must describe one coherent caller, valid for a bounded time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.principal import Role
from hub.auth.tokens import AuthenticationFailed, TokenVerifier, issue_token
from schema.tables import PolicyParameter
from tests.api.conftest import SECRET, Api
from tests.policy.flow import SET_PARAMETER
from tests.test_cli import hub

VIEWER = "{ viewer { role regionCode } }"


def forged(**claims: Any) -> str:
    """A token signed with the right secret, carrying whatever claims are given."""
    now = int(time.time())
    return jwt.encode({"sub": "someone", "iat": now, "exp": now + 600, **claims}, SECRET)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


REFUSED = {
    "city with the region's code": {"role": "city", "region": "150000"},
    "city with a district's code": {"role": "city", "region": "150302"},
    "district with a city's code": {"role": "district", "region": "150300"},
    "district with the region's code": {"role": "district", "region": "150000"},
    "region limited to a city": {"role": "region", "region": "150300"},
    "unknown area": {"role": "finance", "region": "159999"},
    "auditor of an unknown area": {"role": "auditor", "region": "15030"},
    "region claim as a list": {"role": "city", "region": ["150300"]},
    "region claim as an object": {"role": "city", "region": {"code": "150300"}},
    "region claim as a number": {"role": "district", "region": 150302},
    "org claim as a list": {"role": "org", "org": ["91150300MA0N000001"]},
    "connector with a region": {"role": "connector", "platform": "wh", "region": "150300"},
    "role as a list": {"role": ["region"]},
    "exp as a string": {"role": "region", "exp": str(int(time.time()) + 600)},
    "exp far ahead": {"role": "region", "exp": 10**12},
    "exp a week ahead": {"role": "region", "exp": int(time.time()) + 7 * 86400},
    "exp as a boolean": {"role": "region", "exp": True},
}


async def test_incoherent_or_long_lived_tokens_are_unauthenticated(api: Api) -> None:
    for why, claims in REFUSED.items():
        body = await api.query(forged(**claims), VIEWER)
        assert codes(body) == ["UNAUTHENTICATED"], (why, body)


async def test_coherent_tokens_are_accepted(api: Api) -> None:
    accepted = [
        ({"role": "city", "region": "150300"}, "150300"),
        ({"role": "district", "region": "150302"}, "150302"),
        ({"role": "finance", "region": "150300"}, "150300"),
        ({"role": "finance", "region": "150302"}, "150302"),
        ({"role": "auditor", "region": "150300"}, "150300"),
        ({"role": "auditor"}, None),
        ({"role": "region"}, None),
        ({"role": "region", "region": "150000"}, "150000"),
        ({"role": "region", "exp": int(time.time()) + 23 * 3600}, None),
    ]
    for claims, area in accepted:
        body = await api.query(forged(**claims), VIEWER)
        assert "errors" not in body, (claims, body)
        assert body["data"]["viewer"]["regionCode"] == area


async def test_only_the_region_sets_the_regions_parameters(api: Api, engine: AsyncEngine) -> None:
    variables = {"input": {"jurisdiction": "150000", "key": "pre_disbursement_rate", "value": 0.1}}
    city_as_region = forged(role="city", region="150000")
    assert codes(await api.query(city_as_region, SET_PARAMETER, variables)) == ["UNAUTHENTICATED"]
    async with engine.connect() as db:
        assert (await db.execute(select(func.count()).select_from(PolicyParameter))).scalar() == 0
    region = issue_token(SECRET, Role.REGION)
    assert "errors" not in await api.query(region, SET_PARAMETER, variables)


@pytest.mark.parametrize(
    ("role", "claims"),
    [
        (Role.CITY, {"region": "150000"}),
        (Role.DISTRICT, {"region": "150300"}),
        (Role.CITY, {"region": "150302"}),
        (Role.REGION, {"region": "150300"}),
        (Role.REGION, {"ttl_seconds": 25 * 3600}),
    ],
)
def test_incoherent_tokens_are_not_issued(role: Role, claims: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        issue_token(SECRET, role, **claims)


def test_hub_token_refuses_a_city_token_for_the_region(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path), "HUB_JWT_SECRET": SECRET}
    refused = hub("token", "--role", "city", "--region", "150000", env=env)
    assert refused.returncode != 0 and "city" in refused.stderr
    assert "Traceback" not in refused.stderr
    too_long = hub("token", "--role", "region", "--hours", "48", env=env)
    assert too_long.returncode != 0 and "Traceback" not in too_long.stderr
    issued = hub("token", "--role", "city", "--region", "150300", env=env)
    assert issued.returncode == 0, issued.stderr


async def test_a_remembered_token_still_expires() -> None:
    """The verifier remembers HS256 tokens it has verified, but only until they expire."""
    verifier = TokenVerifier(secret=SECRET)
    token = forged(role="region", exp=int(time.time()) + 1)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first  # remembered, not decoded again
    await asyncio.sleep(time.time() % 1 + 1.1)  # past `exp`, whatever the second was
    with pytest.raises(AuthenticationFailed, match="expired"):
        await verifier.verify(token)
    with pytest.raises(AuthenticationFailed):
        await verifier.verify(forged(role="region")[:-2] + "xx")  # a bad signature is not
