"""Personal numbers in quarantine, source ids and alert evidence: masked unless pii, reads logged.

Platforms send their own shapes: a connector that cannot map an object quarantines it under
`_raw` with the platform's keys (身份证号, 手机号, 证件号码), numbers as JSON numbers, nested
objects and lists. A spreadsheet without a 学员编号 column keys trainees by the ID number, so a
source id, a reason and a waited-for key may hold it too. No caller without pii reads any of
them in clear — by `quarantinedRecords`, `node(id:)`, a trainee's `sourceId` or an alert — and a
pii caller's read is in the access log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import pytest_asyncio
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest import Ingestor
from hub.security.pii import PiiVault
from schema import tables
from tests.api.conftest import Api
from tests.records import enrolment, resident_id, trainee

KEYED = resident_id("150302", "19850505", "321")  # a trainee keyed by its ID number
OTHER = resident_id("150303", "19700101", "555")
_VALID = resident_id("150302", "19900101", "123")
BAD_CHECK = _VALID[:17] + ("1" if _VALID[17] != "1" else "2")  # ID-shaped, wrong check digit
PHONE = 13912345678
NUMBERS = [KEYED, OTHER, BAD_CHECK, str(PHONE), "15000001111", "150302880101123"]
EVERY_PERSONAL = re.compile(r"(?<!\d)(\d{17}[\dX]|\d{15}|1[3-9]\d{9})(?!\d)")

QUARANTINE = """{ quarantinedRecords(filter: {openOnly: false}, first: 500) { edges { node {
  id sourceId reason waitingForId raw } } } }"""
TRAINEES = "{ trainees(first: 500) { edges { node { id sourceId } } } }"
ALERTS = "{ alerts { edges { node { evidence records { sourceId } } } } }"

NO_PII = {
    "region": {"role": "region"},
    "city": {"role": "city", "region": "150300"},
    "district": {"role": "district", "region": "150302"},
    "connector": {"role": "connector", "platform": "wh"},
}


@pytest_asyncio.fixture(loop_scope="session")
async def personal_quarantine(two_cities: None, engine: AsyncEngine, vault: PiiVault) -> None:
    platform_raw = {
        "姓名": "王芳",
        "身份证号": BAD_CHECK,
        "手机号": PHONE,
        "家庭": {"联系人": {"证件号码": int(OTHER[:17] + "0"), "电话": "150-0000-1111"}},
        "备注": [f"曾用证件 {OTHER}", {"nested": [[{"deep": int(KEYED[:17] + "1")}]]}],
        OTHER: "a key that is itself an ID number",
        "old_id": "150302880101123",
    }
    records = [
        {"type": "trainee", "source_id": BAD_CHECK, "_raw": platform_raw, "_error": "unmappable"},
        trainee(KEYED, id_number=KEYED),  # accepted: its source id is its ID number
        enrolment(f"{OTHER}-K1", OTHER, "K1"),  # waits for a trainee keyed by an ID number
        trainee("X1", id_number=BAD_CHECK, phone="13912345678"),  # invalid: wrong check digit
    ]
    async with transaction(engine) as db:
        wh = (
            await db.execute(select(tables.Platform).where(tables.Platform.code == "wh"))
        ).scalar_one()
        stats = await Ingestor(db, wh.id, vault).ingest(records)
        assert stats.total.quarantined == 3, stats
        row = (
            await db.execute(select(tables.Trainee).where(tables.Trainee.source_id == KEYED))
        ).scalar_one()
        alert_id = (
            await db.execute(
                insert(tables.Alert)
                .values(
                    rule="identity_altered",
                    dedup_key="m:1",
                    severity="high",
                    region_code="150302",
                    evidence={"trainee_source_id": KEYED, "values": {"phone": [PHONE, None]}},
                )
                .returning(tables.Alert.id)
            )
        ).scalar_one()
        await db.execute(
            insert(tables.AlertRecord).values(
                alert_id=alert_id,
                platform_id=wh.id,
                record_type="trainee",
                source_id=KEYED,
                row_id=row.id,
                region_code="150302",
            )
        )


@pytest.mark.usefixtures("personal_quarantine")
async def test_no_personal_number_reaches_a_caller_without_pii(
    api: Api, token: Callable[..., str]
) -> None:
    for who, claims in NO_PII.items():
        bearer = token(**claims)
        data = await api.data(bearer, QUARANTINE)
        nodes = [e["node"] for e in data["quarantinedRecords"]["edges"]]
        assert len(nodes) == 3, who
        ids = " ".join(
            f'n{i}: node(id: "{n["id"]}") {{ ... on QuarantinedRecord {{ raw sourceId }} }}'
            for i, n in enumerate(nodes)
        )
        looked_up = await api.data(bearer, "{ " + ids + " }")
        trainees = await api.data(bearer, TRAINEES)
        alerts = await api.data(bearer, ALERTS)
        text = json.dumps([data, looked_up, trainees, alerts], ensure_ascii=False)
        assert not EVERY_PERSONAL.findall(text), (who, EVERY_PERSONAL.findall(text))
        for number in NUMBERS:
            assert number not in text, (who, number)
        # Still useful: masked in the bureaus' print form, keys and structure kept.
        masked_bad = BAD_CHECK[:6] + "********" + BAD_CHECK[-4:]
        raw = next(n["raw"] for n in nodes if n["sourceId"] == masked_bad)
        assert raw["身份证号"] == masked_bad
        assert raw["手机号"] == "139****5678"
        assert raw["姓名"] == "王芳"
        assert set(raw["家庭"]["联系人"]) == {"证件号码", "电话"}
    region = await api.data(token("region"), TRAINEES)
    keyed = [e["node"]["sourceId"] for e in region["trainees"]["edges"]]
    assert KEYED[:6] + "********" + KEYED[-4:] in keyed


@pytest.mark.usefixtures("personal_quarantine")
async def test_pii_callers_read_them_and_the_reads_are_logged(
    api: Api, token: Callable[..., str]
) -> None:
    for claims in ({"role": "auditor"}, {"role": "region", "pii": True}):
        bearer = token(**claims)
        text = json.dumps(
            [await api.data(bearer, q) for q in (QUARANTINE, TRAINEES, ALERTS)],
            ensure_ascii=False,
        )
        for number in (KEYED, OTHER, BAD_CHECK, str(PHONE)):
            assert number in text, (claims, number)
    log = await api.data(
        token("auditor"),
        "{ accessLog(first: 500) { edges { node { entity fields recordIds } } } }",
    )
    logged = {
        (n["entity"], field)
        for n in (e["node"] for e in log["accessLog"]["edges"])
        for field in n["fields"]
    }
    assert {
        ("quarantine", "raw"),
        ("quarantine", "sourceId"),
        ("quarantine", "waitingForId"),
        ("trainee", "sourceId"),
        ("alert", "evidence"),
        ("alert_record", "sourceId"),
    } <= logged
