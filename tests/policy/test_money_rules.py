"""Single money rules outside the lifecycle walk: the policy window, configurable blocking
severities, Wuhai's pre-disbursement timing, and proofs only for training that happened."""

from __future__ import annotations

from datetime import timedelta

from schema.types import utcnow
from tests.api.conftest import Api
from tests.policy.flow import (
    Token,
    WuhaiClass,
    prepare_class,
    set_parameter,
    step,
    submitted_claim,
)
from tests.policy.money import claim_now, days, online, open_alert, refusal, report
from tests.records import ORG

PROOF = """mutation($c: ID!, $t: ID!) {
  issueTrainingProof(trainingClass: $c, trainee: $t) { code onlineHours } }"""


async def test_a_class_outside_every_policy_window_gets_no_online_subsidy(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai, train=False)
    # The region ends the online-training policy tomorrow; the class starts in three days.
    now = utcnow()
    await set_parameter(
        api,
        token("region"),
        "online_training_policy",
        "内人社办发〔2020〕16号",
        effectiveFrom=(now + timedelta(minutes=1)).isoformat(),
        effectiveUntil=(now + timedelta(days=1)).isoformat(),
    )
    body = await api.query(
        token("org", org=ORG),
        "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id } }",
        {"c": wuhai.class_id},
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "online_training_policy" in error["message"] and str(wuhai.starts_on) in error["message"]
    assert "不享受线上培训补贴" in error["message"]


async def test_a_named_severity_blocks_too_and_dismissal_clears_it(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    w, s = wuhai, wuhai.starts_on
    city, region = token("city", region="150300"), token("region")
    await set_parameter(
        api, city, "blocking_alert_severities", ["medium", "high"], jurisdiction="150300"
    )
    await prepare_class(api, token, w, train=False)
    # Nothing has happened yet: no proof.
    proof_vars = {"c": w.class_id, "t": w.trainees["C"]}
    body = await api.query(token("org", org=ORG), PROOF, proof_vars)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # C studies the day before the class starts (after approval): SESSION_OUTSIDE_CLASS, medium.
    w.move_clock_to(s - timedelta(days=1), 20)
    await report(w, [online("SC-early", "C", s - timedelta(days=1), 8, 12)])
    w.move_clock_to(s + timedelta(days=2), 20)
    await report(w, [online(f"SC{n}", "C", d, 8, 12) for n, d in enumerate(days(s, 0, 1))])
    proof = (await api.data(token("org", org=ORG), PROOF, proof_vars))["issueTrainingProof"]
    assert proof["onlineHours"] == 12  # what C recorded (4 + 4 + 4), as it happened
    claim = await submitted_claim(api, token, w)
    await step(api, token("district", region="150302"), "reviewSubsidyClaim", claim["id"])
    outside = await open_alert(api, region, "SESSION_OUTSIDE_CLASS", "SC-early")
    assert outside["severity"] == "medium"
    message = await refusal(api, city, "approveSubsidyClaim", claim["id"])
    assert "SESSION_OUTSIDE_CLASS" in message and "SC-early" in message
    await api.data(
        city,
        'mutation($id: ID!) { dismissAlert(id: $id, reason: "补课经批准") { status } }',
        {"id": outside["id"]},
    )
    approved = await step(api, city, "approveSubsidyClaim", claim["id"])
    assert approved["approveSubsidyClaim"]["status"] == "city_approved"
    # A dismissed alert proves nothing false: C's 8 hours in the class period still count.
    lines = (await claim_now(api, region, claim["id"]))["lines"]
    assert sorted(line["creditedHours"] for line in lines) == [0, 0, 8]


async def test_wuhai_pre_disburses_only_after_the_online_training_ended(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    w, s, e = wuhai, wuhai.starts_on, wuhai.ends_on
    city, finance = token("city", region="150300"), token("finance", region="150300")
    await set_parameter(
        api, city, "pre_disbursement_timing", "after_online_training_ended", jurisdiction="150300"
    )
    await prepare_class(api, token, w, train=False)
    w.move_clock_to(s + timedelta(days=5), 20)
    await report(w, [online("SA0", "A", s, 8, 12)])
    claim = await submitted_claim(api, token, w)
    await step(api, token("district", region="150302"), "reviewSubsidyClaim", claim["id"])
    await step(api, city, "approveSubsidyClaim", claim["id"])
    message = await refusal(api, finance, "preDisburseSubsidyClaim", claim["id"])
    assert "线上培训结束后" in message and str(e) in message
    assert (await claim_now(api, city, claim["id"]))["paidAmount"] == 0
    w.move_clock_to(e + timedelta(days=1), 9)
    paid = await step(api, finance, "preDisburseSubsidyClaim", claim["id"])
    assert paid["preDisburseSubsidyClaim"]["status"] == "pre_disbursed"


PUSH = """mutation($records: [JSON!]!) {
  pushRecords(platform: "wh-3p", idempotencyKey: "retro-1", records: $records) {
    counts { recordType updated } } }"""


async def test_a_pushed_change_is_checked_at_once_and_blocks_the_claim(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    """Pushed records go through the fraud rules like a sync: no `hub check` needed."""
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    stretched = online("SB0", "B", wuhai.starts_on, 8, 20)  # reported 08–18 at first
    pushed = await api.data(token("connector", platform="wh-3p"), PUSH, {"records": [stretched]})
    assert pushed["pushRecords"]["counts"] == [{"recordType": "session", "updated": 1}]
    blocking = (await claim_now(api, token("region"), claim["id"]))["blockingAlerts"]
    assert [(a["rule"], a["severity"]) for a in blocking] == [("RETROACTIVE_CHANGE", "high")]
    assert [r["sourceId"] for r in blocking[0]["records"]] == ["SB0"]
