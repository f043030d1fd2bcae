"""A live hub with demo-like data on loopback, and Chromium (the Debian package) driving it.

Playwright is pointed at /usr/bin/chromium (`.ci/run` installs it); no browser is downloaded.
Screenshots go to .artifacts/console/<engine>/ (or $HUB_TEST_ARTIFACTS/console/<engine>/).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.server import serve
from hub.api.app import create_app
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.settings import Settings
from schema.tables import metadata
from tests.api.conftest import SECRET
from tests.console.data import PASSWORD, ConsoleData, build

CHROMIUM = os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    """The running hub: its URL, data, and a GraphQL client for checking what the API says."""

    base_url: str
    data: ConsoleData
    engine_name: str
    artifacts: Path

    async def api(
        self, role: Role, query: str, variables: dict | None = None, **claims: Any
    ) -> dict:
        token = issue_token(SECRET, role, **claims)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=60) as client:
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {token}"},
            )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]


@dataclass
class Tab:
    """A browser page with everything it logged and requested."""

    page: Page
    context: BrowserContext
    site: Site
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    async def open(self, path: str) -> int:
        response = await self.page.goto(self.site.base_url + path)
        await self.page.wait_for_load_state("networkidle")
        assert response is not None
        return response.status

    async def shot(self, name: str) -> Path:
        path = self.site.artifacts / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the hub (data: URLs are not requests to a host)."""
        return [
            url
            for url in self.requests
            if not url.startswith(self.site.base_url + "/")
            and not url.startswith(("data:", "blob:"))
        ]


async def _empty(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name != "region"]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(
    migrated_engine: AsyncEngine, tmp_path_factory: pytest.TempPathFactory, data_key_b64: str
) -> AsyncIterator[Site]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if migrated_engine.dialect.name != "sqlite" and not os.environ.get("HUB_TEST_CONSOLE_ENGINES"):
        # The pages only call the GraphQL API, whose every test runs on both engines; in a
        # browser they are driven on the demo's engine (HUB_TEST_CONSOLE_ENGINES=all: both).
        pytest.skip("browser tests run on SQLite (HUB_TEST_CONSOLE_ENGINES=all for PostgreSQL too)")
    await _empty(migrated_engine)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("console"),
        database_url=migrated_engine.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        data_key=data_key_b64,
    )
    data = await build(migrated_engine, settings)
    name = migrated_engine.dialect.name
    artifacts = Path(os.environ.get("HUB_TEST_ARTIFACTS", ROOT / ".artifacts")) / "console" / name
    artifacts.mkdir(parents=True, exist_ok=True)
    with serve(create_app(settings)) as base_url:
        yield Site(base_url, data, name, artifacts)


@pytest.fixture(scope="module")
def data_key_b64() -> str:
    import base64

    from tests.conftest import TEST_DATA_KEY

    return base64.urlsafe_b64encode(TEST_DATA_KEY).decode()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browser(site: Site) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        await chromium.close()


async def new_tab(browser: Browser, site: Site, viewport: dict[str, int] = DESKTOP) -> Tab:
    """A fresh browser context (no cookies) recording console errors and every request."""
    context = await browser.new_context(viewport=viewport, locale="zh-CN")
    page = await context.new_page()
    tab = Tab(page, context, site)
    page.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.console_errors.append(str(e)))
    page.on("request", lambda r: tab.requests.append(r.url))
    return tab


async def sign_in(browser: Browser, site: Site, username: str, **kw: Any) -> Tab:
    """A tab signed in through the form as `username`."""
    tab = await new_tab(browser, site, **kw)
    await tab.open("/console/login")
    await tab.page.fill("input[name=username]", username)
    await tab.page.fill("input[name=password]", PASSWORD)
    await tab.page.click("form[action='/console/login'] button[type=submit]")
    await tab.page.wait_for_load_state("networkidle")
    assert "/console/login" not in tab.page.url, await tab.page.content()
    return tab
