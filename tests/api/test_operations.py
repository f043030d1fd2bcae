"""Operations: /metrics, request ids in JSON logs, and `hub serve --workers N`."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.request_log import JsonFormatter
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.db import transaction
from hub.migrate import upgrade
from schema.enums import SyncStatus
from schema.tables import Platform, SyncRun
from tests.api.conftest import SECRET, Api


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.mark.usefixtures("two_cities")
async def test_metrics(api: Api, token: Callable[..., str], engine: AsyncEngine) -> None:
    async with transaction(engine) as db:
        platforms = (await db.execute(select(Platform).order_by(Platform.code))).scalars().all()
        await db.execute(
            insert(SyncRun),
            [
                {"platform_id": platforms[0].id, "trigger": "sync", "status": SyncStatus.SUCCEEDED},
                {"platform_id": platforms[0].id, "trigger": "sync", "status": SyncStatus.SUCCEEDED},
                {"platform_id": platforms[1].id, "trigger": "sync", "status": SyncStatus.FAILED},
            ],
        )
    before = samples((await api.client.get("/metrics")).text)
    await api.data(token("region"), "query Roster { trainees { totalCount } }")
    await api.query(None, "query Roster { trainees { totalCount } }")
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    after = samples(response.text)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    # Operation names not listed in HUB_METRICS_OPERATIONS share the label "other".
    assert delta("hub_graphql_requests_total", operation="other") == 2
    assert delta("hub_graphql_request_seconds_count", operation="other") == 2
    assert delta("hub_graphql_root_fields_total", field="query.trainees") == 2
    assert delta("hub_graphql_errors_total", code="UNAUTHENTICATED") == 1
    assert after[("hub_sync_runs", (("platform", "hh"), ("status", "succeeded")))] == 2
    assert after[("hub_sync_runs", (("platform", "wh"), ("status", "failed")))] == 1


async def test_request_id_in_and_out_and_in_json_logs(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hub.api.requests"):
        given = await api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        made = await api.client.get("/healthz")
        bad = await api.client.get("/healthz", headers={"X-Request-ID": "no spaces\nor newlines"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    assert bad.headers["x-request-id"] != "no spaces\nor newlines"
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    first = lines[0]
    assert first["request_id"] == "abc-123" and first["msg"] == "request"
    assert first["path"] == "/healthz" and first["status"] == 200 and "duration_ms" in first
    assert lines[1]["request_id"] == made.headers["x-request-id"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes through /proc")
def test_serve_with_two_workers(tmp_path: Path) -> None:
    env = {
        "HUB_DATA_DIR": str(tmp_path),
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        "HUB_JWT_SECRET": SECRET,
    }
    upgrade(env["HUB_DATABASE_URL"])
    token = issue_token(SECRET, Role.REGION)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "hub", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        assert len(_children(server.pid)) >= 2
        # Any process answers any request: nothing lives in memory between requests.
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
            for _ in range(8):
                body = http.post("/graphql", json={"query": "{ trainees { totalCount } }"}).json()
                assert body == {"data": {"trainees": {"totalCount": 0}}}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
