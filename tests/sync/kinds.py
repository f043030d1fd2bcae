"""Simulated platforms of each connector kind on loopback, and what the hub must hold after a sync.

`start(kind, records)` serves one simulated platform and returns how to reach it (a
PlatformConfig), its fault switches, and its data as the connector must deliver it. `hub_state`
reads back what the hub stored; `expected_state` says what it should be: every valid record with
the same content, and in open quarantine the malformed ones plus everything that (transitively)
refers to one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from connectors.simulated import moodle_app, rest_json_app, spreadsheet_app, xapi_app
from connectors.simulated.dataset import generate_by_platform
from connectors.simulated.faults import Faults
from connectors.simulated.rest_json_app import SimulatedPlatform
from connectors.simulated.server import serve
from hub.db import transaction
from hub.ingest.rows import SPECS, content_hash, history_payload
from hub.security.pii import PiiVault
from schema.records import parse_record
from schema.tables import Platform, QuarantinedRecord

Key = tuple[str, str]
TOKEN = "sim-secret"
REFERENCES = {
    "trainee_source_id": "trainee",
    "class_source_id": "class",
    "course_source_id": "course",
}


def small_platform() -> list[dict]:
    """One platform's share of a small generated dataset, every third session kept (speed)."""
    every = generate_by_platform(14, seed=11)["wuhai-skills"]
    sessions = [r for r in every if r["type"] == "session"][::3]
    return [r for r in every if r["type"] != "session"] + sessions


@dataclass
class SimPlatform:
    config: PlatformConfig
    faults: Faults
    expected: Callable[[], dict[Key, dict]]
    malformed: Callable[[], set[Key]]
    platform: SimulatedPlatform | None = None  # the data behind it, to change between runs


def start(stack: ExitStack, kind: str, records: list[dict], code: str = "sim") -> SimPlatform:
    """Serve `records` as a simulated platform of `kind` until `stack` closes."""
    common = {"code": code, "name": "模拟平台", "kind": kind, "region": "150300", "page_size": 40}
    if kind == "moodle":
        app = moodle_app.create_app(records, token=TOKEN)
        site = app.state.site
        base = stack.enter_context(serve(app))
        config = PlatformConfig(
            **common, base_url=base, token=TOKEN, session_report_id=moodle_app.SESSION_REPORT_ID
        )
        return SimPlatform(
            config, app.state.faults, site.expected, site.malformed, app.state.platform
        )
    if kind == "xapi":
        app = xapi_app.create_app(records, username="hub", password=TOKEN)
        lrs = app.state.lrs
        base = stack.enter_context(serve(app))
        config = PlatformConfig(
            **common,
            base_url=f"{base}/xapi",
            token=TOKEN,
            username="hub",
            roster=[f"roster/{spreadsheet_app.WORKBOOK}"],
        )
        return SimPlatform(
            config, app.state.faults, lrs.expected, lrs.malformed, app.state.platform
        )
    if kind in ("spreadsheet", "rest_json"):
        if kind == "rest_json":
            app = rest_json_app.create_app(rest_json_app.spaced(records), token=TOKEN)
        else:
            app = spreadsheet_app.create_app(records, token=TOKEN)
        platform = app.state.platform
        base = stack.enter_context(serve(app))
        if kind == "rest_json":
            config = PlatformConfig(**common, base_url=base, token=TOKEN)
        else:
            config = PlatformConfig(
                **common, base_url=f"{base}/files", token=TOKEN, files=spreadsheet_app.FILES
            )

        def malformed() -> set[Key]:
            return {key for key in platform.canonical() if platform.is_malformed(*key)}

        return SimPlatform(config, app.state.faults, platform.canonical, malformed, platform)
    raise ValueError(kind)


def hub_key(sim: SimPlatform, kind: str, record: dict) -> Key:
    """The key the hub stores one of the platform's canonical records under (Moodle gives its
    own ids, an LRS keys assessments by registration)."""
    if sim.config.kind == "moodle":
        return sim.expected.__self__.rekey(kind, record)[0]  # type: ignore[attr-defined]
    if sim.config.kind == "xapi":
        return xapi_app.key_of(kind, record)
    return (kind, record["source_id"])


def fast_client(timeout: float = 5.0) -> HttpClient:
    """A client that retries without waiting (Retry-After is still asked for, just not slept)."""

    async def no_sleep(_: float) -> None:
        return None

    return HttpClient(timeout=timeout, max_attempts=8, sleep=no_sleep)


def blocked(expected: dict[Key, dict], malformed: set[Key]) -> set[Key]:
    """The malformed records and every record that refers, however indirectly, to one of them."""
    out = set(malformed)
    grew = True
    while grew:
        grew = False
        for key, record in expected.items():
            if key in out:
                continue
            refs = {(t, record.get(f)) for f, t in REFERENCES.items() if f in record}
            if refs & out:
                out.add(key)
                grew = True
    return out


def expected_state(sim: SimPlatform, vault: PiiVault) -> tuple[dict[Key, str], set[Key]]:
    """(content hash per stored record, keys in open quarantine) the hub must end up with."""
    expected = sim.expected()
    stuck = blocked(expected, sim.malformed())
    hashes = {
        key: content_hash(history_payload(parse_record(record), vault))
        for key, record in expected.items()
        if key not in stuck
    }
    return hashes, stuck


async def hub_state(engine: AsyncEngine, code: str = "sim") -> tuple[dict[Key, str], set[Key]]:
    """(content hash per stored record, keys in open quarantine) of one platform in the hub."""
    stored: dict[Key, str] = {}
    async with transaction(engine) as db:
        pid = (await db.execute(select(Platform.id).where(Platform.code == code))).scalar_one()
        for record_type, spec in SPECS.items():
            table = spec.table
            rows = await db.execute(
                select(table.source_id, table.content_hash).where(table.platform_id == pid)  # type: ignore[attr-defined]
            )
            for sid, digest in rows.all():
                assert (record_type, sid) not in stored
                stored[(record_type, sid)] = digest
        open_entries = await db.execute(
            select(QuarantinedRecord.record_type, QuarantinedRecord.source_id).where(
                QuarantinedRecord.platform_id == pid, QuarantinedRecord.resolved_at.is_(None)
            )
        )
        quarantined = {(t, s) for t, s in open_entries.all()}
    return stored, quarantined
