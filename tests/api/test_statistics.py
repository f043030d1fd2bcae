"""`statistics` through GraphQL: keys, figures and the caller's scope."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Api
from tests.records import ORG, OTHER_ORG

QUERY = """
query ($groupBy: [StatDimension!]!, $filter: StatFilter) {
  statistics(groupBy: $groupBy, filter: $filter) {
    city { code name } district { code name } platform { code name }
    organisation { creditCode name } identityCategory occupation month
    trainees persons sessions onlineHours offlineHours certificates qualified
    preDisbursed settled openAlerts
  }
}
"""


async def _rows(api: Api, token: str, group_by: list[str], **filter: str) -> list[dict]:
    variables = {"groupBy": group_by, "filter": filter or None}
    return (await api.data(token, QUERY, variables))["statistics"]


async def test_region_sees_every_city_with_its_figures(
    api: Api, token: Callable[..., str], two_cities: None
) -> None:
    rows = await _rows(api, token("region"), ["CITY", "IDENTITY_CATEGORY"])
    assert [(r["city"]["code"], r["identityCategory"]) for r in rows] == [
        ("150100", "ENTERPRISE_EMPLOYEE"),
        ("150300", "ENTERPRISE_EMPLOYEE"),
    ]
    wuhai = rows[1]
    assert wuhai["city"]["name"] == "乌海市" and wuhai["district"] is None
    assert (wuhai["trainees"], wuhai["persons"], wuhai["sessions"]) == (2, 2, 2)
    assert (wuhai["onlineHours"], wuhai["offlineHours"], wuhai["certificates"]) == (2.0, 0.0, 1)
    assert (wuhai["qualified"], wuhai["preDisbursed"], wuhai["openAlerts"]) == (0, 0.0, 0)


async def test_keys_of_every_dimension(
    api: Api, token: Callable[..., str], two_cities: None
) -> None:
    rows = await _rows(
        api,
        token("region"),
        ["DISTRICT", "PLATFORM", "ORGANISATION", "OCCUPATION", "MONTH"],
        region="150300",
    )
    keys = [
        (
            r["district"]["code"],
            r["platform"]["code"],
            r["organisation"]["creditCode"],
            r["occupation"],
            r["month"],
        )
        for r in rows
    ]
    assert keys == [
        ("150302", "wh", ORG, "电工", "2020-03"),
        ("150302", "wh", ORG, "电工", "2020-04"),  # the certificate, issued 2020-04-02
        ("150303", "wh", OTHER_ORG, "电工", "2020-03"),
    ]
    assert [(r["sessions"], r["certificates"], r["persons"]) for r in rows] == [
        (1, 0, 1),
        (0, 1, 1),
        (1, 0, 1),
    ]


async def test_each_caller_sees_only_its_own_rows(
    api: Api, token: Callable[..., str], two_cities: None
) -> None:
    def cities(rows: list[dict]) -> list[str]:
        return [r["city"]["code"] for r in rows]

    assert cities(await _rows(api, token("city", region="150300"), ["CITY"])) == ["150300"]
    assert cities(await _rows(api, token("city", region="150100"), ["CITY"])) == ["150100"]
    district = await _rows(api, token("district", region="150302"), ["DISTRICT"])
    assert [(r["district"]["code"], r["sessions"]) for r in district] == [("150302", 1)]
    # An organisation sees the classes it organised, in both cities.
    other = await _rows(api, token("org", org=OTHER_ORG), ["CITY"])
    assert [(r["city"]["code"], r["sessions"]) for r in other] == [("150100", 1), ("150300", 1)]
    connector = await _rows(api, token("connector", platform="hh"), [])
    assert [(r["sessions"], r["persons"]) for r in connector] == [(1, 1)]
    # A filter cannot widen a scope: Hohhot asking for Wuhai gets nothing.
    assert await _rows(api, token("city", region="150100"), ["CITY"], region="150300") == []
    body = await api.query(None, QUERY, {"groupBy": ["CITY"]})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_trainee_page_carries_online_time_and_last_session(
    api: Api, token: Callable[..., str], two_cities: None
) -> None:
    query = """{ trainees(first: 50) { edges { node {
        sourceId onlineSeconds lastSessionAt } } } }"""
    wuhai = await api.data(token("city", region="150300"), query)
    nodes = [e["node"] for e in wuhai["trainees"]["edges"]]
    assert [(n["sourceId"], n["onlineSeconds"], n["lastSessionAt"]) for n in nodes] == [
        ("T1", 3600, "2020-03-03T11:00:00+00:00"),
        ("T2", 3600, "2020-03-04T11:00:00+00:00"),
    ]
    # The totals count only sessions the caller may see: district 150302 sees T1's only.
    district = await api.data(token("district", region="150302"), query)
    assert [e["node"]["onlineSeconds"] for e in district["trainees"]["edges"]] == [3600]


async def test_depth_limit_holds_with_cached_validation(
    api: Api, token: Callable[..., str], two_cities: None
) -> None:
    inner = "name"
    for _ in range(6):
        inner = f"person {{ trainees {{ {inner} }} }}"
    deep = f"{{ trainees {{ edges {{ node {{ {inner} }} }} }} }}"
    for _ in range(2):  # the second answer comes from the validation cache
        body = await api.query(token("region"), deep)
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]
