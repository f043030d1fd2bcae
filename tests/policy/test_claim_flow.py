"""A Wuhai claim through every step, amounts checked against the hand-computed example.

Hand computation (standard S = 1000, course T = 80 h, online cap 40% = 32 h):
- credited hours: A min(40, 32) + 48 = 80; B 20; C 10;
- subsidy = S × 3 eligible = 3000;
- pre-disbursement, Wuhai (qualified = A, B): 0.2 × 1000 × 2 = 400;
  the region's default (registered = 3): 0.2 × 1000 × 3 = 600;
- settlement by certificates (内人社办发〔2020〕16号 (四)2, the default `per_certificate` rule):
  S for each certified person who took part in offline training and completed the course's
  80 hours — A (certified, 48 h offline, 80 ≥ 80): 1000; B (certified, no offline training,
  20 < 80): 0; C (no certificate): 0 → settled 1000;
- platform fee 150 out of it (the agreement's fee, never more); balance due 1000 − 400 = 600.
"""

from __future__ import annotations

from tests.api.conftest import Api
from tests.policy.flow import (
    CLAIM_FIELDS,
    SET_PARAMETER,
    Token,
    WuhaiClass,
    declare_epidemic_over,
    error_code,
    prepare_class,
    step,
    submitted_claim,
)
from tests.records import ORG

CLAIM = "query($id: ID!) { node(id: $id) { ... on SubsidyClaim { " + CLAIM_FIELDS + " } } }"


async def test_wuhai_claim_runs_every_step_with_two_roles_per_level(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    # Wuhai's own rule: pre-disbursement counts qualified trainees (city override, city role).
    await api.data(
        token("city", region="150300"),
        SET_PARAMETER,
        {
            "input": {
                "jurisdiction": "150300",
                "key": "pre_disbursement_basis",
                "value": "qualified",
            }
        },
    )
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    assert claim["status"] == "submitted"
    assert claim["parameters"]["values"]["pre_disbursement_basis"] == "qualified"
    assert (claim["eligibleTrainees"], claim["qualifiedTrainees"]) == (3, 2)
    assert claim["standardAmount"] == 1000
    assert claim["subsidyAmount"] == 3000
    assert claim["preDisbursedAmount"] == 400
    assert claim["platformFee"] == 150
    credited = sorted(line["creditedHours"] for line in claim["lines"])
    assert credited == [10, 20, 80]
    a = next(line for line in claim["lines"] if line["trainee"] == wuhai.trainees["A"])
    assert (a["onlineHours"], a["countedOnlineHours"], a["offlineHours"]) == (40, 32, 48)

    claim_id = claim["id"]
    district, city = token("district", region="150302"), token("city", region="150300")
    finance = token("finance", region="150300")
    # District level: the district bureau reviews (a city may not take the district's step).
    assert await error_code(api, city, _step("reviewSubsidyClaim"), {"id": claim_id}) == "FORBIDDEN"
    await step(api, district, "reviewSubsidyClaim", claim_id, "材料齐全")
    # City level: the city bureau approves, the city's finance bureau pays.
    assert (
        await error_code(api, finance, _step("approveSubsidyClaim"), {"id": claim_id})
        == "FORBIDDEN"
    )
    await step(api, city, "approveSubsidyClaim", claim_id, "同意")
    await step(api, finance, "preDisburseSubsidyClaim", claim_id)
    # Settling needs the certificates: they arrive after the offline training; and the region
    # must have declared the epidemic period over.
    await wuhai.certify("A", "B")
    await declare_epidemic_over(api, token, wuhai.ends_on)
    settled = await step(api, finance, "settleSubsidyClaim", claim_id, "按取证结算")
    assert settled["settleSubsidyClaim"]["status"] == "settled"

    final = (await api.data(district, CLAIM, {"id": claim_id}))["node"]
    assert final["certifiedTrainees"] == 2
    assert final["settledAmount"] == 1000
    assert final["platformFee"] == 150
    assert final["balanceDue"] == 600
    assert sorted(line["settledAmount"] for line in final["lines"]) == [0, 0, 1000]
    trail = [(h["fromStatus"], h["toStatus"], h["actorRole"]) for h in final["history"]]
    assert trail == [
        (None, "draft", "org"),
        ("draft", "draft", "org"),  # the Annex 3 commitment
        ("draft", "submitted", "org"),
        ("submitted", "district_reviewed", "district"),
        ("district_reviewed", "city_approved", "city"),
        ("city_approved", "pre_disbursed", "finance"),
        ("pre_disbursed", "settled", "finance"),
    ]
    assert final["history"][3]["reason"] == "材料齐全"
    assert final["history"][3]["actorSubject"] == "district:150302"


async def test_region_default_basis_counts_registered_trainees(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    assert claim["parameters"]["values"]["pre_disbursement_basis"] == "registered"
    assert claim["preDisbursedAmount"] == 600
    assert claim["subsidyAmount"] == 3000


async def test_claim_keeps_the_parameters_in_force_at_submission(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    # A later version changes nothing for the submitted claim.
    await api.data(
        token("region"),
        SET_PARAMETER,
        {"input": {"jurisdiction": "150000", "key": "standard_amount/5", "value": 2000}},
    )
    again = (await api.data(token("region"), CLAIM, {"id": claim["id"]}))["node"]
    assert again["standardAmount"] == 1000 and again["subsidyAmount"] == 3000


async def test_submission_needs_commitment_and_checklist(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai)
    org = token("org", org=ORG)
    created = await api.data(
        org,
        "mutation($c: ID!) { createSubsidyClaim(trainingClass: $c) { id checklist { key complete } } }",
        {"c": wuhai.class_id},
    )
    claim = created["createSubsidyClaim"]
    missing = {item["key"] for item in claim["checklist"] if not item["complete"]}
    assert missing == {"annex3", "id_proofs"}
    body = await api.query(org, _step("submitSubsidyClaim"), {"id": claim["id"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "真实性承诺书" in body["errors"][0]["message"]


async def test_returned_claim_is_resubmitted_and_rejected_claim_frees_its_persons(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    district = token("district", region="150302")
    assert await error_code(
        api, district, _return("returnSubsidyClaim"), {"id": claim["id"], "r": " "}
    ) == ("BAD_USER_INPUT")
    await api.data(district, _return("returnSubsidyClaim"), {"id": claim["id"], "r": "名册不清"})
    resubmitted = await step(api, token("org", org=ORG), "submitSubsidyClaim", claim["id"])
    assert resubmitted["submitSubsidyClaim"]["status"] == "submitted"
    rejected = await api.data(
        district, _return("rejectSubsidyClaim"), {"id": claim["id"], "r": "虚假学时"}
    )
    assert rejected["rejectSubsidyClaim"]["status"] == "rejected"
    after = (await api.data(district, CLAIM, {"id": claim["id"]}))["node"]
    assert after["lines"] == []  # the persons may be claimed again
    # A rejected claim is final.
    assert await error_code(api, district, _step("reviewSubsidyClaim"), {"id": claim["id"]}) == (
        "BAD_USER_INPUT"
    )


def _step(name: str) -> str:
    return "mutation($id: ID!) { " + name + "(id: $id) { id status } }"


def _return(name: str) -> str:
    return "mutation($id: ID!, $r: String!) { " + name + "(id: $id, reason: $r) { id status } }"
