"""The demo has a case in every workflow state, and the workflow can be walked on it by API.

Run against a fresh demo database built as `hub demo` builds it (tests/demo/conftest.py).
"""

from __future__ import annotations

import re
from collections import Counter

from tests.demo.conftest import DemoHub

CLAIMS = """{ subsidyClaims(first: 100) { edges { node {
  id status year subsidyAmount preDisbursedAmount settledAmount
  trainingClass { sourceId } blockingAlerts { id rule } } } } }"""


async def claims_by_class(demo: DemoHub) -> dict[str, dict]:
    data = await demo.query(demo.token("region"), CLAIMS)
    edges = data["data"]["subsidyClaims"]["edges"]
    return {e["node"]["trainingClass"]["sourceId"]: e["node"] for e in edges}


async def test_a_claim_in_every_state_and_one_blocked(demo_hub: DemoHub) -> None:
    claims = await claims_by_class(demo_hub)
    states = Counter(c["status"] for c in claims.values())
    for state in (
        "draft",
        "submitted",
        "district_reviewed",
        "city_approved",
        "pre_disbursed",
        "settled",
    ):
        assert states[state] >= 1, (state, states)
    blocked = claims["SC-K7"]
    assert blocked["status"] == "district_reviewed"
    assert {a["rule"] for a in blocked["blockingAlerts"]} == {"CERTIFICATE_BEFORE_TRAINING"}
    settled = claims["SC-K1"]
    # S = 1000 per person; A and B certified with 32 h online + 48 h offline = 80 h; C failed.
    # Wuhai pre-disburses 20% × S × qualified (2) = 400; settles S per certified person = 2000.
    assert (settled["subsidyAmount"], settled["preDisbursedAmount"]) == (3000, 400)
    assert settled["settledAmount"] == 2000
    assert all(c["year"] == 2020 for c in claims.values())


async def test_filings_and_openings_waiting_and_approved(demo_hub: DemoHub) -> None:
    data = await demo_hub.query(
        demo_hub.token("region"),
        "{ platformFilings { edges { node { status platform { code } } } } "
        "  classOpenings(first: 50) { edges { node { status trainingClass { sourceId startsOn } } } } }",
    )
    filings = {
        e["node"]["platform"]["code"]: e["node"]["status"]
        for e in data["data"]["platformFilings"]["edges"]
    }
    assert filings == {"wuhai-skills": "approved", "acme-lms": "filed"}
    openings = {
        e["node"]["trainingClass"]["sourceId"]: e["node"]["status"]
        for e in data["data"]["classOpenings"]["edges"]
    }
    assert openings.pop("SC-K9") != "approved"  # starts in two weeks, waits for the district
    assert set(openings.values()) == {"approved"} and len(openings) == 7


async def test_quarantine_has_readable_reasons(demo_hub: DemoHub) -> None:
    data = await demo_hub.query(
        demo_hub.token("city 150300"),
        "{ quarantinedRecords { edges { node { sourceId reason } } } }",
    )
    reasons = {
        e["node"]["sourceId"]: e["node"]["reason"]
        for e in data["data"]["quarantinedRecords"]["edges"]
    }
    assert "check digit" in reasons["SC-BAD-ID"]
    assert "not after started_at" in reasons["SC-BAD-TIME"]
    assert "has not sent" in reasons["SC-ORPHAN"]
    assert not any("Value error" in r for r in reasons.values())


def test_first_sync_reports_nothing_unchanged(demo_hub: DemoHub) -> None:
    totals = [line for line in demo_hub.output.splitlines() if " total " in line]
    assert len(totals) == 3
    for line in totals:
        read, inserted, updated, unchanged, _ = [int(c) for c in re.findall(r"\d+", line)]
        assert unchanged == 0 and updated == 0 and inserted > 0, line


def test_tokens_for_every_role_and_a_summary(demo_hub: DemoHub) -> None:
    roles = {label.split()[0] for label in demo_hub.tokens}
    assert roles == {"region", "city", "district", "finance", "org", "connector", "auditor"}
    line = demo_hub.summary.line()
    assert "4 platforms" in line and "CERTIFICATE_BEFORE_TRAINING 2" in line
    for state in ("draft 1", "settled 1", "pre_disbursed 1", "city_approved 1"):
        assert state in line


async def test_the_public_catalogue_lists_wuhai_s_platform_by_name(demo_hub: DemoHub) -> None:
    body = await demo_hub.query(
        None, '{ platformCatalogue(region: "150300") { platformCode name url operator } }'
    )
    listed = {e["platformCode"]: e for e in body["data"]["platformCatalogue"]}
    assert listed["wuhai-skills"]["name"] == "乌海市职业技能线上培训平台"
    assert listed["wuhai-skills"]["operator"] == "乌海市职业技能线上培训平台运营中心"
    assert listed["wuhai-skills"]["url"].startswith("https://")
