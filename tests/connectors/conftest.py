"""Fixtures for connector tests: the simulated platform live on a loopback uvicorn server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from connectors.http import HttpClient
from connectors.simulated.rest_json_app import Faults, create_app
from connectors.simulated.server import BackgroundServer
from tests.connectors.support import TOKEN, FakeSleep, Live, make_records


@pytest.fixture
async def live() -> AsyncIterator[Callable[..., Live]]:
    """Factory starting the simulated platform on a real loopback uvicorn server."""
    servers: list[BackgroundServer] = []
    clients: list[HttpClient] = []

    def start(records: list[dict] | None = None, faults: Faults | None = None) -> Live:
        app = create_app(make_records() if records is None else records, TOKEN, faults)
        server = BackgroundServer(app)
        servers.append(server)
        base_url = server.start()
        state = app.state
        return Live(base_url, app, state.platform, state.faults, FakeSleep(), clients)

    yield start
    for client in clients:
        await client.aclose()
    for server in servers:
        server.stop()
