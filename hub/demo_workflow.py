"""The demo's paperwork, done the way bureaus and the school would do it: through the API.

After the first sync the showcase school (connectors/simulated/showcase.py) is registered, files
Wuhai's platform, opens its classes and claims their subsidies; the district reviews, the city
approves, finance pays. Every step is a GraphQL mutation sent with the token of the person who
would take it, so scopes, rules and the workflow history apply as they do for real users.

The 2020 steps run with the hub's clock set back to the day they would have happened (openings
must be approved before classes start; settlement waits for the end of the epidemic period),
so the history reads like the spring of 2020. Steps that are still to do — a class starting in
two weeks, a filing waiting for review — are taken today.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from connectors.simulated.dataset import default_platforms
from connectors.simulated.showcase import (
    DISTRICT,
    SCHOOL,
    SCHOOL_NAME,
    ShowcaseClass,
    showcase_classes,
)
from hub.api.app import create_app
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.settings import Settings
from schema.types import clock_shifted

PLATFORM = "wuhai-skills"
PUSH_PLATFORM = "acme-lms"
_STEP = "mutation($id: ID!, $reason: String) {{ {name}(id: $id, reason: $reason) {{ id status }} }}"
_CLAIM_STEPS = ("reviewSubsidyClaim", "approveSubsidyClaim", "preDisburseSubsidyClaim")


class DemoSetupError(RuntimeError):
    """A step of the demo's workflow was refused; the message is the API's answer."""


@contextmanager
def on(day: date, hour: int = 10) -> Iterator[None]:
    """Run what follows with the hub's clock at `day`, `hour` o'clock Beijing time."""
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)
    with clock_shifted(moment - datetime.now(UTC)):
        yield


class Desk:
    """Who does what: a token per person, and their mutations sent to the hub in-process."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        secret = settings.effective_jwt_secret

        def token(role: Role, name: str, **claims: str) -> str:
            return issue_token(secret, role, name=name, ttl_seconds=3600, **claims)  # type: ignore[arg-type]

        self.client = client
        self.region = token(Role.REGION, "自治区人社厅 职业能力建设处")
        self.city = token(Role.CITY, "刘强", region="150300")
        self.district = token(Role.DISTRICT, "张华", region=DISTRICT)
        self.finance = token(Role.FINANCE, "赵敏", region="150300")
        self.school = token(Role.ORG, "王志刚", org=SCHOOL)

    async def send(
        self, token: str, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The data of a request that must succeed."""
        body = await self.try_send(token, document, variables)
        if "errors" in body:
            raise DemoSetupError(f"{document.split('(')[0].strip()}: {body['errors'][0]}")
        return body["data"]

    async def try_send(
        self, token: str, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": document, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.json()

    async def step(self, token: str, name: str, id: str, reason: str | None = None) -> None:
        await self.send(token, _STEP.format(name=name), {"id": id, "reason": reason})


async def run_demo_workflows(settings: Settings, today: date) -> None:
    """Take the showcase through every workflow state (see the module docstring)."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.demo") as client:
        desk = Desk(settings, client)
        classes = {k.source_id: k for k in showcase_classes(today)}
        ids = await _class_ids(desk)
        with on(date(2020, 2, 10)):
            await _register(desk)
        with on(date(2020, 2, 12)):
            filing = await desk.send(desk.school, _FILE, {"input": _filing(PLATFORM)})
        with on(date(2020, 2, 13)):
            await desk.step(desk.district, "reviewPlatformFiling", filing["filePlatform"]["id"])
        with on(date(2020, 2, 14)):
            await desk.step(desk.city, "approvePlatformFiling", filing["filePlatform"]["id"])
        past = [k for k in classes.values() if k.claim_state is not None]
        for k in past:
            with on(k.starts_on - timedelta(days=10)):
                opening = await desk.send(desk.school, _OPEN, {"input": _opening(k, ids)})
            with on(k.starts_on - timedelta(days=8)):
                await desk.step(desk.district, "approveClassOpening", opening["openClass"]["id"])
        claims = await _claims(desk, past, ids)
        await _settle(desk, past, claims)
        # Still to do today: a class starting in two weeks, a platform filed this morning.
        upcoming = next(k for k in classes.values() if k.claim_state is None)
        await desk.send(desk.school, _OPEN, {"input": _opening(upcoming, ids)})
        await desk.send(desk.school, _FILE, {"input": _filing(PUSH_PLATFORM, "own_platform")})


async def _class_ids(desk: Desk) -> dict[str, str]:
    found = await desk.send(
        desk.region,
        '{ trainingClasses(filter: {region: "150302"}, first: 500) '
        "{ edges { node { id sourceId platform { code } } } } }",
    )
    return {
        e["node"]["sourceId"]: e["node"]["id"]
        for e in found["trainingClasses"]["edges"]
        if e["node"]["platform"]["code"] == PLATFORM
    }


async def _register(desk: Desk) -> None:
    """The city registers the school as its designated institution; the region sets the amount;
    the city lists its own platform in the catalogue (乌人社发〔2020〕26号 一)."""
    await desk.send(
        desk.city,
        "mutation($input: OrganisationInput!) { registerOrganisation(input: $input) { id } }",
        {
            "input": {
                "creditCode": SCHOOL,
                "name": SCHOOL_NAME,
                "kind": "DESIGNATED_INSTITUTION",
                "region": DISTRICT,
                "designatedCity": "150300",
                "legalRepresentative": "王志刚",
                "contactPerson": "李敏",
                "contactPhone": "0473-3981234",
                "address": "乌海市海勃湾区人民南路18号",
                "industryCode": "P",
                "creditStanding": "GOOD",
                "creditSource": "信用中国（内蒙古乌海）",
                "creditCheckedOn": "2020-02-10",
            }
        },
    )
    for operator in OPERATORS:  # the city platforms' operators, named in the catalogue
        await desk.send(
            desk.city if operator["region"].startswith("1503") else desk.region,
            "mutation($input: OrganisationInput!) { registerOrganisation(input: $input) { id } }",
            {"input": operator},
        )
    await desk.send(
        desk.region,
        "mutation($input: PolicyParameterInput!) { setPolicyParameter(input: $input) { id } }",
        {"input": {"jurisdiction": "150000", "key": "standard_amount/5", "value": 1000}},
    )
    await desk.send(
        desk.city,
        "mutation($p: String!, $r: String!) { listPlatformInCatalogue(platform: $p, reason: $r) "
        "{ platformCode } }",
        {"p": PLATFORM, "r": "列入《乌海市职业技能线上培训平台目录》（乌人社发〔2020〕26号 一）"},
    )


OPERATORS = [
    {
        "creditCode": spec.operator_credit_code,
        "name": f"{spec.name}运营中心",
        "kind": "PLATFORM_OPERATOR",
        "region": spec.operator_credit_code[2:8],
        "creditStanding": "GOOD",
        "creditSource": "信用中国（内蒙古）",
        "creditCheckedOn": "2020-02-10",
    }
    for spec in default_platforms()
]
_FILE = "mutation($input: PlatformFilingInput!) { filePlatform(input: $input) { id status } }"
_OPEN = "mutation($input: ClassOpeningInput!) { openClass(input: $input) { id status } }"


def _filing(platform: str, platform_type: str = "third_party") -> dict[str, Any]:
    names = {
        PLATFORM: ("乌海市职业技能线上培训平台", "https://wuhai-skills.example.org"),
        PUSH_PLATFORM: ("海勃湾职校企业在线学习平台", "https://acme-lms.example.org"),
    }
    name, url = names[platform]
    return {
        "platform": platform,
        "platformType": platform_type,
        "platformName": name,
        "platformUrl": url,
        "capabilities": {
            "stableTechnicalConditions": True,
            "standardDigitalResources": True,
            "realNameLedger": True,
            "recordableProcess": True,
            "issuesTrainingProofs": True,
        },
        "attachments": [
            {"name": "平台功能说明.pdf", "mediaType": "application/pdf", "size": 48213}
        ],
    }


def _opening(k: ShowcaseClass, ids: dict[str, str]) -> dict[str, Any]:
    return {
        "trainingClass": ids[k.source_id],
        "teachingPlan": [
            {"topic": "电工基础与安全用电（线上）", "hours": 32, "mode": "online"},
            {"topic": "低压电工实操训练（线下）", "hours": 48, "mode": "offline"},
        ],
        "platforms": [PLATFORM],
        "agreements": [
            {
                "platform": PLATFORM,
                "method": "平台点播与直播，学员实名登录学习，全程记录",
                "content": "电工（五级）理论课程线上教学",
                "periodFrom": (k.starts_on - timedelta(days=1)).isoformat(),
                "periodTo": (k.ends_on + timedelta(days=1)).isoformat(),
                "fee": 120,
                "responsibilities": "平台保证学时真实、可追溯；学校组织学员并按约定支付费用",
                "commissioningParty": SCHOOL_NAME,
                "commissionedParty": "乌海市职业技能线上培训平台运营方",
            }
        ],
    }


async def _claims(desk: Desk, past: list[ShowcaseClass], ids: dict[str, str]) -> dict[str, str]:
    """Each past class's claim taken to its state; returns claim ids by class."""
    claims: dict[str, str] = {}
    with on(date(2020, 4, 28)):
        for k in past:
            created = await desk.send(
                desk.school,
                "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id } }",
                {"c": ids[k.source_id]},
            )
            claims[k.source_id] = claim = created["createSubsidyClaim"]["id"]
            if k.claim_state == "draft":
                continue
            await desk.send(
                desk.school,
                "mutation($id: ID!, $a: AttachmentInput!) { attachClaimMaterial(id: $id, "
                'item: "id_proofs", attachment: $a) { id } }',
                {
                    "id": claim,
                    "a": {"name": "身份证复印件.zip", "size": 204800, "sha256": "5e" * 32},
                },
            )
            await desk.send(
                desk.school,
                "mutation($id: ID!) { acceptClaimCommitment(id: $id) { id } }",
                {"id": claim},
            )
            await desk.send(
                desk.school,
                "mutation($id: ID!) { submitSubsidyClaim(id: $id) { id } }",
                {"id": claim},
            )
    steps = zip(_CLAIM_STEPS, (desk.district, desk.city, desk.finance), strict=True)
    for n, (name, token) in enumerate(steps):
        with on(date(2020, 5, 6) + timedelta(days=7 * n)):
            for k in past:
                if _steps_after_submission(k) > n:
                    await desk.step(token, name, claims[k.source_id])
                elif k.claim_state == "blocked" and name == "approveSubsidyClaim":
                    # The city tries; supervision says no while the alerts are open.
                    refused = await desk.try_send(
                        token, _STEP.format(name=name), {"id": claims[k.source_id]}
                    )
                    if "errors" not in refused:
                        raise DemoSetupError(
                            f"the claim of {k.source_id} was approved despite its alerts"
                        )
    return claims


def _steps_after_submission(k: ShowcaseClass) -> int:
    """How many of review, approval and pre-disbursement the class's claim goes through."""
    return {
        "district_reviewed": 1,
        "blocked": 1,
        "city_approved": 2,
        "pre_disbursed": 3,
        "settled": 3,
    }.get(k.claim_state or "", 0)


async def _settle(desk: Desk, past: list[ShowcaseClass], claims: dict[str, str]) -> None:
    """The region declares the epidemic period over; finance settles by certificates."""
    with on(date(2020, 7, 1)):
        await desk.send(
            desk.region,
            "mutation($input: PolicyParameterInput!) { setPolicyParameter(input: $input) { id } }",
            {
                "input": {
                    "jurisdiction": "150000",
                    "key": "epidemic_period_ends_on",
                    "value": "2020-06-30",
                }
            },
        )
    with on(date(2020, 7, 10)):
        for k in past:
            if k.claim_state == "settled":
                await desk.step(desk.finance, "settleSubsidyClaim", claims[k.source_id])
