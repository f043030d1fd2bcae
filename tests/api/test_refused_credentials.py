"""Credentials that are sent but not valid: 401, and one INFO line in the server's log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.apikeys import create_api_key, revoke_api_key
from hub.db import transaction
from hub.platforms.service import ensure_platform
from tests.api.conftest import Api


async def test_revoked_api_key_is_401_with_one_info_line(
    engine: AsyncEngine, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    async with transaction(engine) as session:
        await ensure_platform(session, "acme-lms")
        _, key = await create_api_key(session, "acme-lms", "ops")
        await revoke_api_key(session, key[:12])
    caplog.set_level(logging.INFO)
    caplog.clear()
    response = await api.client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={"X-Api-Key": key}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # hub.api.requests is the access log: one line for every request, refused or not
    mine = [r for r in caplog.records if r.name.startswith("hub") and r.name != "hub.api.requests"]
    assert [r.levelno for r in mine] == [logging.INFO] and not any(r.exc_info for r in mine)
    assert "revoked" in mine[0].getMessage()
