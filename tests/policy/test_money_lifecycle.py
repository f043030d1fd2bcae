"""The whole money path as a bureau walks it, on both engines, every amount computed by hand.

file → approve → sessions → claim → review → approve → pre-disburse → certificates → settle,
with supervision in the loop. Class K1 (电工 五级, Haibowan 150302, Wuhai 150300) starts on day
s = today + 3 and ends on day e = s + 40; standard amount S = 1000, course T = 80 h, online cap
40% → at most 32 h online count. The hub's clock is moved forward as the class runs.
"""

from __future__ import annotations

from datetime import timedelta

from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from tests.api.conftest import Api
from tests.policy.flow import (
    FILE_PLATFORM,
    OPEN_CLASS,
    Token,
    WuhaiClass,
    declare_epidemic_over,
    filing_input,
    opening_input,
    prepare_class,
    set_parameter,
    step,
    submitted_claim,
)
from tests.policy.money import (
    CONFIRM,
    assessment,
    certificate,
    claim_now,
    credited,
    days,
    offline,
    online,
    open_alert,
    quarantine_reason,
    refusal,
    report,
)
from tests.records import ORG, course, enrolment, resident_id, trainee, training_class

STATS = "{ statistics(groupBy: [CITY]) { city { code } settled recovered toRecover openAlerts } }"


async def _class_id(api: Api, token: Token, source_id: str) -> str:
    data = await api.data(token("region"), "{ trainingClasses { edges { node { id sourceId } } } }")
    return next(
        e["node"]["id"]
        for e in data["trainingClasses"]["edges"]
        if e["node"]["sourceId"] == source_id
    )


async def test_region_lifecycle_blocks_excludes_settles_and_recovers(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    w, s, e = wuhai, wuhai.starts_on, wuhai.ends_on
    org, district = token("org", org=ORG), token("district", region="150302")
    city, finance = token("city", region="150300"), token("finance", region="150300")
    region = token("region")

    # Day s-3 (today): filing and opening approved before the class starts; also class K2
    # (person D) whose claim comes at the end.
    await prepare_class(api, token, w, train=False)
    await report(
        w,
        [
            training_class("K2", starts_on=s.isoformat(), ends_on=e.isoformat(), name="电工二班"),
            trainee("TD", name="孙丽", id_number=resident_id(serial="004")),
            enrolment("E2D", "TD", "K2"),
        ],
    )
    k2 = await _class_id(api, token, "K2")
    opened = await api.data(org, OPEN_CLASS, {"input": {**opening_input(w), "trainingClass": k2}})
    await step(api, district, "approveClassOpening", opened["openClass"]["id"])

    # Day s-1: C studies online the day before the class starts (after its approval): stored,
    # never credited. A session reported for tomorrow is quarantined as future-dated.
    w.move_clock_to(s - timedelta(days=1), 20)
    stats = await report(
        w,
        [
            online("SC-early", "C", s - timedelta(days=1), 8, 18),
            online("SA-future", "A", s + timedelta(days=1), 8, 18),
        ],
    )
    assert stats.of("session").inserted == 1 and stats.of("session").quarantined == 1
    assert "future-dated" in await quarantine_reason(w, "SA-future")

    # Days s..s+3: online training. A 4 × 10 h = 40 h, B 2 × 10 h = 20 h, C 1 × 10 h = 10 h;
    # D 4 h in K2.
    w.move_clock_to(s + timedelta(days=10), 7)
    await report(
        w,
        [online(f"SA{n}", "A", d, 8, 18) for n, d in enumerate(days(s, 0, 1, 2, 3))]
        + [online(f"SB{n}", "B", d, 8, 18) for n, d in enumerate(days(s, 0, 1))]
        + [online("SC0", "C", s, 8, 18), online("SD0", "D", s + timedelta(days=1), 8, 12, "K2")],
    )

    # The region's rule: a (pre-disbursement) claim may be made once the opening is approved —
    # here mid-class, after the online part.
    claim = await submitted_claim(api, token, w)
    claim_id = claim["id"]
    # credited = min(online, 32) + offline: A min(40, 32) = 32; B 20; C 10 (SC-early is before
    # the first day and does not count: 10, not 20).
    assert credited(claim, w.trainees) == {"A": 32, "B": 20, "C": 10}
    # subsidy = S × 3 eligible = 3000; pre-disbursement, the region's basis (registered, 3):
    # 0.2 × 1000 × 3 = 600.
    assert (claim["subsidyAmount"], claim["preDisbursedAmount"]) == (3000, 600)
    await step(api, district, "reviewSubsidyClaim", claim_id)
    await step(api, city, "approveSubsidyClaim", claim_id)
    await step(api, finance, "preDisburseSubsidyClaim", claim_id)
    assert (await claim_now(api, region, claim_id))["paidAmount"] == 600

    # Days s+10..s+14: offline practical training. A 4 × 12 h = 48 h; B 4 × 12 h + 5 h = 53 h.
    # Day s+20: assessments, A and B pass, C fails.
    w.move_clock_to(s + timedelta(days=20), 20)
    await report(
        w,
        [offline(f"SA-off{n}", "A", d, 8, 20) for n, d in enumerate(days(s, 10, 11, 12, 13))]
        + [offline(f"SB-off{n}", "B", d, 8, 20) for n, d in enumerate(days(s, 10, 11, 12, 13))]
        + [offline("SB-off4", "B", s + timedelta(days=14), 8, 13)]
        + [assessment("A", s + timedelta(days=20), True)]
        + [assessment("B", s + timedelta(days=20), True)]
        + [assessment("C", s + timedelta(days=20), False)],
    )
    # Day s+21: the platform inflates B's short offline session from 5 h to 12 h after the
    # fact (B would reach 48 + 12 = 60 + 20 = 80 h and a full settlement): RETROACTIVE_CHANGE,
    # high because a claim covers the class. It blocks the money.
    w.move_clock_to(s + timedelta(days=21), 20)
    await report(w, [offline("SB-off4", "B", s + timedelta(days=14), 8, 20)])
    retro = await open_alert(api, region, "RETROACTIVE_CHANGE", "SB-off4")
    assert retro["severity"] == "high"
    blocked = await claim_now(api, region, claim_id)
    assert [a["id"] for a in blocked["blockingAlerts"]] == [retro["id"]]
    # Finance reads no alerts, but sees that one holds the claim it is asked to settle.
    held = await claim_now(api, finance, claim_id)
    assert (held["blockingAlerts"], held["blockingAlertCount"]) == ([], 1)
    message = await refusal(api, finance, "settleSubsidyClaim", claim_id)
    assert "RETROACTIVE_CHANGE" in message and "SB-off4" in message and "26号 五" in message
    assert (await claim_now(api, region, claim_id))["status"] == "pre_disbursed"  # unchanged

    # The district confirms it: SB-off4 stops counting; the claim is recomputed (visible).
    await api.data(district, CONFIRM, {"id": retro["id"], "r": "平台事后延长线下学时"})
    after = await claim_now(api, region, claim_id)
    # now: A 32 + 48 = 80; B 20 + 48 = 68 (not 80); C 10. Amounts at this stage: unchanged
    # (3000 subsidy, 600 pre-disbursed), so nothing was over-paid.
    assert credited(after, w.trainees) == {"A": 80, "B": 68, "C": 10}
    change = after["recomputations"][-1]
    assert change["rule"] == "RETROACTIVE_CHANGE" and "确认" in change["why"]
    assert change["before"]["creditedHours"] == 62 and change["after"]["creditedHours"] == 158
    assert after["recoveries"] == [] and after["blockingAlerts"] == []

    # Day e+1: certificates. A's is dated e+1; B's is dated s+5, before B's last session
    # (s+14): CERTIFICATE_BEFORE_TRAINING, high — settlement blocked again.
    w.move_clock_to(e + timedelta(days=1), 20)
    await report(w, [certificate("A", e + timedelta(days=1)), certificate("B", s + timedelta(5))])
    early = await open_alert(api, region, "CERTIFICATE_BEFORE_TRAINING", "ZB")
    message = await refusal(api, finance, "settleSubsidyClaim", claim_id)
    assert "CERTIFICATE_BEFORE_TRAINING" in message and "证书 ZB" in message
    await api.data(city, CONFIRM, {"id": early["id"], "r": "证书早于培训结束"})
    # It disproves the certificate, not the sessions it cites as evidence: B keeps 68 h.
    assert credited(await claim_now(api, region, claim_id), w.trainees)["B"] == 68

    # Settlement waits for the region to declare the epidemic period over (16号 (四)2).
    message = await refusal(api, finance, "settleSubsidyClaim", claim_id)
    assert "疫情结束" in message and "epidemic_period_ends_on" in message
    await declare_epidemic_over(api, token, e)
    await step(api, finance, "settleSubsidyClaim", claim_id)
    settled = await claim_now(api, region, claim_id)
    # per_certificate (the default): S for each certified person with offline training who
    # completed 80 h — A: certified, 48 h offline, 80 ≥ 80 → 1000; B: certificate disproved
    # (and 68 < 80) → 0; C: no certificate → 0. Settled 1000; fee min(150, 1000) = 150;
    # balance due 1000 − 600 = 400; paid 1000.
    assert (settled["settledAmount"], settled["platformFee"]) == (1000, 150)
    assert (settled["balanceDue"], settled["paidAmount"]) == (400, 1000)
    assert settled["certifiedTrainees"] == 1

    # Day e+3: after settlement the platform moves A's first online session an hour earlier
    # (10 h → 11 h): RETROACTIVE_CHANGE, confirmed. SA0 no longer counts: A online 30 h
    # (under the 32 h cap) + 48 h = 78 < 80 → A settles 0. Due 0, paid 1000 → recovery 1000.
    w.move_clock_to(e + timedelta(days=3), 20)
    await report(w, [online("SA0", "A", s, 7, 18)])
    late = await open_alert(api, region, "RETROACTIVE_CHANGE", "SA0")
    await api.data(district, CONFIRM, {"id": late["id"], "r": "结算后篡改学习记录"})
    recovered = await claim_now(api, region, claim_id)
    assert recovered["settledAmount"] == 0
    assert [(r["amount"], r["status"]) for r in recovered["recoveries"]] == [(1000, "open")]
    assert recovered["toRecoverAmount"] == 1000 and recovered["netPaidAmount"] == 1000
    assert recovered["recomputations"][-1]["before"]["settledAmount"] == 1000
    assert recovered["recomputations"][-1]["after"]["settledAmount"] == 0
    wuhai_row = next(
        r for r in (await api.data(region, STATS))["statistics"] if r["city"]["code"] == "150300"
    )
    assert (wuhai_row["recovered"], wuhai_row["toRecover"]) == (0, 1000)

    # With a recovery open the organisation cannot submit another claim (K2).
    created = await api.data(
        org, "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id } }", {"c": k2}
    )
    k2_claim = created["createSubsidyClaim"]["id"]
    await api.data(
        org,
        """mutation($id: ID!) { attachClaimMaterial(id: $id, item: "id_proofs",
             attachment: {name: "ids.zip"}) { id } }""",
        {"id": k2_claim},
    )
    await api.data(
        org, "mutation($id: ID!) { acceptClaimCommitment(id: $id) { id } }", {"id": k2_claim}
    )
    message = await refusal(api, org, "submitSubsidyClaim", k2_claim)
    assert "追回" in message and "1000.00" in message
    recovery_id = recovered["recoveries"][0]["id"]
    done = await api.data(
        finance,
        'mutation($id: ID!) { recordRecovery(id: $id, reason: "已退回") { status closedBy } }',
        {"id": recovery_id},
    )
    assert done["recordRecovery"] == {"status": "recovered", "closedBy": "finance:150300"}
    back = await claim_now(api, region, claim_id)
    # net paid = 1000 paid − 1000 recovered = 0
    assert (back["recoveredAmount"], back["toRecoverAmount"], back["netPaidAmount"]) == (
        1000,
        0,
        0,
    )
    wuhai_row = next(
        r for r in (await api.data(region, STATS))["statistics"] if r["city"]["code"] == "150300"
    )
    assert (wuhai_row["recovered"], wuhai_row["toRecover"]) == (1000, 0)
    again = await api.data(
        org,
        "mutation($id: ID!) { submitSubsidyClaim(id: $id) { status subsidyAmount } }",
        {"id": k2_claim},
    )
    # K2: D alone, subsidy 1 × 1000
    assert again["submitSubsidyClaim"] == {"status": "submitted", "subsidyAmount": 1000}


async def test_wuhai_lifecycle_timing_and_pro_rata_recovery(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    w, s, e = wuhai, wuhai.starts_on, wuhai.ends_on
    org, district = token("org", org=ORG), token("district", region="150302")
    city, finance = token("city", region="150300"), token("finance", region="150300")
    region = token("region")
    # Wuhai's rules (乌人社发〔2020〕26号 三), set by the city bureau: pre-disbursement by the
    # qualified count, once the online training has ended; claims after the whole course.
    # And, explicitly, the pro-rata settlement rule.
    for key, value in (
        ("pre_disbursement_basis", "qualified"),
        ("claim_submission", "after_class_ended"),
        ("pre_disbursement_timing", "after_online_training_ended"),
        ("settlement_rule", "pro_rata_hours"),
    ):
        await set_parameter(api, city, key, value, jurisdiction="150300")
    await prepare_class(api, token, w, train=False)

    # Day s+20: online and offline training done, assessed (A, B pass; C fails). A 40 h online
    # + 48 h offline; B 20 h online + 10 h offline; C 10 h online.
    w.move_clock_to(s + timedelta(days=20), 20)
    await report(
        w,
        [online(f"SA{n}", "A", d, 8, 18) for n, d in enumerate(days(s, 0, 1, 2, 3))]
        + [online(f"SB{n}", "B", d, 8, 18) for n, d in enumerate(days(s, 0, 1))]
        + [online("SC0", "C", s, 8, 18)]
        + [offline(f"SA-off{n}", "A", d, 8, 20) for n, d in enumerate(days(s, 10, 11, 12, 13))]
        + [offline("SB-off0", "B", s + timedelta(days=10), 8, 18)]
        + [assessment(x, s + timedelta(days=20), x != "C") for x in "ABC"],
    )
    # Before the class has ended (day e) Wuhai refuses the claim; the region's rule accepted
    # the same step mid-class (test above).
    body = await api.query(
        org, "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id } }", {"c": w.class_id}
    )
    claim_id = body["data"]["createSubsidyClaim"]["id"]
    await api.data(
        org,
        """mutation($id: ID!) { attachClaimMaterial(id: $id, item: "id_proofs",
             attachment: {name: "ids.zip"}) { id } }""",
        {"id": claim_id},
    )
    await api.data(
        org, "mutation($id: ID!) { acceptClaimCommitment(id: $id) { id } }", {"id": claim_id}
    )
    message = await refusal(api, org, "submitSubsidyClaim", claim_id)
    assert "乌人社发〔2020〕26号 三" in message and str(e) in message
    assert (await claim_now(api, region, claim_id))["status"] == "draft"  # nothing half-written
    assert (await claim_now(api, region, claim_id))["lines"] == []

    # Day e+2: the class has ended; the claim goes in.
    w.move_clock_to(e + timedelta(days=2), 10)
    submitted = await api.data(
        org,
        "mutation($id: ID!) { submitSubsidyClaim(id: $id) { status subsidyAmount preDisbursedAmount } }",
        {"id": claim_id},
    )
    # subsidy = 1000 × 3 = 3000; pre-disbursement by Wuhai's basis (qualified A, B):
    # 0.2 × 1000 × 2 = 400.
    assert submitted["submitSubsidyClaim"] == {
        "status": "submitted",
        "subsidyAmount": 3000,
        "preDisbursedAmount": 400,
    }
    await step(api, district, "reviewSubsidyClaim", claim_id)
    await step(api, city, "approveSubsidyClaim", claim_id)
    await step(api, finance, "preDisburseSubsidyClaim", claim_id)
    await report(
        w, [certificate("A", e + timedelta(days=1)), certificate("B", e + timedelta(days=1))]
    )
    assert "疫情结束" in await refusal(api, finance, "settleSubsidyClaim", claim_id)
    await declare_epidemic_over(api, token, e)
    await step(api, finance, "settleSubsidyClaim", claim_id)
    settled = await claim_now(api, region, claim_id)
    # pro_rata_hours: S × credited / 80 per certified person with offline training —
    # A: min(40, 32) + 48 = 80 → 1000; B: 20 + 10 = 30 → 1000 × 30/80 = 375; C: none → 0.
    # Settled 1375; fee 150; balance due 1375 − 400 = 975.
    assert (settled["settledAmount"], settled["platformFee"], settled["balanceDue"]) == (
        1375,
        150,
        975,
    )
    # Day e+3: B's first online session is stretched by an hour after settlement; confirmed.
    # SB0 stops counting: B 10 + 10 = 20 → 1000 × 20/80 = 250; settled 1250; paid 1375 →
    # recovery 1375 − 1250 = 125.
    w.move_clock_to(e + timedelta(days=3), 10)
    await report(w, [online("SB0", "B", s, 8, 19)])
    retro = await open_alert(api, region, "RETROACTIVE_CHANGE", "SB0")
    await api.data(city, CONFIRM, {"id": retro["id"], "r": "结算后延长学习时长"})
    after = await claim_now(api, region, claim_id)
    assert after["settledAmount"] == 1250
    assert [(r["amount"], r["status"]) for r in after["recoveries"]] == [(125, "open")]
    assert "1375.00" in after["recoveries"][0]["reason"]
    written = await api.query(
        finance,
        'mutation($id: ID!) { writeOffRecovery(id: $id, reason: " ") { status } }',
        {"id": after["recoveries"][0]["id"]},
    )
    assert written["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # a reason is needed
    assert await refusal_code(api, org, after["recoveries"][0]["id"]) == "FORBIDDEN"
    # Scope: Hohhot's finance bureau neither sees nor closes Wuhai's recovery; the organisation
    # sees its own; the recovery's history shows who opened it.
    listing = "{ subsidyRecoveries { totalCount edges { node { amount history { toStatus } } } } }"
    hohhot = token("finance", region="150100")
    assert (await api.data(hohhot, listing))["subsidyRecoveries"]["totalCount"] == 0
    assert await refusal_code(api, hohhot, after["recoveries"][0]["id"]) == "NOT_FOUND"
    own = (await api.data(org, listing))["subsidyRecoveries"]["edges"]
    assert [(e["node"]["amount"], e["node"]["history"]) for e in own] == [
        (125, [{"toStatus": "open"}])
    ]


async def refusal_code(api: Api, tok: str, recovery_id: str) -> str:
    body = await api.query(
        tok, "mutation($id: ID!) { recordRecovery(id: $id) { status } }", {"id": recovery_id}
    )
    return body["errors"][0]["extensions"]["code"]


async def test_third_party_filing_sets_the_type_and_needs_an_agreement(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    """An approved filing's type becomes the platform's; a third party without an agreement is
    refused at the class opening (内人社办发〔2020〕16号 (三)1)."""
    w = wuhai
    async with transaction(w.engine) as db:  # the organisation runs a class there too
        cloud = await ensure_platform(db, "wh-cloud", name="云端培训", region_code="150300")
        await Ingestor(db, cloud.id, w.vault).ingest([course("C1"), training_class("K5")])
    org, district, city = (
        token("org", org=ORG),
        token("district", region="150302"),
        token("city", region="150300"),
    )
    platform_type = "{ platforms { edges { node { code platformType } } } }"

    async def type_of(code: str) -> str | None:
        edges = (await api.data(token("region"), platform_type))["platforms"]["edges"]
        return next(e["node"]["platformType"] for e in edges if e["node"]["code"] == code)

    assert await type_of("wh-cloud") is None
    filed = await api.data(
        org, FILE_PLATFORM, {"input": filing_input(platform="wh-cloud", platformType="third_party")}
    )
    await step(api, district, "reviewPlatformFiling", filed["filePlatform"]["id"])
    assert await type_of("wh-cloud") is None  # only the approval decides
    await step(api, city, "approvePlatformFiling", filed["filePlatform"]["id"])
    assert (await type_of("wh-cloud")).lower() == "third_party"

    application = opening_input(w)
    application["platforms"] = ["wh-3p", "wh-cloud"]  # the agreement covers wh-3p only
    body = await api.query(org, OPEN_CLASS, {"input": application})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "wh-cloud" in error["message"] and "委托培训协议" in error["message"]
    # An agreement missing 双方责任 is refused too.
    partial = opening_input(w)
    partial["agreements"][0]["responsibilities"] = " "
    body = await api.query(org, OPEN_CLASS, {"input": partial})
    assert "双方责任" in body["errors"][0]["message"]
