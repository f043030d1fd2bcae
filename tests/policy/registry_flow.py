"""Helpers of the registry tests: registering the Wuhai organiser as a bureau would."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.policy.flow import Token
from tests.records import ORG

REGISTER = """mutation($input: OrganisationInput!) {
  registerOrganisation(input: $input) {
    creditCode name kind registered legalRepresentative contactPerson contactPhone address
    industryCode creditStanding creditSource creditCheckedOn region { code name }
    designatedCity { code }
    history { changedFields changedBy changedRole source snapshot }
  } }"""
ORG_NAME = "乌海市海勃湾区职业培训学校"


def organiser(**overrides: Any) -> dict[str, Any]:
    """The Wuhai organiser's register entry (registered district 海勃湾区 150302)."""
    data: dict[str, Any] = {
        "creditCode": ORG,
        "name": ORG_NAME,
        "kind": "TRAINING_INSTITUTION",
        "region": "150302",
        "legalRepresentative": "赵强",
        "contactPerson": "钱敏",
        "contactPhone": "0473-1234567",
        "address": "乌海市海勃湾区滨河大道 1 号",
        "creditStanding": "GOOD",
        "creditSource": "信用中国（内蒙古）",
        "creditCheckedOn": "2020-03-01",
    }
    data.update(overrides)
    return data


async def register(api: Api, token: Token, **overrides: Any) -> dict[str, Any]:
    """The Haibowan district bureau registers (or updates) the organiser."""
    done = await api.data(
        token("district", region="150302", name="孙丽"), REGISTER, {"input": organiser(**overrides)}
    )
    return done["registerOrganisation"]
