"""Every mutation refuses callers outside its role (FORBIDDEN) or scope (NOT_FOUND), changing nothing.

At each step of a Wuhai (Haibowan 150302) workflow, the same step is first tried by the wrong
district (Hainan 150303), the wrong city (Hohhot 150100), the wrong finance bureau or another
organisation, then done by the right caller.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.policy.flow import (
    FILE_PLATFORM,
    OPEN_CLASS,
    Token,
    WuhaiClass,
    declare_epidemic_over,
    error_code,
    filing_input,
    opening_input,
    publish_policy,
    step,
)
from tests.records import ORG, OTHER_ORG

STATUS = "query($id: ID!) { node(id: $id) { ... on %s { status } } }"


def _step(name: str, reason: bool = False) -> str:
    if reason:
        return "mutation($id: ID!) { " + name + '(id: $id, reason: "x") { id status } }'
    return "mutation($id: ID!) { " + name + "(id: $id) { id status } }"


async def _refused(
    api: Api,
    reader: str,
    attempts: list[tuple[str, str, dict[str, Any], str]],
    check: tuple[str, str, str],
) -> None:
    """Each attempt fails with its code; the target's status is unchanged afterwards."""
    type_name, target, status = check
    for tok, query, variables, code in attempts:
        assert await error_code(api, tok, query, variables) == code, (query, variables)
    node = (await api.data(reader, STATUS.replace("%s", type_name), {"id": target}))["node"]
    assert node["status"] == status


async def test_every_mutation_checks_role_and_scope(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    region = token("region")
    org, other_org = token("org", org=ORG), token("org", org=OTHER_ORG)
    district, other_district = (
        token("district", region="150302"),
        token("district", region="150303"),
    )
    city, other_city = token("city", region="150300"), token("city", region="150100")
    finance, other_finance = token("finance", region="150300"), token("finance", region="150100")
    connector = token("connector", platform="wh-3p")
    await publish_policy(api, token)

    # Platform filing.
    assert await error_code(api, other_org, FILE_PLATFORM, {"input": filing_input()}) == "NOT_FOUND"
    assert await error_code(api, district, FILE_PLATFORM, {"input": filing_input()}) == "FORBIDDEN"
    filing = (await api.data(org, FILE_PLATFORM, {"input": filing_input()}))["filePlatform"]["id"]
    v = {"id": filing}
    await _refused(
        api,
        region,
        [
            (other_district, _step("reviewPlatformFiling"), v, "NOT_FOUND"),
            (city, _step("reviewPlatformFiling"), v, "FORBIDDEN"),
            (other_district, _step("returnPlatformFiling", True), v, "NOT_FOUND"),
            (org, _step("returnPlatformFiling", True), v, "FORBIDDEN"),
        ],
        ("PlatformFiling", filing, "filed"),
    )
    await step(api, district, "reviewPlatformFiling", filing)
    await _refused(
        api,
        region,
        [
            (other_city, _step("approvePlatformFiling"), v, "NOT_FOUND"),
            (district, _step("approvePlatformFiling"), v, "FORBIDDEN"),
            (other_city, _step("returnPlatformFiling", True), v, "NOT_FOUND"),
        ],
        ("PlatformFiling", filing, "district_reviewed"),
    )
    await step(api, city, "approvePlatformFiling", filing)

    # Class opening.
    application = {"input": opening_input(wuhai)}
    assert await error_code(api, other_org, OPEN_CLASS, application) == "NOT_FOUND"
    assert await error_code(api, city, OPEN_CLASS, application) == "FORBIDDEN"
    opening = (await api.data(org, OPEN_CLASS, application))["openClass"]["id"]
    v = {"id": opening}
    await _refused(
        api,
        region,
        [
            (other_district, _step("approveClassOpening"), v, "NOT_FOUND"),
            (other_city, _step("approveClassOpening"), v, "NOT_FOUND"),
            (org, _step("approveClassOpening"), v, "FORBIDDEN"),
            (finance, _step("approveClassOpening"), v, "FORBIDDEN"),
            (other_city, _step("returnClassOpening", True), v, "NOT_FOUND"),
        ],
        ("ClassOpening", opening, "submitted"),
    )
    await step(api, district, "approveClassOpening", opening)
    await wuhai.train()

    # Training proofs.
    issue = """mutation($c: ID!, $t: ID!) { issueTrainingProof(trainingClass: $c, trainee: $t) { code } }"""
    proof_vars = {"c": wuhai.class_id, "t": wuhai.trainees["A"]}
    assert await error_code(api, other_org, issue, proof_vars) == "NOT_FOUND"
    assert await error_code(api, other_city, issue, proof_vars) == "NOT_FOUND"
    assert await error_code(api, connector, issue, proof_vars) == "FORBIDDEN"
    assert await error_code(api, finance, issue, proof_vars) == "FORBIDDEN"

    # The claim, step by step.
    create = "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id status } }"
    assert await error_code(api, other_org, create, {"c": wuhai.class_id}) == "NOT_FOUND"
    assert await error_code(api, district, create, {"c": wuhai.class_id}) == "FORBIDDEN"
    claim = (await api.data(org, create, {"c": wuhai.class_id}))["createSubsidyClaim"]["id"]
    v = {"id": claim}
    attach = """mutation($id: ID!) { attachClaimMaterial(id: $id, item: "id_proofs",
                attachment: {name: "ids.zip"}) { id } }"""
    await _refused(
        api,
        region,
        [
            (other_org, attach, v, "NOT_FOUND"),
            (district, attach, v, "FORBIDDEN"),
            (
                other_org,
                "mutation($id: ID!) { acceptClaimCommitment(id: $id) { id } }",
                v,
                "NOT_FOUND",
            ),
            (other_org, _step("submitSubsidyClaim"), v, "NOT_FOUND"),
            (district, _step("submitSubsidyClaim"), v, "FORBIDDEN"),
        ],
        ("SubsidyClaim", claim, "draft"),
    )
    await api.data(org, attach, v)
    await api.data(org, "mutation($id: ID!) { acceptClaimCommitment(id: $id) { id } }", v)
    await step(api, org, "submitSubsidyClaim", claim)
    await _refused(
        api,
        region,
        [
            (other_district, _step("reviewSubsidyClaim"), v, "NOT_FOUND"),
            (other_district, _step("returnSubsidyClaim", True), v, "NOT_FOUND"),
            (other_district, _step("rejectSubsidyClaim", True), v, "NOT_FOUND"),
            (org, _step("reviewSubsidyClaim"), v, "FORBIDDEN"),
            (finance, _step("rejectSubsidyClaim", True), v, "FORBIDDEN"),
        ],
        ("SubsidyClaim", claim, "submitted"),
    )
    await step(api, district, "reviewSubsidyClaim", claim)
    await _refused(
        api,
        region,
        [
            (other_city, _step("approveSubsidyClaim"), v, "NOT_FOUND"),
            (other_city, _step("returnSubsidyClaim", True), v, "NOT_FOUND"),
            (other_city, _step("rejectSubsidyClaim", True), v, "NOT_FOUND"),
            (district, _step("approveSubsidyClaim"), v, "FORBIDDEN"),
        ],
        ("SubsidyClaim", claim, "district_reviewed"),
    )
    await step(api, city, "approveSubsidyClaim", claim)
    await _refused(
        api,
        region,
        [
            (other_finance, _step("preDisburseSubsidyClaim"), v, "NOT_FOUND"),
            (city, _step("preDisburseSubsidyClaim"), v, "FORBIDDEN"),
            (finance, _step("settleSubsidyClaim"), v, "BAD_USER_INPUT"),  # not yet pre-disbursed
        ],
        ("SubsidyClaim", claim, "city_approved"),
    )
    await step(api, finance, "preDisburseSubsidyClaim", claim)
    await _refused(
        api,
        region,
        [
            (other_finance, _step("settleSubsidyClaim"), v, "NOT_FOUND"),
            (region, _step("settleSubsidyClaim"), v, "FORBIDDEN"),
        ],
        ("SubsidyClaim", claim, "pre_disbursed"),
    )
    await declare_epidemic_over(api, token, wuhai.ends_on)
    await step(api, finance, "settleSubsidyClaim", claim)
