"""The whole money path as a bureau walks it, on both engines, every amount computed by hand.

file → approve → sessions → claim → review → approve → pre-disburse → certificates → settle,
with supervision in the loop. Class K1 (电工 五级, Haibowan 150302, Wuhai 150300) starts on day
s = today + 3 and ends on day e = s + 40; standard amount S = 1000, course T = 80 h, online cap
40% → at most 32 h online count. The hub's clock is moved forward as the class runs.
"""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import Api
from tests.policy.flow import (
    OPEN_CLASS,
    Token,
    WuhaiClass,
    declare_epidemic_over,
    opening_input,
    prepare_class,
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
from tests.records import ORG, enrolment, resident_id, trainee, training_class

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
