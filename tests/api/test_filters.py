"""Filters bureau staff use, the newest-first order with its cursors, and the access log."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Api
from tests.records import ORG, OTHER_ORG

CASES = [
    ("trainees", '{region: "150300"}', {"T1", "T2"}),
    ("trainees", '{region: "150303"}', {"T2"}),
    ("trainees", '{platform: "hh"}', {"H1"}),
    ("trainees", f'{{organisation: "{ORG}"}}', {"T1"}),
    ("trainees", "{identityCategory: UNEMPLOYED}", set()),
    ("trainingClasses", f'{{organisation: "{OTHER_ORG}"}}', {"K2", "K9"}),
    ("trainingClasses", '{occupation: "育婴员"}', {"K9"}),
    (
        "trainingClasses",
        '{startsFrom: "2020-03-02", startsBefore: "2020-03-03"}',
        {"K1", "K2", "K9"},
    ),
    ("learningSessions", '{occupation: "4-10-01-02"}', {"S9"}),
    ("learningSessions", "{skillLevel: 5}", {"S1", "S2", "S9"}),
    ("learningSessions", '{region: "150302"}', {"S1"}),
    ("learningSessions", '{startedFrom: "2020-03-04T00:00:00+08:00"}', {"S2", "S9"}),
    ("enrolments", '{region: "150303"}', {"E2"}),
    ("enrolments", f'{{organisation: "{ORG}"}}', {"E1"}),
    ("certificates", '{region: "150302"}', {"Z1"}),
    ("certificates", '{region: "150100"}', set()),
    ("certificates", "{kind: TRAINING_COMPLETION}", {"Z1"}),
    ("courses", "{standard: NATIONAL_SKILL_STANDARD}", {"C1", "C9"}),
]


@pytest.mark.usefixtures("two_cities")
async def test_filters(api: Api, token: Callable[..., str]) -> None:
    region = token("region")
    for field, spec, expected in CASES:
        data = await api.data(
            region, f"{{ {field}(filter: {spec}) {{ edges {{ node {{ sourceId }} }} }} }}"
        )
        assert {e["node"]["sourceId"] for e in data[field]["edges"]} == expected, (field, spec)


@pytest.mark.usefixtures("two_cities")
async def test_newest_first_pages_and_cursors(api: Api, token: Callable[..., str]) -> None:
    page = """query($after: String, $order: SortOrder) { trainees(first: 1, after: $after, order: $order) {
        pageInfo { hasNextPage endCursor } edges { node { sourceId } } } }"""
    region = token("region")
    seen, after = [], None
    while True:
        got = (await api.data(region, page, {"after": after, "order": "DESC"}))["trainees"]
        seen += [e["node"]["sourceId"] for e in got["edges"]]
        if not got["pageInfo"]["hasNextPage"]:
            break
        after = got["pageInfo"]["endCursor"]
    assert seen == ["H1", "T2", "T1"]
    ascending = (await api.data(region, page, {"order": "ASC"}))["trainees"]["pageInfo"]
    mixed = await api.query(region, page, {"after": ascending["endCursor"], "order": "DESC"})
    assert mixed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.usefixtures("two_cities")
async def test_access_log_is_for_auditors_and_region(api: Api, token: Callable[..., str]) -> None:
    await api.data(token("auditor"), "query Look { trainees { edges { node { idNumber } } } }")
    log = '{ accessLog(filter: {entity: "trainee"}) { totalCount edges { node { subject role operation fields recordIds } } } }'
    for reader in (token("auditor"), token("region")):
        entries = (await api.data(reader, log))["accessLog"]
        assert entries["totalCount"] == 1
        assert entries["edges"][0]["node"]["operation"] == "Look"
        assert len(entries["edges"][0]["node"]["recordIds"]) == 3
    for other in (token("city", region="150300"), token("org", org=ORG)):
        body = await api.query(other, log)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
