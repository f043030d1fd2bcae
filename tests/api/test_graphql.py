"""GraphQL behaviour: pagination, masking and the access log, typed errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from schema.tables import AccessLogEntry
from tests.api.conftest import Api
from tests.records import resident_id

TRAINEE_PAGE = """
query Page($after: String) {
  trainees(first: 1, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { sourceId name idNumber phone identityCategory region { code name } platform { code } } }
  }
}"""


@pytest.mark.usefixtures("two_cities")
async def test_pages_walk_every_row_once(api: Api, token: Callable[..., str]) -> None:
    seen, after = [], None
    while True:
        page = (await api.data(token("region"), TRAINEE_PAGE, {"after": after}))["trainees"]
        assert page["totalCount"] == 3
        seen += [e["node"]["sourceId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["T1", "T2", "H1"]


@pytest.mark.usefixtures("two_cities")
async def test_trainee_fields_are_masked_for_a_city(api: Api, token: Callable[..., str]) -> None:
    node = (await api.data(token("city", region="150300"), TRAINEE_PAGE))["trainees"]["edges"][0][
        "node"
    ]
    number = resident_id(serial="001")
    assert node["idNumber"] == number[:6] + "********" + number[-4:]
    assert node["phone"] == "138****5678"
    assert node["identityCategory"] == "ENTERPRISE_EMPLOYEE"
    assert node["region"] == {"code": "150302", "name": "海勃湾区"}
    assert node["platform"] == {"code": "wh"}


@pytest.mark.usefixtures("two_cities")
async def test_auditor_reads_unmasked_and_the_read_is_logged(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    node = (await api.data(token("auditor"), TRAINEE_PAGE))["trainees"]["edges"][0]["node"]
    assert node["idNumber"] == resident_id(serial="001")
    assert node["phone"] == "13812345678"
    async with transaction(engine) as db:
        entries = (
            (await db.execute(select(AccessLogEntry).order_by(AccessLogEntry.id))).scalars().all()
        )
    assert {(e.entity, e.fields[0]) for e in entries} == {
        ("trainee", "idNumber"),
        ("trainee", "phone"),
    }
    assert all(
        e.role == "auditor" and e.operation == "Page" and len(e.record_ids) == 1 for e in entries
    )


async def test_errors_are_typed(api: Api, token: Callable[..., str]) -> None:
    body = await api.query(None, "{ trainees { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await api.query("not-a-token", "{ trainees { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await api.query(token("region"), "{ trainees(first: 501) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await api.query(token("region"), '{ trainees(after: "%%%") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
