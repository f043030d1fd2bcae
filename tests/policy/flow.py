"""Helpers of the policy tests and their data: a Wuhai class on a commissioned third-party
platform, dated from today so it can be approved before it starts, with three trainees whose
hours make a hand-computable claim:

| trainee | online h | offline h | assessment | certificate |
|---|---|---|---|---|
| A 张伟 | 40 (counts 32 = 40% of 80) | 48 | passed | yes |
| B 李娜 | 20 | 0 | passed | yes |
| C 王芳 | 10 | 0 | failed | no |

Standard amount 1000 (电工, level 5), course 80 hours; agreement fee 150.

The class starts three days from today so its opening can be approved before it starts; the
sessions and assessments are reported once they happened: `WuhaiClass.train()` moves the hub's
clock past the class's end and ingests them then.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from schema.types import clock_shifted, utcnow
from tests.api.conftest import Api
from tests.records import ORG, course, enrolment, resident_id, session, trainee, training_class

PLATFORM = "wh-3p"
Token = Callable[..., str]


def _at(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+08:00"


@dataclass
class WuhaiClass:
    class_id: str  # global ids
    trainees: dict[str, str]  # A/B/C -> Trainee global id
    starts_on: date
    ends_on: date
    engine: AsyncEngine
    vault: PiiVault
    clock: ExitStack = field(default_factory=ExitStack)

    def move_clock_to(self, day: date, hour: int = 10) -> None:
        """Set the hub's clock forward to `day` at `hour` (UTC+8); undone after the test."""
        target = datetime.fromisoformat(_at(day, hour))
        self.clock.enter_context(clock_shifted(target - utcnow()))

    async def train(self) -> None:
        """The class runs: two days after its end the platform reports sessions and assessments."""
        self.move_clock_to(self.ends_on + timedelta(days=2))
        await self.ingest(training(self.starts_on))

    async def ingest(self, records: list[dict[str, Any]]) -> None:
        async with transaction(self.engine) as db:
            platform = await ensure_platform(db, PLATFORM)
            stats = await Ingestor(db, platform.id, self.vault).ingest(records)
            assert stats.total.quarantined == 0, stats

    async def certify(self, *letters: str) -> None:
        """Certificates arrive after the training, before settlement."""
        await self.ingest(
            [
                {
                    "type": "certificate",
                    "source_id": f"Z{letter}",
                    "trainee_source_id": f"T{letter}",
                    "class_source_id": "K1",
                    "kind": "skill_level",
                    "number": f"WH-2020-{letter}",
                    "issued_on": (self.ends_on + timedelta(days=1)).isoformat(),
                    "occupation_code": "6-31-01-03",
                    "skill_level": 5,
                }
                for letter in letters
            ]
        )


def ledger(start: date) -> list[dict[str, Any]]:
    """The platform's records for class K1 known before it starts: course, class, roster."""
    names = {"A": "张伟", "B": "李娜", "C": "王芳"}
    records: list[dict[str, Any]] = [
        course("C1"),
        training_class(
            "K1",
            region_code="150302",
            organiser_credit_code=ORG,
            starts_on=start.isoformat(),
            ends_on=(start + timedelta(days=40)).isoformat(),
            name="电工（五级）线上班",
        ),
    ]
    for n, (letter, name) in enumerate(names.items(), start=1):
        records.append(trainee(f"T{letter}", name=name, id_number=resident_id(serial=f"{n:03d}")))
        records.append(enrolment(f"E{letter}", f"T{letter}"))
    return records


def training(start: date) -> list[dict[str, Any]]:
    """Sessions and assessments of class K1 (see the module docstring)."""
    records: list[dict[str, Any]] = []
    online = {"A": 4, "B": 2, "C": 1}  # days of 10 hours online
    for letter, days in online.items():
        for d in range(days):
            day = start + timedelta(days=d)
            records.append(
                session(
                    f"S{letter}{d}", f"T{letter}", _at(day, 8), _at(day, 18), class_source_id="K1"
                )
            )
    for d in range(4):  # A: 4 × 12 hours offline
        day = start + timedelta(days=10 + d)
        records.append(
            session(
                f"SA-off{d}", "TA", _at(day, 8), _at(day, 20), class_source_id="K1", mode="offline"
            )
        )
    for letter, passed in (("A", True), ("B", True), ("C", False)):
        records.append(
            {
                "type": "assessment",
                "source_id": f"Q{letter}",
                "trainee_source_id": f"T{letter}",
                "class_source_id": "K1",
                "assessed_at": _at(start + timedelta(days=20), 9),
                "passed": passed,
                "score": 80 if passed else 40,
            }
        )
    return records


CAPABILITIES = {
    "stableTechnicalConditions": True,
    "standardDigitalResources": True,
    "realNameLedger": True,
    "recordableProcess": True,
    "issuesTrainingProofs": True,
}
FILE_PLATFORM = """
mutation($input: PlatformFilingInput!) { filePlatform(input: $input) { id status } }
"""


def step_mutation(name: str) -> str:
    return (
        "mutation($id: ID!, $reason: String) { "
        + name
        + "(id: $id, reason: $reason) { id status } }"
    )


OPEN_CLASS = """
mutation($input: ClassOpeningInput!) {
  openClass(input: $input) { id status totalHours onlineHours rosterSize agreements { fee } }
}
"""
SET_PARAMETER = """
mutation($input: PolicyParameterInput!) { setPolicyParameter(input: $input) { id key value jurisdiction } }
"""
CLAIM_FIELDS = """
id status eligibleTrainees qualifiedTrainees certifiedTrainees excludedTrainees standardAmount
subsidyAmount preDisbursedAmount settledAmount platformFee balanceDue parameters
checklist { key complete }
lines { trainee onlineHours countedOnlineHours offlineHours creditedHours qualified certified settledAmount }
history { fromStatus toStatus actorSubject actorRole reason at }
"""


def filing_input(**overrides: Any) -> dict[str, Any]:
    data = {
        "platform": PLATFORM,
        "platformType": "third_party",
        "district": "150302",
        "legalRepresentative": "赵强",
        "contactPerson": "钱敏",
        "contactPhone": "0473-1234567",
        "capabilities": CAPABILITIES,
        "attachments": [{"name": "平台功能说明.pdf", "mediaType": "application/pdf", "size": 1024}],
    }
    data.update(overrides)
    return data


def opening_input(w: WuhaiClass, online: float = 32, offline: float = 48) -> dict[str, Any]:
    return {
        "trainingClass": w.class_id,
        "teachingPlan": [
            {"topic": "电工基础理论（线上）", "hours": online, "mode": "online"},
            {"topic": "实操训练（线下）", "hours": offline, "mode": "offline"},
        ],
        "platforms": [PLATFORM],
        "agreements": [
            {
                "platform": PLATFORM,
                "method": "平台直播与点播，学员实名登录学习",
                "content": "电工（五级）理论课程线上教学",
                "periodFrom": (w.starts_on - timedelta(days=1)).isoformat(),
                "periodTo": (w.ends_on + timedelta(days=1)).isoformat(),
                "fee": 150,
                "responsibilities": "平台保证学时真实、可追溯；委托方组织学员并支付费用",
                "commissioningParty": "乌海某电力企业",
                "commissionedParty": "乌海职业技能云课堂运营公司",
            }
        ],
    }


async def step(api: Api, tok: str, mutation: str, id: str, reason: str | None = None) -> dict:
    return await api.data(tok, step_mutation(mutation), {"id": id, "reason": reason})


async def error_code(api: Api, tok: str, query: str, variables: dict[str, Any]) -> str:
    body = await api.query(tok, query, variables)
    assert "errors" in body, body
    return body["errors"][0]["extensions"]["code"]


async def set_parameter(
    api: Api, tok: str, key: str, value: Any, jurisdiction: str = "150000", **more: Any
) -> dict[str, Any]:
    variables = {"input": {"jurisdiction": jurisdiction, "key": key, "value": value, **more}}
    return (await api.data(tok, SET_PARAMETER, variables))["setPolicyParameter"]


async def publish_policy(api: Api, token: Token, standard: float = 1000) -> None:
    """The region's online-training policy (in force from now, open-ended) and standard amount."""
    region = token("region")
    await set_parameter(api, region, "online_training_policy", "内人社办发〔2020〕16号")
    await set_parameter(api, region, "standard_amount/5", standard)


async def declare_epidemic_over(api: Api, token: Token, on: date) -> None:
    """The region declares the epidemic period over on `on` (settlement may follow)."""
    await set_parameter(api, token("region"), "epidemic_period_ends_on", on.isoformat())


async def prepare_class(
    api: Api, token: Token, w: WuhaiClass, standard: float = 1000, train: bool = True
) -> str:
    """Region sets the standard; the platform is filed and approved; the class opening approved;
    then (if `train`) the class runs and its sessions arrive.

    Returns the ClassOpening id.
    """
    await publish_policy(api, token, standard)
    filed = await api.data(token("org", org=ORG), FILE_PLATFORM, {"input": filing_input()})
    filing_id = filed["filePlatform"]["id"]
    await step(api, token("district", region="150302"), "reviewPlatformFiling", filing_id)
    await step(api, token("city", region="150300"), "approvePlatformFiling", filing_id)
    opened = await api.data(token("org", org=ORG), OPEN_CLASS, {"input": opening_input(w)})
    opening_id = opened["openClass"]["id"]
    await step(api, token("district", region="150302"), "approveClassOpening", opening_id)
    if train:
        await w.train()
    return opening_id


async def submitted_claim(api: Api, token: Token, w: WuhaiClass) -> dict[str, Any]:
    """Create, complete the checklist, accept the commitment and submit; returns the claim."""
    org = token("org", org=ORG)
    created = await api.data(
        org,
        "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id status } }",
        {"c": w.class_id},
    )
    claim_id = created["createSubsidyClaim"]["id"]
    await api.data(
        org,
        """mutation($id: ID!, $a: AttachmentInput!) {
             attachClaimMaterial(id: $id, item: "id_proofs", attachment: $a) { id } }""",
        {"id": claim_id, "a": {"name": "身份证复印件.zip", "size": 20480, "sha256": "ab" * 32}},
    )
    await api.data(
        org, "mutation($id: ID!) { acceptClaimCommitment(id: $id) { id } }", {"id": claim_id}
    )
    done = await api.data(
        org,
        "mutation($id: ID!) { submitSubsidyClaim(id: $id) { " + CLAIM_FIELDS + " } }",
        {"id": claim_id},
    )
    return done["submitSubsidyClaim"]
