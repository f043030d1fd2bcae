"""The leak matrix: for every role and every connection, no row outside the caller's scope.

Data spans two cities (Wuhai 150300, Hohhot 150100), two Wuhai districts (150302, 150303), two
organisers and two platforms, a Hohhot resident trained in a Wuhai class, and an alert whose
records lie on both platforms. What each caller may see is computed here, in Python, from the
rows themselves and the role table of the brief plus the one relation rule (what a visible row
needs hangs off it: the roster of a visible class, the platform of a visible class, trainee or
alert record) — independently of hub/auth/scopes.py — and compared with what the API returns:
top-level connections (edges and totalCount), every object reachable through nested relations,
and `node(id)` for every row in the database.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from graphql import GraphQLInterfaceType, GraphQLObjectType, get_named_type
from openpyxl import load_workbook
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.relay import to_global_id
from hub.api.schema import build_schema
from hub.db import transaction
from hub.ingest import Ingestor
from hub.security.pii import PiiVault
from hub.settings import Settings
from schema import tables
from schema.enums import SyncStatus
from schema.regions import REGIONS
from tests.api.conftest import Api
from tests.records import ORG, OTHER_ORG, enrolment, resident_id, session, trainee

CONNECTIONS: dict[str, tuple[str, Any]] = {
    "trainees": ("Trainee", tables.Trainee),
    "persons": ("Person", tables.Person),
    "organisations": ("Organisation", tables.Organisation),
    "platforms": ("Platform", tables.Platform),
    "courses": ("Course", tables.Course),
    "trainingClasses": ("TrainingClass", tables.TrainingClass),
    "enrolments": ("Enrolment", tables.Enrolment),
    "learningSessions": ("LearningSession", tables.LearningSession),
    "assessments": ("Assessment", tables.Assessment),
    "certificates": ("Certificate", tables.Certificate),
    "subsidyClaims": ("SubsidyClaim", tables.SubsidyClaim),
    "quarantinedRecords": ("QuarantinedRecord", tables.QuarantinedRecord),
    "syncRuns": ("SyncRun", tables.SyncRun),
    "alerts": ("Alert", tables.Alert),
    "accessLog": ("AccessLogEntry", tables.AccessLogEntry),
}
ARGS = {"quarantinedRecords": "first: 500, filter: {openOnly: false}"}


@pytest.fixture(params=["compiled", "resolvers"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, data_key_b64: str) -> Settings:
    """Generous limits: the matrix asks for every relation of every connection at once.

    The matrix runs on both read paths: compiled SQL and the resolvers.
    """
    from tests.api.conftest import SECRET

    return Settings(
        data_dir=tmp_path,
        jwt_secret=SECRET,
        data_key=data_key_b64,
        max_query_rows=10**12,
        max_query_tokens=100_000,
        max_query_aliases=500,
        compiled_reads=request.param == "compiled",
    )


@pytest_asyncio.fixture(loop_scope="session")
async def world(two_cities: None, engine: AsyncEngine, vault: PiiVault) -> None:
    """two_cities plus assessments, certificates, quarantine, claims, sync runs, log entries."""
    extra = {
        "wh": [
            {
                "type": "assessment",
                "source_id": "A1",
                "trainee_source_id": "T1",
                "class_source_id": "K1",
                "assessed_at": "2020-03-30T10:00:00+08:00",
                "passed": True,
            },
            {
                "type": "assessment",
                "source_id": "A2",
                "trainee_source_id": "T2",
                "class_source_id": "K2",
                "assessed_at": "2020-03-30T10:00:00+08:00",
                "passed": False,
            },
            trainee("BAD1", id_number="150302199001011231"),  # wrong check digit: quarantined
            # A trainee employed by ORG but never enrolled in its classes, in district 150303.
            trainee(
                "T3", region_code="150303", employer_credit_code=ORG, id_number="150303199001010035"
            ),
            # A Hohhot resident on the Wuhai platform, trained in a Haibowan class.
            trainee("T4", region_code="150102", id_number=resident_id("150102", serial="404")),
            enrolment("E4", "T4", "K1"),
            session(
                "S4",
                "T4",
                "2020-03-06T19:00:00+08:00",
                "2020-03-06T20:00:00+08:00",
                class_source_id="K1",
            ),
        ],
        "hh": [
            {
                "type": "assessment",
                "source_id": "A9",
                "trainee_source_id": "H1",
                "class_source_id": "K9",
                "assessed_at": "2020-03-30T10:00:00+08:00",
                "passed": True,
            },
            {
                "type": "certificate",
                "source_id": "Z9",
                "trainee_source_id": "H1",
                "class_source_id": "K9",
                "kind": "skill_level",
                "number": "NM-2020-0009",
                "issued_on": "2020-04-03",
            },
            trainee("BAD9", id_number="150102199001011231"),
        ],
    }
    async with transaction(engine) as db:
        platforms = {p.code: p for p in (await db.execute(select(tables.Platform))).scalars()}
    for code, records in extra.items():
        async with transaction(engine) as db:
            await Ingestor(db, platforms[code].id, vault).ingest(records)
    async with transaction(engine) as db:
        classes = (await db.execute(select(tables.TrainingClass))).scalars().all()
        await db.execute(
            insert(tables.SubsidyClaim),
            [
                {
                    "class_id": c.id,
                    "organisation_id": c.organiser_id,
                    "region_code": c.region_code,
                    "year": 2020,
                }
                for c in classes
            ],
        )
        await db.execute(
            insert(tables.SyncRun),
            [
                {"platform_id": p.id, "trigger": "sync", "status": SyncStatus.SUCCEEDED}
                for p in platforms.values()
            ],
        )
        # An alert of Haibowan whose records lie on both platforms (one identity, two platforms).
        wh_trainee = (
            await db.execute(select(tables.Trainee).where(tables.Trainee.source_id == "T1"))
        ).scalar_one()
        hh_trainee = (
            await db.execute(select(tables.Trainee).where(tables.Trainee.source_id == "H1"))
        ).scalar_one()
        alert_id = (
            await db.execute(
                insert(tables.Alert)
                .values(
                    rule="cross_platform", dedup_key="x:1", severity="high", region_code="150302"
                )
                .returning(tables.Alert.id)
            )
        ).scalar_one()
        await db.execute(
            insert(tables.AlertRecord),
            [
                {
                    "alert_id": alert_id,
                    "platform_id": row.platform_id,
                    "record_type": "trainee",
                    "source_id": row.source_id,
                    "row_id": row.id,
                    "region_code": row.region_code,
                }
                for row in (wh_trainee, hh_trainee)
            ],
        )
        await db.execute(
            insert(tables.AccessLogEntry),
            [
                {
                    "subject": f"auditor:{code}",
                    "role": "auditor",
                    "entity": "trainee",
                    "record_ids": [1],
                    "fields": ["idNumber"],
                    "region_code": code,
                }
                for code in (None, "150302", "150100")
            ],
        )


# --- the oracle: visibility from the rows and the brief's role table ---------------------------


def area(code: str) -> set[str]:
    return {code} | {child for child, _, _, parent in REGIONS if parent == code}


@dataclass
class Rows:
    by_type: dict[str, list[Any]]

    def __getitem__(self, type_name: str) -> list[Any]:
        return self.by_type[type_name]


def visible(
    rows: Rows, role: str, region: str | None, org: str | None, platform: str | None
) -> dict[str, set[int]]:
    """Row ids of each type the caller may see."""
    ids = lambda rs: {r.id for r in rs}  # noqa: E731
    everything = {t: ids(rs) for t, rs in rows.by_type.items()}
    if role == "region" or (role == "auditor" and region is None):
        return everything
    orgs = {o.id: o for o in rows["Organisation"]}
    plats = {p.id: p for p in rows["Platform"]}
    records = rows["AlertRecord"]
    seen: dict[str, set[int]] = defaultdict(set)
    home_platforms: set[int] = set()
    if role in ("city", "district", "auditor"):
        a = area(region or "")
        seen["TrainingClass"] = {c.id for c in rows["TrainingClass"] if c.region_code in a}
        seen["Trainee"] = {t.id for t in rows["Trainee"] if t.region_code in a}
        seen["SubsidyClaim"] = {c.id for c in rows["SubsidyClaim"] if c.region_code in a}
        used = {c.platform_id for c in rows["TrainingClass"] if c.id in seen["TrainingClass"]}
        home_platforms = {p.id for p in plats.values() if p.region_code in a or p.id in used}
        organisers = {c.organiser_id for c in rows["TrainingClass"] if c.region_code in a}
        seen["Organisation"] = {
            o.id for o in orgs.values() if o.region_code in a or o.id in organisers
        }
        involved = {r.alert_id for r in records if r.region_code in a}
        seen["Alert"] = {x.id for x in rows["Alert"] if x.region_code in a or x.id in involved}
        if role == "auditor":
            # Entries of readers in the area (hub/auth/scopes.py: access_log).
            seen["AccessLogEntry"] = {e.id for e in rows["AccessLogEntry"] if e.region_code in a}
    elif role == "finance":
        a = area(region or "")
        seen["SubsidyClaim"] = {c.id for c in rows["SubsidyClaim"] if c.region_code in a}
        organisers = {c.organiser_id for c in rows["TrainingClass"] if c.region_code in a}
        seen["Organisation"] = {
            o.id for o in orgs.values() if o.region_code in a or o.id in organisers
        }
        return seen
    elif role == "org":
        own = {o.id for o in orgs.values() if o.credit_code == org}
        seen["TrainingClass"] = {c.id for c in rows["TrainingClass"] if c.organiser_id in own}
        enrolled = {e.trainee_id for e in rows["Enrolment"] if e.class_id in seen["TrainingClass"]}
        seen["Trainee"] = {
            t.id for t in rows["Trainee"] if t.id in enrolled or t.employer_credit_code == org
        }
        seen["SubsidyClaim"] = {c.id for c in rows["SubsidyClaim"] if c.organisation_id in own}
        # Sync runs and quarantine only of the platforms it operates, not of those it uses.
        home_platforms = {p.id for p in plats.values() if p.operator_id in own}
        seen["Organisation"] = own
        seen["Alert"] = {x.id for x in rows["Alert"] if x.organisation_id in own}
    elif role == "connector":
        mine = {p.id for p in plats.values() if p.code == platform}
        for t in (
            "TrainingClass",
            "Trainee",
            "Enrolment",
            "LearningSession",
            "Assessment",
            "Certificate",
            "Course",
        ):
            seen[t] = {r.id for r in rows[t] if r.platform_id in mine}
        seen["Organisation"] = {plats[p].operator_id for p in mine} - {None}
        seen["QuarantinedRecord"] = {
            q.id for q in rows["QuarantinedRecord"] if q.platform_id in mine
        }
        seen["SyncRun"] = {s.id for s in rows["SyncRun"] if s.platform_id in mine}
        seen["Person"] = {t.person_id for t in rows["Trainee"] if t.id in seen["Trainee"]}
        seen["Alert"] = {r.alert_id for r in records if r.platform_id in mine}
        alerting = {r.platform_id for r in records if r.alert_id in seen["Alert"]}
        seen["Platform"] = mine | alerting  # the other platform of a cross-platform alert
        return seen
    # Area and org callers: what hangs off their classes, trainees and platforms.
    classes = seen["TrainingClass"]
    for t in ("Enrolment", "LearningSession", "Assessment"):
        seen[t] = {r.id for r in rows[t] if r.class_id in classes}
    home_trainees = set(seen["Trainee"])
    seen["Certificate"] = {
        c.id for c in rows["Certificate"] if c.class_id in classes or c.trainee_id in home_trainees
    }
    # The trainees a visible class needs: its roster.
    seen["Trainee"] |= {e.trainee_id for e in rows["Enrolment"] if e.class_id in classes}
    seen["Course"] = {c.course_id for c in rows["TrainingClass"] if c.id in classes}
    seen["Person"] = {t.person_id for t in rows["Trainee"] if t.id in seen["Trainee"]}
    # Platforms: those it answers for, and those of its visible classes, trainees, alert records.
    seen["Platform"] = (
        home_platforms
        | {c.platform_id for c in rows["TrainingClass"] if c.id in classes}
        | {t.platform_id for t in rows["Trainee"] if t.id in seen["Trainee"]}
        | {r.platform_id for r in records if r.alert_id in seen["Alert"]}
    )
    for t in ("QuarantinedRecord", "SyncRun"):
        seen[t] = {r.id for r in rows[t] if r.platform_id in home_platforms}
    return seen


CALLERS: dict[str, dict[str, Any]] = {
    "region": {"role": "region"},
    "city wuhai": {"role": "city", "region": "150300"},
    "city hohhot": {"role": "city", "region": "150100"},
    "district haibowan": {"role": "district", "region": "150302"},
    "district hainan": {"role": "district", "region": "150303"},
    "finance wuhai": {"role": "finance", "region": "150300"},
    "finance hohhot": {"role": "finance", "region": "150100"},
    "org": {"role": "org", "org": ORG},
    "other org": {"role": "org", "org": OTHER_ORG},
    "connector wh": {"role": "connector", "platform": "wh"},
    "connector hh": {"role": "connector", "platform": "hh"},
    "auditor": {"role": "auditor"},
    "auditor wuhai": {"role": "auditor", "region": "150300"},
}


# --- the queries: every connection with every relation, two levels deep -------------------------


def selection(type_: Any, depth: int) -> str:
    parts = ["__typename"]
    if "id" in type_.fields:
        parts.append("id")
    if depth == 0:
        return " ".join(parts)
    for name, field in type_.fields.items():
        named = get_named_type(field.type)
        required = any(a.type.to_string().endswith("!") for a in field.args.values())
        if (
            isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
            and not required
            and not named.name.endswith("Connection")
        ):
            parts.append(f"{name} {{ {selection(named, depth - 1)} }}")
    return " ".join(parts)


def matrix_query(fields: list[str]) -> str:
    schema = build_schema()._schema
    query_type = schema.query_type
    parts = []
    for field in fields:
        node_type = (
            get_named_type(get_named_type(query_type.fields[field].type).fields["edges"].type)
            .fields["node"]
            .type
        )
        nested = selection(get_named_type(node_type), 2)
        parts.append(
            f"{field}({ARGS.get(field, 'first: 500')}) {{ totalCount edges {{ node {{ {nested} }} }} }}"
        )
    return "{ " + " ".join(parts) + " }"


def objects(value: Any) -> Iterator[tuple[str, str]]:
    """Every (typename, id) anywhere in a response."""
    if isinstance(value, dict):
        if "__typename" in value and "id" in value:
            yield value["__typename"], value["id"]
        for item in value.values():
            yield from objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from objects(item)


async def load_rows(engine: AsyncEngine) -> Rows:
    async with transaction(engine) as db:
        return Rows(
            {
                type_name: list((await db.execute(select(table))).scalars())
                for type_name, table in [
                    *CONNECTIONS.values(),
                    ("AlertRecord", tables.AlertRecord),
                ]
            }
        )


@pytest.mark.usefixtures("world")
async def test_no_caller_reads_past_its_scope(
    api: Api, token: Callable[..., str], engine: AsyncEngine, settings: Settings
) -> None:
    rows = await load_rows(engine)
    # The data really spans what the matrix needs.
    assert {c.region_code for c in rows["TrainingClass"]} == {"150302", "150303", "150102"}
    assert len(rows["Platform"]) == 2 and len(rows["Organisation"]) >= 2
    assert all(rows[t] for t in rows.by_type), {t: len(r) for t, r in rows.by_type.items()}
    # accessLog answers FORBIDDEN to most roles, which nulls a whole response: ask it apart.
    queries = [
        matrix_query([f for f in CONNECTIONS if f != "accessLog"]),
        matrix_query(["accessLog"]),
    ]
    every_id = [
        (t, to_global_id(t, r.id))
        for t, rs in rows.by_type.items()
        if t != "AlertRecord"  # not a node: reached through its alert only
        for r in rs
    ]
    for who, claims in CALLERS.items():
        expected = visible(
            rows, claims["role"], claims.get("region"), claims.get("org"), claims.get("platform")
        )
        allowed = {(t, to_global_id(t, i)) for t, ids in expected.items() for i in ids}
        bearer = token(claims["role"], **{k: v for k, v in claims.items() if k != "role"})
        data: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for query in queries:
            body = await api.query(bearer, query)
            data.update(body.get("data") or {})
            errors += body.get("errors", [])
        # Entity connections compile; claims, quarantine, sync runs stay with the resolvers.
        headers = {"Authorization": f"Bearer {bearer}"}
        answer = await api.client.post("/graphql", json={"query": queries[0]}, headers=headers)
        path = "mixed" if settings.compiled_reads else "resolvers"
        assert answer.headers["x-hub-read-path"] == path, who
        for field, (type_name, _) in CONNECTIONS.items():
            got = data.get(field)
            want = {to_global_id(type_name, i) for i in expected.get(type_name, set())}
            if got is None:  # a connection the role may not use at all answers FORBIDDEN
                assert field == "accessLog" and not want, (who, field, errors)
                continue
            ids = {e["node"]["id"] for e in got["edges"]}
            assert ids == want, (who, field)
            assert got["totalCount"] == len(want), (who, field)
        leaked = set(objects(data)) - allowed
        assert not leaked, (who, sorted(leaked)[:5])
        for error in errors:
            assert error["extensions"]["code"] == "FORBIDDEN", (who, error)
        # node(id) for every row in the database, in batches of aliases.
        for start in range(0, len(every_id), 100):
            batch = every_id[start : start + 100]
            lookup = " ".join(
                f'n{i}: node(id: "{gid}") {{ __typename id }}' for i, (_, gid) in enumerate(batch)
            )
            found = await api.data(bearer, "{ " + lookup + " }")
            for i, pair in enumerate(batch):
                assert (found[f"n{i}"] is not None) == (pair in allowed), (who, pair)


def _sheet_rows(body: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))[1:]


@pytest.mark.usefixtures("world")
async def test_exports_and_documents_follow_the_same_rule(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    """The XLSX ledger and learning records list exactly the oracle's enrolments and sessions,
    with their trainees masked; a claim's forms and materials exist exactly for visible claims."""
    rows = await load_rows(engine)
    async with transaction(engine) as db:
        trainees = {t.id: t for t in (await db.execute(select(tables.Trainee))).scalars()}
    for who, claims in CALLERS.items():
        expected = visible(
            rows, claims["role"], claims.get("region"), claims.get("org"), claims.get("platform")
        )
        headers = {
            "Authorization": "Bearer "
            + token(claims["role"], **{k: v for k, v in claims.items() if k != "role"})
        }
        ledger = await api.client.get("/exports/ledger.xlsx", headers=headers)
        if claims["role"] == "connector":  # service accounts read through GraphQL only
            assert ledger.status_code == 403, who
            continue
        want = sorted(
            (trainees[e.trainee_id].name, trainees[e.trainee_id].id_masked)
            for e in rows["Enrolment"]
            if e.id in expected.get("Enrolment", set())
        )
        got = sorted((r[1], r[2]) for r in _sheet_rows(ledger.content))
        assert got == want, who
        sessions = await api.client.get("/exports/learning-records.xlsx", headers=headers)
        want = sorted(
            trainees[s.trainee_id].id_masked
            for s in rows["LearningSession"]
            if s.id in expected.get("LearningSession", set())
        )
        assert sorted(r[1] for r in _sheet_rows(sessions.content)) == want, who
        for claim in rows["SubsidyClaim"]:
            gid = to_global_id("SubsidyClaim", claim.id)
            seen = claim.id in expected.get("SubsidyClaim", set())
            for path in (
                f"/documents/claims/{gid}/annex2.pdf",
                f"/exports/claim-materials.xlsx?claim={gid}",
            ):
                response = await api.client.get(path, headers=headers)
                assert response.status_code == (200 if seen else 404), (who, path)
