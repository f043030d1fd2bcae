"""The industry authority's scope (行业主管部门): what belongs to the organisations of its industry
registered in its area — the same predicates for connections, nested relations and node(id)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from schema.tables import Organisation
from tests.api.conftest import Api
from tests.records import ORG, OTHER_ORG

FIELDS = ("trainingClasses", "trainees", "learningSessions", "enrolments", "certificates")


async def _industries(engine: AsyncEngine) -> None:
    """ORG (registered in 150302) is manufacturing (C); OTHER_ORG (150303) is retail (F)."""
    async with transaction(engine) as db:
        for code, industry in ((ORG, "C"), (OTHER_ORG, "F")):
            await db.execute(
                update(Organisation)
                .where(Organisation.credit_code == code)
                .values(industry_code=industry)
            )


async def _seen(api: Api, bearer: str) -> dict[str, set[str]]:
    seen = {}
    for field in FIELDS:
        data = await api.data(
            bearer, f"{{ {field} {{ totalCount edges {{ node {{ sourceId }} }} }} }}"
        )
        seen[field] = {e["node"]["sourceId"] for e in data[field]["edges"]}
        assert data[field]["totalCount"] == len(seen[field])
    return seen


@pytest.mark.usefixtures("two_cities")
async def test_industry_tokens_see_their_industry_in_their_area(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    await _industries(engine)
    manufacturing_wuhai = await _seen(api, token("industry", region="150300", industry="C"))
    assert manufacturing_wuhai == {
        "trainingClasses": {"K1"},
        "trainees": {"T1"},
        "learningSessions": {"S1"},
        "enrolments": {"E1"},
        "certificates": {"Z1"},
    }
    # A region-level authority reaches the districts; the retail organiser trains in two cities.
    retail_region = await _seen(api, token("industry", region="150000", industry="F"))
    assert retail_region["trainingClasses"] == {"K2", "K9"}
    assert retail_region["trainees"] == {"T2", "H1"}
    nobody = await _seen(api, token("industry", region="150100", industry="C"))
    assert all(not ids for ids in nobody.values())
    # Platforms' operations and the unmasked-read log are not an industry authority's.
    industry = token("industry", region="150300", industry="C")
    data = await api.data(industry, "{ syncRuns { totalCount } quarantinedRecords { totalCount } }")
    assert data == {"syncRuns": {"totalCount": 0}, "quarantinedRecords": {"totalCount": 0}}
    foreign = await api.data(
        token("region"), '{ trainingClasses(filter: {region: "150303"}) { edges { node { id } } } }'
    )
    k2 = foreign["trainingClasses"]["edges"][0]["node"]["id"]
    node = await api.data(industry, "query($id: ID!) { node(id: $id) { id } }", {"id": k2})
    assert node["node"] is None
