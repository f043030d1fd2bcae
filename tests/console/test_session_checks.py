"""A page starts its documents while the account is checked again: it is never served to an
account that changed meanwhile (over HTTP, on both engines)."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.server import serve
from hub.api.app import create_app
from hub.console.accounts import create_account, set_active
from hub.db import transaction
from hub.settings import Settings
from schema.tables import StaffAccount
from tests.api.conftest import SECRET
from tests.console.data import PASSWORD


async def _sign_in(client: httpx.AsyncClient, username: str) -> None:
    form = await client.get("/console/login")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    signed = await client.post(
        "/console/login", data={"csrf": csrf, "username": username, "password": PASSWORD}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"


async def test_a_page_follows_what_the_account_is_now(
    engine: AsyncEngine, tmp_path: Path, data_key_b64: str
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(
        data_dir=tmp_path, database_url=url, jwt_secret=SECRET, data_key=data_key_b64
    )
    async with transaction(engine) as db:
        account = await create_account(
            db, username="checked", name="核查员", role="city", password=PASSWORD, region="150300"
        )
        account_id = account.id
    assert account_id is not None
    with serve(create_app(settings)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            await _sign_in(client, "checked")
            first = await client.get("/console/")
            assert first.status_code == 200 and "概览 · 乌海市" in first.text

            # Moved to another city while signed in: the next page is made for that city.
            async with transaction(engine) as db:
                await db.execute(
                    update(StaffAccount)
                    .where(StaffAccount.id == account_id)
                    .values(region_code="150100")
                )
            moved = await client.get("/console/")
            assert moved.status_code == 200
            assert "概览 · 呼和浩特市" in moved.text and "乌海市" not in moved.text

            # Disabled while signed in: no page at all, the sign-in form instead.
            async with transaction(engine) as db:
                await set_active(db, account_id, False)
            refused = await client.get("/console/ledger", follow_redirects=False)
            assert refused.status_code == 303
            assert refused.headers["location"].startswith("/console/login")
            assert "台账" not in refused.text
