"""Demo-like data in every state the console shows, built through the real sync and the API.

- the three simulated platforms of `hub demo` (small), synced, checked by every fraud rule:
  statistics, alerts, sync runs;
- a Wuhai (海勃湾区) organisation's third-party platforms and four classes dated from today,
  driven through the workflow as the bureaus would: filings waiting for the district and for
  the city, an opening waiting for approval, claims waiting for the district, the city and
  finance; one invalid record in quarantine;
- a staff account per role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console as RichConsole
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.console.accounts import create_account
from hub.db import transaction
from hub.demo import start_platforms
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.policy.calendar import china_day
from hub.security.pii import PiiVault
from hub.settings import Settings
from hub.supervision.rules import check
from hub.sync.runner import sync_all
from schema.enums import PlatformType
from schema.types import clock_shifted, utcnow
from tests.policy.flow import (
    CAPABILITIES,
    FILE_PLATFORM,
    OPEN_CLASS,
    SET_PARAMETER,
    step_mutation,
)
from tests.records import ORG, course, enrolment, resident_id, session, trainee, training_class

PASSWORD = "console-test-pass"
PLATFORMS = ("wh-3p", "wh-3p-b", "wh-3p-c")
# username -> (display name, role, region, org)
ACCOUNTS: dict[str, tuple[str, Role, str | None, str | None]] = {
    "region": ("自治区管理员", Role.REGION, None, None),
    "wuhai": ("乌海市人社局", Role.CITY, "150300", None),
    "hohhot": ("呼和浩特市人社局", Role.CITY, "150100", None),
    "haibowan": ("海勃湾区人社局", Role.DISTRICT, "150302", None),
    "finance": ("乌海市财政局", Role.FINANCE, "150300", None),
    "org": ("乌海某培训学校", Role.ORG, None, ORG),
    "auditor": ("审计", Role.AUDITOR, None, None),
}
# class source id -> how far its claim goes (None: opening waits for approval)
CLASS_STATES = {"K1": "submitted", "K2": "district_reviewed", "K3": "city_approved", "K4": None}


@dataclass
class ConsoleData:
    """What the tests look for: the claim ids by state, the token secret, the accounts."""

    settings: Settings
    claims: dict[str, str]  # state -> SubsidyClaim global id
    filings: dict[str, str]  # status -> PlatformFiling global id
    opening_waiting: str  # ClassOpening global id
    org: str = ORG  # credit code of the organisation behind the classes


def _at(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+08:00"


def class_ledger(letter: str, start: date, serial: int) -> list[dict[str, Any]]:
    """One class of three trainees: 40 h online and 48 h offline, 20 h, 10 h (as tests/policy)."""
    k = f"K{letter}"
    records: list[dict[str, Any]] = [
        training_class(
            k,
            region_code="150302",
            organiser_credit_code=ORG,
            starts_on=start.isoformat(),
            ends_on=(start + timedelta(days=40)).isoformat(),
            name=f"电工（五级）线上班 第{letter}期",
        )
    ]
    names = {"A": "张伟", "B": "李娜", "C": "王芳"}
    # Each class studies from its own hour: no five persons share a session to the second,
    # which the bulk-fabrication rule would flag (and a high alert holds the claim's money).
    shift = int(letter) - 1
    for n, (who, name) in enumerate(names.items()):
        t = f"T{letter}{who}"
        records.append(trainee(t, name=name, id_number=resident_id(serial=f"{serial + n:03d}")))
        records.append(enrolment(f"E{letter}{who}", t, k))
    for who, days in {"A": 4, "B": 2, "C": 1}.items():
        for d in range(days):
            day = start + timedelta(days=d)
            records.append(
                session(
                    f"S{letter}{who}{d}",
                    f"T{letter}{who}",
                    _at(day, 8 + shift),
                    _at(day, 18 + shift),
                    class_source_id=k,
                )
            )
    for d in range(4):
        day = start + timedelta(days=10 + d)
        records.append(
            session(
                f"S{letter}A-off{d}",
                f"T{letter}A",
                _at(day, 8 + shift),
                _at(day, 20 + shift),
                class_source_id=k,
                mode="offline",
            )
        )
    for who, passed in (("A", True), ("B", True), ("C", False)):
        records.append(
            {
                "type": "assessment",
                "source_id": f"Q{letter}{who}",
                "trainee_source_id": f"T{letter}{who}",
                "class_source_id": k,
                "assessed_at": _at(start + timedelta(days=20), 9),
                "passed": passed,
                "score": 80 if passed else 40,
            }
        )
    return records


class _Api:
    def __init__(self, client: httpx.AsyncClient, secret: str) -> None:
        self.client = client
        self.secret = secret

    async def data(self, role: Role, query: str, variables: dict[str, Any], **claims: Any) -> dict:
        token = issue_token(self.secret, role, **claims)
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def step(self, role: Role, mutation: str, id: str, **claims: Any) -> None:
        await self.data(role, step_mutation(mutation), {"id": id, "reason": None}, **claims)


async def build(engine: AsyncEngine, settings: Settings, persons: int = 40) -> ConsoleData:
    """Fill the (empty, migrated) database of `engine`; see the module docstring."""
    with ExitStack() as stack:
        demo = start_platforms(stack, persons, date.today())
        results = await sync_all(settings, demo.configs, RichConsole(quiet=True))
        assert all(r.ok for r in results), results
    vault = PiiVault(settings.effective_data_key)
    today = china_day(utcnow())
    assert today is not None
    start = today + timedelta(days=3)
    async with transaction(engine) as db:
        for n, code in enumerate(PLATFORMS):
            await ensure_platform(
                db,
                code,
                name=("乌海职业技能云课堂", "乌海技工在线", "海勃湾学习网")[n],
                url=f"https://{code}.example",
                region_code="150300",
                operator_credit_code=None if code == "wh-3p" else ORG,
                platform_type=PlatformType.THIRD_PARTY,
            )
        platform = await ensure_platform(db, "wh-3p")
        records: list[dict[str, Any]] = [course("C1")]
        training: list[dict[str, Any]] = []  # what the classes do, reported once they have run
        for n, letter in enumerate("1234"):
            for record in class_ledger(letter, start, 100 + 10 * n):
                registered = record["type"] in ("class", "trainee", "enrolment")
                (records if registered else training).append(record)
        records.append({"type": "trainee", "source_id": "BAD1", "name": "赵六", "id_number": "123"})
        await Ingestor(db, platform.id, vault).ingest(records)
        platform_id = platform.id
        for username, (name, role, region, org) in ACCOUNTS.items():
            await create_account(
                db,
                username=username,
                name=name,
                role=role.value,
                password=PASSWORD,
                region=region,
                org=org,
            )
    app = create_app(settings, engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        api = _Api(client, settings.effective_jwt_secret)

        async def report_training() -> None:
            async with transaction(engine) as db:
                await Ingestor(db, platform_id, vault).ingest(training)

        data = await _workflows(api, start, report_training)
    await check(engine)  # last: the alerts of every record above, the workflows already taken
    data.settings = settings
    return data


async def _workflows(
    api: _Api, start: date, report_training: Callable[[], Awaitable[None]]
) -> ConsoleData:
    """Filings and openings today, before the classes start; then, with the hub's clock moved
    past the classes' end, their sessions arrive and the claims are made."""
    district = {"region": "150302"}
    city = {"region": "150300"}
    for key, value in (
        ("online_training_policy", "内人社办发〔2020〕16号"),
        ("standard_amount/5", 1000),
    ):
        await api.data(
            Role.REGION,
            SET_PARAMETER,
            {"input": {"jurisdiction": "150000", "key": key, "value": value}},
        )
    filings: dict[str, str] = {}
    for code, status in zip(PLATFORMS, ("approved", "filed", "district_reviewed"), strict=True):
        filed = await api.data(
            Role.ORG,
            FILE_PLATFORM,
            {"input": _filing(code)},
            org=ORG,
        )
        filing_id = filed["filePlatform"]["id"]
        filings[status] = filing_id
        if status != "filed":
            await api.step(Role.DISTRICT, "reviewPlatformFiling", filing_id, **district)
        if status == "approved":
            await api.step(Role.CITY, "approvePlatformFiling", filing_id, **city)
    classes = await api.data(
        Role.ORG, "{ trainingClasses(first: 50) { edges { node { id sourceId } } } }", {}, org=ORG
    )
    class_ids = {
        e["node"]["sourceId"]: e["node"]["id"] for e in classes["trainingClasses"]["edges"]
    }
    claims: dict[str, str] = {}
    opening_waiting = ""
    for source_id, claim_state in CLASS_STATES.items():
        opened = await api.data(
            Role.ORG, OPEN_CLASS, {"input": _opening(class_ids[source_id], start)}, org=ORG
        )
        opening_id = opened["openClass"]["id"]
        if claim_state is None:
            opening_waiting = opening_id
            continue
        await api.step(Role.DISTRICT, "approveClassOpening", opening_id, **district)
    with clock_shifted(timedelta(days=50)):  # the classes (start + 40 days) have ended
        await report_training()
        for source_id, claim_state in CLASS_STATES.items():
            if claim_state is not None:
                claims[claim_state] = await _claim(api, class_ids[source_id], claim_state)
    return ConsoleData(Settings(data_dir=Path(".")), claims, filings, opening_waiting)


async def _claim(api: _Api, class_id: str, state: str) -> str:
    org = {"org": ORG}
    created = await api.data(
        Role.ORG,
        "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id } }",
        {"c": class_id},
        **org,
    )
    claim_id = created["createSubsidyClaim"]["id"]
    await api.data(
        Role.ORG,
        """mutation($id: ID!, $a: AttachmentInput!) {
             attachClaimMaterial(id: $id, item: "id_proofs", attachment: $a) { id } }""",
        {"id": claim_id, "a": {"name": "身份证复印件.zip", "size": 20480, "sha256": "ab" * 32}},
        **org,
    )
    await api.data(
        Role.ORG,
        "mutation($id: ID!) { acceptClaimCommitment(id: $id) { id } }",
        {"id": claim_id},
        **org,
    )
    await api.step(Role.ORG, "submitSubsidyClaim", claim_id, **org)
    if state in ("district_reviewed", "city_approved"):
        await api.step(Role.DISTRICT, "reviewSubsidyClaim", claim_id, region="150302")
    if state == "city_approved":
        await api.step(Role.CITY, "approveSubsidyClaim", claim_id, region="150300")
    return claim_id


def _filing(code: str) -> dict[str, Any]:
    return {
        "platform": code,
        "platformType": "third_party",
        "district": "150302",
        "legalRepresentative": "赵强",
        "contactPerson": "钱敏",
        "contactPhone": "0473-1234567",
        "capabilities": CAPABILITIES,
        "attachments": [{"name": "平台功能说明.pdf", "mediaType": "application/pdf", "size": 1024}],
    }


def _opening(class_id: str, start: date) -> dict[str, Any]:
    return {
        "trainingClass": class_id,
        "teachingPlan": [
            {"topic": "电工基础理论（线上）", "hours": 32, "mode": "online"},
            {"topic": "实操训练（线下）", "hours": 48, "mode": "offline"},
        ],
        "platforms": ["wh-3p"],
        "agreements": [
            {
                "platform": "wh-3p",
                "method": "平台直播与点播，学员实名登录学习",
                "content": "电工（五级）理论课程线上教学",
                "periodFrom": (start - timedelta(days=1)).isoformat(),
                "periodTo": (start + timedelta(days=41)).isoformat(),
                "fee": 150,
                "responsibilities": "平台保证学时真实、可追溯；委托方组织学员并支付费用",
                "commissioningParty": "乌海某培训学校",
                "commissionedParty": "乌海职业技能云课堂运营公司",
            }
        ],
    }
