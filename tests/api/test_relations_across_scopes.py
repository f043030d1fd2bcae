"""One relation rule in GraphQL, exports and documents: what hangs off a visible row shows.

A Hohhot resident (T4) trains on the Wuhai platform in a Haibowan class (K1) and also in a class
of district Hainan (K2). Wuhai's bureaus see T4 on their class's roster and sessions, masked, with
the platform's code and name; Haibowan does not see T4's Hainan enrolment. The XLSX ledger and
learning records of each caller list exactly the rows GraphQL gives the same caller. An
organisation sees the quarantine and sync runs of the platforms it operates only.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import pytest_asyncio
from openpyxl import load_workbook
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest import Ingestor
from hub.security.pii import PiiVault
from schema import tables
from schema.enums import SyncStatus
from tests.api.conftest import Api
from tests.records import ORG, OTHER_ORG, enrolment, resident_id, session, trainee

T4_ID = resident_id("150102", serial="404")
CALLERS: dict[str, dict[str, Any]] = {
    "city wuhai": {"role": "city", "region": "150300"},
    "district haibowan": {"role": "district", "region": "150302"},
    "district hainan": {"role": "district", "region": "150303"},
    "city hohhot": {"role": "city", "region": "150100"},
    "org": {"role": "org", "org": ORG},
    "other org": {"role": "org", "org": OTHER_ORG},
    "region": {"role": "region"},
}

ROSTERS = """{ trainingClasses(first: 500) { edges { node { sourceId
  enrolments { sourceId trainee { sourceId name idNumber platform { code name } } }
  sessions { sourceId trainee { sourceId name idNumber } platform { code } } } } } }"""


@pytest_asyncio.fixture(loop_scope="session")
async def cross_city(two_cities: None, engine: AsyncEngine, vault: PiiVault) -> None:
    async with transaction(engine) as db:
        wh = (
            await db.execute(select(tables.Platform).where(tables.Platform.code == "wh"))
        ).scalar_one()
        records = [
            trainee("T4", region_code="150102", id_number=T4_ID),
            enrolment("E4", "T4", "K1"),
            enrolment("E5", "T4", "K2"),
            session("S4", "T4", "2020-03-06T19:00:00+08:00", "2020-03-06T20:00:00+08:00"),
            {"type": "trainee", "source_id": "BAD", "name": "x"},  # quarantined
        ]
        stats = await Ingestor(db, wh.id, vault).ingest(records)
        assert stats.total.quarantined == 1
        await db.execute(
            insert(tables.SyncRun),
            [{"platform_id": wh.id, "trigger": "sync", "status": SyncStatus.SUCCEEDED}],
        )


def _sheet(body: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))[1:]


@pytest.mark.usefixtures("cross_city")
async def test_rosters_show_their_trainees_masked_and_nothing_more(
    api: Api, token: Callable[..., str]
) -> None:
    for who in ("city wuhai", "district haibowan"):
        claims = CALLERS[who]
        data = await api.data(token(**claims), ROSTERS)
        classes = {e["node"]["sourceId"]: e["node"] for e in data["trainingClasses"]["edges"]}
        k1 = classes["K1"]
        roster = {e["sourceId"]: e["trainee"] for e in k1["enrolments"]}
        assert None not in roster.values(), (who, roster)
        assert roster["E4"]["idNumber"] == T4_ID[:6] + "********" + T4_ID[-4:]
        assert roster["E4"]["platform"] == {"code": "wh", "name": "wh"}
        assert all(s["trainee"] is not None for c in classes.values() for s in c["sessions"])
    # Haibowan reaches T4 through K1 only: not T4's enrolment in Hainan's class K2.
    bearer = token(**CALLERS["district haibowan"])
    data = await api.data(
        bearer, "{ trainees(first: 500) { edges { node { sourceId enrolments { sourceId } } } } }"
    )
    t4 = next(e["node"] for e in data["trainees"]["edges"] if e["node"]["sourceId"] == "T4")
    assert [e["sourceId"] for e in t4["enrolments"]] == ["E4"]


@pytest.mark.usefixtures("cross_city")
async def test_exports_list_what_graphql_shows_the_same_caller(
    api: Api, token: Callable[..., str]
) -> None:
    for who, claims in CALLERS.items():
        bearer = token(**claims)
        data = await api.data(bearer, ROSTERS)
        nodes = [e["node"] for e in data["trainingClasses"]["edges"]]
        masked = lambda n: n[:6] + "********" + n[-4:] if len(n) == 18 else n  # noqa: E731
        roster = sorted(
            (
                e["trainee"]["name"],
                masked(e["trainee"]["idNumber"]),
                e["trainee"]["platform"]["name"],
            )
            for n in nodes
            for e in n["enrolments"]
        )
        sessions = sorted(
            (s["trainee"]["name"], masked(s["trainee"]["idNumber"]), s["platform"]["code"])
            for n in nodes
            for s in n["sessions"]
        )
        response = await api.client.get(
            "/exports/ledger.xlsx", headers={"Authorization": f"Bearer {bearer}"}
        )
        assert response.status_code == 200, (who, response.text)
        ledger = sorted((r[1], r[2], r[14]) for r in _sheet(response.content))  # 培训平台
        assert ledger == roster, who
        response = await api.client.get(
            "/exports/learning-records.xlsx", headers={"Authorization": f"Bearer {bearer}"}
        )
        records = sorted((r[0], r[1], r[3]) for r in _sheet(response.content))
        assert records == sessions, who
        # The exported numbers are masked whoever asks.
        assert all("*" in r[1] for r in ledger), who


@pytest.mark.usefixtures("cross_city")
async def test_an_organisation_sees_only_its_own_platforms_operations(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    query = """{ quarantinedRecords(filter: {openOnly: false}) { totalCount }
                 syncRuns { totalCount } platforms { edges { node { code } } } }"""
    for who in ("org", "other org"):
        data = await api.data(token(**CALLERS[who]), query)
        # Their classes run on wh (and hh), which they do not operate.
        assert data["platforms"]["edges"], who
        assert data["quarantinedRecords"]["totalCount"] == 0, who
        assert data["syncRuns"]["totalCount"] == 0, who
    # Once it operates wh, the organisation sees wh's operations, still not hh's.
    async with transaction(engine) as db:
        org_id = (
            await db.execute(
                select(tables.Organisation.id).where(tables.Organisation.credit_code == ORG)
            )
        ).scalar_one()
        await db.execute(
            tables.Platform.__table__.update()
            .where(tables.Platform.code == "wh")
            .values(operator_id=org_id)
        )
    data = await api.data(token(**CALLERS["org"]), query)
    assert data["quarantinedRecords"]["totalCount"] == 1
    assert data["syncRuns"]["totalCount"] == 1
