"""Platform filing and class opening rules, and one claim per person, occupation, level and year."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.supervision import ledger
from schema.tables import LedgerEntry, WorkflowTransition
from tests.api.conftest import Api
from tests.policy.flow import (
    CAPABILITIES,
    FILE_PLATFORM,
    OPEN_CLASS,
    Token,
    WuhaiClass,
    error_code,
    filing_input,
    opening_input,
    prepare_class,
    publish_policy,
    step,
    submitted_claim,
)
from tests.records import ORG, enrolment, resident_id, session, trainee, training_class

FILING = """query($id: ID!) { node(id: $id) { ... on PlatformFiling {
  status approvedAt capabilities { key answer } platform { code filingStatus }
  history { fromStatus toStatus actorRole reason } } } }"""


async def test_filing_is_reviewed_by_the_district_and_approved_by_the_city(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    org, district = token("org", org=ORG), token("district", region="150302")
    city = token("city", region="150300")
    filing_id = (await api.data(org, FILE_PLATFORM, {"input": filing_input()}))["filePlatform"][
        "id"
    ]
    # The city cannot approve before the district reviewed.
    body = await api.query(city, _step("approvePlatformFiling"), {"id": filing_id})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await step(api, district, "reviewPlatformFiling", filing_id, "资料齐全")
    await step(api, city, "approvePlatformFiling", filing_id, "同意备案")
    node = (await api.data(district, FILING, {"id": filing_id}))["node"]
    assert node["status"] == "approved" and node["approvedAt"]
    assert node["platform"]["filingStatus"] == "APPROVED"
    assert [(h["fromStatus"], h["toStatus"], h["actorRole"]) for h in node["history"]] == [
        (None, "filed", "org"),
        ("filed", "district_reviewed", "district"),
        ("district_reviewed", "approved", "city"),
    ]


async def test_a_platform_lacking_a_capability_is_returned_not_approved(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    org, district = token("org", org=ORG), token("district", region="150302")
    lacking = filing_input(capabilities={**CAPABILITIES, "issuesTrainingProofs": False})
    filing_id = (await api.data(org, FILE_PLATFORM, {"input": lacking}))["filePlatform"]["id"]
    await step(api, district, "reviewPlatformFiling", filing_id)
    city = token("city", region="150300")
    assert await error_code(api, city, _step("approvePlatformFiling"), {"id": filing_id}) == (
        "BAD_USER_INPUT"
    )
    returned = await api.data(
        city,
        'mutation($id: ID!) { returnPlatformFiling(id: $id, reason: "不能出具培训证明") { status } }',
        {"id": filing_id},
    )
    assert returned["returnPlatformFiling"]["status"] == "returned"
    bad_type = filing_input(platformType="catalogue")
    assert await error_code(api, org, FILE_PLATFORM, {"input": bad_type}) == "BAD_USER_INPUT"
    not_district = filing_input(district="150300")
    assert await error_code(api, org, FILE_PLATFORM, {"input": not_district}) == "BAD_USER_INPUT"


async def test_class_opening_rejects_more_than_40_percent_online(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    org = token("org", org=ORG)
    body = await api.query(org, OPEN_CLASS, {"input": opening_input(wuhai, online=40, offline=40)})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "exceed 40%" in error["message"] and "at most 32" in error["message"]
    no_agreement = {**opening_input(wuhai), "agreements": []}
    body = await api.query(org, OPEN_CLASS, {"input": no_agreement})
    assert "agreement" in body["errors"][0]["message"]
    short = opening_input(wuhai)
    short["agreements"][0]["periodTo"] = wuhai.starts_on.isoformat()
    body = await api.query(org, OPEN_CLASS, {"input": short})
    assert "does not cover the class" in body["errors"][0]["message"]
    opened = await api.data(org, OPEN_CLASS, {"input": opening_input(wuhai)})
    assert opened["openClass"] == {
        "id": opened["openClass"]["id"],
        "status": "submitted",
        "totalHours": 80,
        "onlineHours": 32,
        "rosterSize": 3,
        "agreements": [{"fee": 150}],
    }


async def test_a_class_that_has_started_cannot_be_approved(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    started = wuhai.starts_on - timedelta(days=3)  # today
    await wuhai.ingest(
        [
            training_class(
                "K0",
                starts_on=started.isoformat(),
                ends_on=wuhai.ends_on.isoformat(),
                name="已开班",
            ),
            enrolment("E0A", "TA", "K0"),
        ]
    )
    application = {**opening_input(wuhai), "trainingClass": await _class_id(api, token, "K0")}
    application["agreements"][0]["periodFrom"] = started.isoformat()
    opened = await api.data(token("org", org=ORG), OPEN_CLASS, {"input": application})
    body = await api.query(
        token("district", region="150302"),
        _step("approveClassOpening"),
        {"id": opened["openClass"]["id"]},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "before training starts" in body["errors"][0]["message"]


async def test_hours_on_an_unapproved_platform_do_not_count(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await publish_policy(api, token)
    org = token("org", org=ORG)
    opened = await api.data(org, OPEN_CLASS, {"input": opening_input(wuhai)})
    await step(
        api, token("city", region="150300"), "approveClassOpening", opened["openClass"]["id"]
    )
    created = await api.data(
        org,
        "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { checklist { key complete } } }",
        {"c": wuhai.class_id},
    )
    annex1 = next(i for i in created["createSubsidyClaim"]["checklist"] if i["key"] == "annex1")
    assert annex1["complete"] is False


async def test_a_person_is_in_one_claim_per_occupation_level_and_year(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai, train=False)
    # A second class of the same course and year: A again, and a newcomer D.
    await wuhai.ingest(
        [
            training_class(
                "K2",
                starts_on=wuhai.starts_on.isoformat(),
                ends_on=wuhai.ends_on.isoformat(),
                name="电工（五级）二班",
            ),
            trainee("TD", name="孙丽", id_number=resident_id(serial="004")),
            enrolment("E2A", "TA", "K2"),
            enrolment("E2D", "TD", "K2"),
        ]
    )
    second_class = await _class_id(api, token, "K2")
    org = token("org", org=ORG)
    opened = await api.data(
        org, OPEN_CLASS, {"input": {**opening_input(wuhai), "trainingClass": second_class}}
    )
    await step(
        api, token("district", region="150302"), "approveClassOpening", opened["openClass"]["id"]
    )
    await wuhai.train()
    day = wuhai.starts_on + timedelta(days=1)
    await wuhai.ingest(
        [
            session(
                "S2D", "TD", f"{day}T08:00:00+08:00", f"{day}T12:00:00+08:00", class_source_id="K2"
            )
        ]
    )
    first = await submitted_claim(api, token, wuhai)
    assert first["eligibleTrainees"] == 3
    second = await submitted_claim(api, token, _with_class(wuhai, second_class))
    assert (second["eligibleTrainees"], second["excludedTrainees"]) == (1, 1)
    assert second["subsidyAmount"] == 1000


def _with_class(w: WuhaiClass, class_id: str) -> WuhaiClass:
    return WuhaiClass(class_id, w.trainees, w.starts_on, w.ends_on, w.engine, w.vault)


async def _class_id(api: Api, token: Token, source_id: str) -> str:
    data = await api.data(
        token("region"), "{ trainingClasses(first: 50) { edges { node { id sourceId } } } }"
    )
    return next(
        e["node"]["id"]
        for e in data["trainingClasses"]["edges"]
        if e["node"]["sourceId"] == source_id
    )


def _step(name: str) -> str:
    return "mutation($id: ID!) { " + name + "(id: $id) { id status } }"


async def test_workflow_transitions_are_chained_in_the_ledger(
    api: Api, token: Token, wuhai: WuhaiClass, engine: AsyncEngine
) -> None:
    org, district = token("org", org=ORG), token("district", region="150302")
    filing_id = (await api.data(org, FILE_PLATFORM, {"input": filing_input()}))["filePlatform"][
        "id"
    ]
    await step(api, district, "reviewPlatformFiling", filing_id, "资料齐全")
    async with transaction(engine) as db:
        status = await ledger.verify(db)
        kinds = (await db.execute(select(LedgerEntry.kind))).scalars().all()
    assert status.intact and kinds.count(ledger.WORKFLOW_TRANSITION) == 2
    async with transaction(engine) as db:  # someone rewrites why the district let it through
        await db.execute(update(WorkflowTransition).values(reason="无"))
    async with transaction(engine) as db:
        status = await ledger.verify(db)
    assert not status.intact and status.first_broken_seq is not None
