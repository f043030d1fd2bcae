"""A bulk upload whose server process is killed mid-way (kill -9) frees its idempotency key
soon after, and the push that takes the key over closes the run the dead one left running."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.db import transaction
from hub.platforms.service import ensure_platform
from hub.settings import Settings
from schema.enums import SyncStatus
from schema.tables import Course, PushReceipt, SyncRun
from tests.api.conftest import SECRET
from tests.api.test_push import ndjson
from tests.records import ORG, course

CLAIM_SECONDS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_for(check: Callable[[], object], what: str, seconds: float = 60) -> None:
    """Poll until `check()` is truthy; a liveness guard, not a timing assertion."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():  # type: ignore[misc]
        assert asyncio.get_running_loop().time() < deadline, f"never: {what}"
        await asyncio.sleep(0.2)


async def test_a_killed_upload_frees_its_key_and_closes_its_run(
    engine: AsyncEngine, settings: Settings, tmp_path: Path, token: Callable[..., str]
) -> None:
    async with transaction(engine) as db:
        await ensure_platform(db, "acme", region_code="150300", operator_credit_code=ORG)
    records = [course(f"C{i}") for i in range(1500)]
    body = ndjson(records)
    first_part = ndjson(records[:1200])
    port = free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "HUB_DATA_DIR": str(tmp_path),
        "HUB_JWT_SECRET": SECRET,
        "HUB_DATA_KEY": settings.data_key or "",
        "HUB_PUSH_CLAIM_SECONDS": str(CLAIM_SECONDS),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = {
        "Authorization": f"Bearer {token('connector', platform='acme')}",
        "Content-Type": "application/x-ndjson",
        "Idempotency-Key": "upload-42",
    }
    stall = asyncio.Event()

    async def upload() -> AsyncIterator[bytes]:
        yield first_part
        await stall.wait()  # the rest never comes: the server dies first

    async def courses() -> int:
        async with engine.connect() as db:
            return (await db.execute(select(func.count()).select_from(Course))).scalar_one()

    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:

            async def up() -> bool:
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for(up, "the server answers")
            uploading = asyncio.create_task(
                http.post("/push/acme/records", content=upload(), headers=headers)
            )
            await wait_for(lambda: _at_least(courses, 1000), "the first batch is committed")
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)
            uploading.cancel()
            await asyncio.gather(uploading, return_exceptions=True)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)

    async with transaction(engine) as db:
        receipt = (await db.execute(select(PushReceipt))).scalar_one()
        assert receipt.result is None  # the dead upload still holds the key ...
        run = (await db.execute(select(SyncRun))).scalar_one()
        assert run.status == SyncStatus.RUNNING  # ... and its run looks alive

    retrying = settings.model_copy(
        update={"database_url": None, "push_claim_seconds": CLAIM_SECONDS}
    )
    transport = httpx.ASGITransport(app=create_app(retrying, engine))
    answers: list[httpx.Response] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:

        async def retried() -> bool:
            answers.append(await http.post("/push/acme/records", content=body, headers=headers))
            return answers[-1].status_code != 409

        await wait_for(retried, "the key is free again")
    assert answers[-1].status_code == 200, answers[-1].text
    result = answers[-1].json()
    assert result["counts"]["course"]["received"] == 1500
    assert result["counts"]["course"]["inserted"] == 500  # the first batch of 1000 was kept
    async with transaction(engine) as db:
        runs = {r.id: r for r in (await db.execute(select(SyncRun))).scalars()}
    assert runs[run.id].status == SyncStatus.FAILED and "abandoned" in (runs[run.id].error or "")
    assert runs[result["sync_run_id"]].status == SyncStatus.SUCCEEDED
    assert await courses() == 1500


async def _at_least(count: Callable[[], object], n: int) -> bool:
    return await count() >= n  # type: ignore[misc,operator]
