"""A fresh demo database, built by the same steps `hub demo` takes, for the demo's tests.

The demo runs on the embedded SQLite database, so these tests do too: the simulated platforms
are started on loopback, synced through their connectors, and the demo's workflows prepared.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest_asyncio
from rich.console import Console

from hub.api.app import create_app
from hub.db import create_engine
from hub.demo import demo_tokens, prepare_demo, start_platforms
from hub.demo_summary import DemoSummary
from hub.migrate import upgrade_engine
from hub.settings import Settings
from hub.sync.runner import sync_all

DEMO_PERSONS = 150


@dataclass
class DemoHub:
    """The demo's database behind an in-process client, with the demo's printed tokens."""

    settings: Settings
    client: httpx.AsyncClient
    tokens: dict[str, str]
    summary: DemoSummary
    output: str

    def token(self, label_start: str) -> str:
        """The token whose printed label starts with `label_start` (e.g. "city 150300")."""
        return next(t for label, t in self.tokens.items() if label.startswith(label_start))

    async def query(self, token: str | None, document: str, variables: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = {"query": document, "variables": variables or {}}
        response = await self.client.post("/graphql", json=payload, headers=headers)
        return response.json()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def demo_hub(tmp_path_factory) -> AsyncIterator[DemoHub]:  # type: ignore[no-untyped-def]
    data_dir: Path = tmp_path_factory.mktemp("demo") / ".hub"
    settings = Settings(data_dir=data_dir)
    engine = create_engine(settings.resolved_database_url)
    await upgrade_engine(engine)
    await engine.dispose()
    printed = io.StringIO()
    console = Console(file=printed, width=200)
    with ExitStack() as stack:
        platforms = start_platforms(stack, DEMO_PERSONS, date.today())
        results = await sync_all(settings, platforms.configs, console)
        assert all(r.ok for r in results), printed.getvalue()
        summary = await prepare_demo(settings, date.today())
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.demo") as client:
            yield DemoHub(
                settings,
                client,
                demo_tokens(settings.effective_jwt_secret),
                summary,
                printed.getvalue(),
            )
