"""No caller reads past its scope: connections, nested relations and node(id)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Api
from tests.records import ORG

# connection field -> the source ids each token may see
CONNECTIONS = [
    "trainees",
    "trainingClasses",
    "learningSessions",
    "enrolments",
    "certificates",
    "courses",
]
EXPECTED: dict[str, dict[str, set[str]]] = {
    "region": {
        "trainees": {"T1", "T2", "H1"},
        "trainingClasses": {"K1", "K2", "K9"},
        "learningSessions": {"S1", "S2", "S9"},
        "enrolments": {"E1", "E2", "E9"},
        "certificates": {"Z1"},
        "courses": {"C1", "C9"},
    },
    "wuhai": {
        "trainees": {"T1", "T2"},
        "trainingClasses": {"K1", "K2"},
        "learningSessions": {"S1", "S2"},
        "enrolments": {"E1", "E2"},
        "certificates": {"Z1"},
        "courses": {"C1"},
    },
    "hohhot": {
        "trainees": {"H1"},
        "trainingClasses": {"K9"},
        "learningSessions": {"S9"},
        "enrolments": {"E9"},
        "certificates": set(),
        "courses": {"C9"},
    },
    "haibowan": {
        "trainees": {"T1"},
        "trainingClasses": {"K1"},
        "learningSessions": {"S1"},
        "enrolments": {"E1"},
        "certificates": {"Z1"},
        "courses": {"C1"},
    },
    "org": {
        "trainees": {"T1"},
        "trainingClasses": {"K1"},
        "learningSessions": {"S1"},
        "enrolments": {"E1"},
        "certificates": {"Z1"},
        "courses": {"C1"},
    },
    "connector_hh": {
        "trainees": {"H1"},
        "trainingClasses": {"K9"},
        "learningSessions": {"S9"},
        "enrolments": {"E9"},
        "certificates": set(),
        "courses": {"C9"},
    },
}


def tokens(token: Callable[..., str]) -> dict[str, str]:
    return {
        "region": token("region"),
        "wuhai": token("city", region="150300"),
        "hohhot": token("city", region="150100"),
        "haibowan": token("district", region="150302"),
        "org": token("org", org=ORG),
        "connector_hh": token("connector", platform="hh"),
    }


@pytest.mark.usefixtures("two_cities")
async def test_every_connection_returns_only_rows_in_scope(
    api: Api, token: Callable[..., str]
) -> None:
    for who, bearer in tokens(token).items():
        for field in CONNECTIONS:
            data = await api.data(
                bearer,
                f"{{ {field}(first: 500) {{ totalCount edges {{ node {{ sourceId }} }} }} }}",
            )
            seen = {edge["node"]["sourceId"] for edge in data[field]["edges"]}
            assert seen == EXPECTED[who][field], (who, field)
            assert data[field]["totalCount"] == len(seen), (who, field)


@pytest.mark.usefixtures("two_cities")
async def test_node_lookup_of_another_citys_record_is_null(
    api: Api, token: Callable[..., str]
) -> None:
    region = token("region")
    hohhot = await api.data(
        region, '{ trainees(filter: {region: "150100"}) { edges { node { id } } } }'
    )
    foreign_id = hohhot["trainees"]["edges"][0]["node"]["id"]
    wuhai = token("city", region="150300")
    assert (await api.data(wuhai, "query($id: ID!) { node(id: $id) { id } }", {"id": foreign_id}))[
        "node"
    ] is None
    found = await api.data(region, "query($id: ID!) { node(id: $id) { id } }", {"id": foreign_id})
    assert found["node"]["id"] == foreign_id


@pytest.mark.usefixtures("two_cities")
async def test_nested_relations_stay_in_scope(api: Api, token: Callable[..., str]) -> None:
    """Haibowan sees T1; T1's person is also known on no other platform, and K2's roster is hidden."""
    haibowan = token("district", region="150302")
    data = await api.data(
        haibowan,
        "{ trainees(first: 10) { edges { node { sourceId person { trainees { sourceId } } "
        "enrolments { trainingClass { sourceId enrolments { trainee { sourceId } } } } } } } }",
    )
    nodes = [e["node"] for e in data["trainees"]["edges"]]
    assert [n["sourceId"] for n in nodes] == ["T1"]
    assert nodes[0]["person"]["trainees"] == [{"sourceId": "T1"}]
    classes = [e["trainingClass"]["sourceId"] for e in nodes[0]["enrolments"]]
    assert classes == ["K1"]


@pytest.mark.usefixtures("two_cities")
async def test_platforms_visible_by_area(api: Api, token: Callable[..., str]) -> None:
    for bearer, expected in (
        (token("city", region="150300"), {"wh"}),
        (token("city", region="150100"), {"hh"}),
        (token("region"), {"wh", "hh"}),
        (token("connector", platform="wh"), {"wh"}),
    ):
        data = await api.data(bearer, "{ platforms { edges { node { code } } } }")
        assert {e["node"]["code"] for e in data["platforms"]["edges"]} == expected


@pytest.mark.usefixtures("two_cities")
async def test_finance_sees_no_ledger(api: Api, token: Callable[..., str]) -> None:
    finance = token("finance", region="150300")
    data = await api.data(finance, "{ trainees { totalCount } learningSessions { totalCount } }")
    assert data == {"trainees": {"totalCount": 0}, "learningSessions": {"totalCount": 0}}
