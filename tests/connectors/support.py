"""Helpers for connector tests: a small valid dataset, a live simulated platform, a sync loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from starlette.applications import Starlette

from connectors.base import Batch, Connector, PlatformConfig
from connectors.http import HttpClient
from connectors.rest_json import SHANGHAI, RestJsonConnector
from connectors.simulated.rest_json_app import Faults, SimulatedPlatform
from schema.enums import CertificateKind, CourseStandard, IdentityCategory
from schema.ids import credit_code_check_char, resident_id_check_char

TOKEN = "s3cret-token"
BASE_TIME = datetime(2020, 3, 1, 8, 0, tzinfo=SHANGHAI)


def credit_code(i: int) -> str:
    first17 = f"91150302MA{i:07d}"
    return first17 + credit_code_check_char(first17)


def resident_id(i: int) -> str:
    born = date(1980, 1, 1) + timedelta(days=37 * i)
    first17 = f"150302{born:%Y%m%d}{i % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def make_records(trainees: int = 120, spaced: bool = True) -> list[dict]:
    """A small, valid, referentially whole dataset of canonical v1 records.

    With `spaced`, records get `_updated_at` a minute apart in threes (small ties inside pages);
    without, none is given and all share the platform's epoch — one big bulk-import tie.
    """
    out: list[dict] = []
    categories = list(IdentityCategory)
    for i in range(trainees):
        t = {
            "type": "trainee",
            "source_id": f"T{i:05d}",
            "name": f"学员{i}",
            "id_number": resident_id(i),
            "identity_category": categories[i % len(categories)].value,
            "region_code": ("150302", "150303", "150304")[i % 3],
        }
        if i % 4:
            t["phone"] = f"138{i:08d}"
        if i % 3 == 0:
            t["employer_credit_code"] = credit_code(1000 + i % 7)
        out.append(t)
    standards = list(CourseStandard)
    for c in range(6):
        course = {
            "type": "course",
            "source_id": f"C{c}",
            "title": f"电工培训课程{c}",
            "occupation_name": "电工",
            "skill_level": 1 + c % 5,
            "total_hours": 40.0 + c * 2.5,
            "online_hours": 16.0,
            "occupation_code": "6-31-01-03",
        }
        if c % 2:
            course["standard"] = standards[c % 3].value
        out.append(course)
    for k in range(8):
        klass = {
            "type": "class",
            "source_id": f"K{k}",
            "course_source_id": f"C{k % 6}",
            "organiser_credit_code": credit_code(k),
            "region_code": "150302",
            "starts_on": "2020-03-02",
            "ends_on": "2020-04-30",
        }
        if k % 2:
            klass["name"] = f"2020年第{k}期电工班"
        out.append(klass)
    kinds = list(CertificateKind)
    for i in range(trainees):
        k, sid = f"K{i % 8}", f"T{i:05d}"
        enrol = {"type": "enrolment", "source_id": f"E{i:05d}", "class_source_id": k}
        enrol["trainee_source_id"] = sid
        if i % 5:
            enrol["enrolled_on"] = "2020-03-01"
        out.append(enrol)
        for s in range(3):
            start = BASE_TIME + timedelta(days=1 + s, minutes=i)
            session = {
                "type": "session",
                "source_id": f"S{i:05d}-{s}",
                "trainee_source_id": sid,
                "class_source_id": k,
                "started_at": start.isoformat(),
                "ended_at": (start + timedelta(minutes=45)).isoformat(),
                "mode": "online" if s < 2 else "offline",
                "reported_seconds": 2700 - (i % 97),
            }
            if s == 0:
                session["activity"] = "观看视频：安全用电"
            out.append(session)
        assessment = {
            "type": "assessment",
            "source_id": f"A{i:05d}",
            "trainee_source_id": sid,
            "class_source_id": k,
            "assessed_at": (BASE_TIME + timedelta(days=40, hours=i % 8)).isoformat(),
            "passed": i % 6 != 0,
        }
        if i % 2:
            assessment["score"] = 60 + (i % 40) + 0.5
        out.append(assessment)
        if i % 2 == 0:
            cert = {
                "type": "certificate",
                "source_id": f"Z{i:05d}",
                "trainee_source_id": sid,
                "kind": kinds[i % len(kinds)].value,
                "number": f"NO.2020{i:06d}",
                "issued_on": "2020-05-10",
                "class_source_id": k,
            }
            if i % 4 == 0:
                cert["skill_level"] = 4
                cert["occupation_code"] = "6-31-01-03"
            out.append(cert)
    if spaced:
        for n, record in enumerate(out):
            record["_updated_at"] = (BASE_TIME + timedelta(minutes=n // 3)).isoformat()
    return out


Key = tuple[str, str]


@dataclass
class Sync:
    """What the hub would do with batches, minus the database: upsert by (type, source_id)."""

    connector: Connector
    store: dict[Key, dict] = field(default_factory=dict)
    cursors: dict[str, dict] = field(default_factory=dict)
    batches: list[Batch] = field(default_factory=list)

    async def run(self) -> set[Key]:
        """Read every stream from its cursor; return the keys of the records this run returned."""
        returned: set[Key] = set()
        for stream in self.connector.streams():
            async for batch in stream.read(self.cursors.get(stream.name)):
                assert batch.stream == stream.name
                for record in batch.records:
                    key = (record["type"], record["source_id"])
                    self.store[key] = record
                    returned.add(key)
                self.cursors[stream.name] = batch.cursor
                self.batches.append(batch)
        return returned


class FakeSleep:
    """Records the waits the client asks for and yields without waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@dataclass
class Live:
    base_url: str
    app: Starlette
    platform: SimulatedPlatform
    faults: Faults
    sleep: FakeSleep
    clients: list[HttpClient]

    def connector(self, token: str | None = TOKEN, **options: object) -> RestJsonConnector:
        """A connector for this platform; options go into PlatformConfig (page_size, ...)."""
        timeout = float(options.pop("timeout", 5.0))  # type: ignore[arg-type]
        http = HttpClient(timeout=timeout, sleep=self.sleep, max_total_wait=30.0)
        self.clients.append(http)
        config = PlatformConfig(
            code="sim-1",
            name="模拟培训平台",
            kind="rest_json",
            base_url=self.base_url,
            token=token,
            region="150302",
            **{"page_size": 25, **options},
        )
        return RestJsonConnector(config, http)


def platform_view(platform: SimulatedPlatform) -> dict[Key, dict]:
    """The platform's current data, as the hub should end up holding it."""
    return platform.canonical()
