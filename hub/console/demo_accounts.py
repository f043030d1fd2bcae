"""The demo's console accounts, one per kind of user, with a password printed at start."""

from __future__ import annotations

import asyncio

from rich.console import Console
from sqlalchemy import select

from hub.console.accounts import create_account
from hub.settings import Settings

DEMO_PASSWORD = "demo-password-2020"


def demo_accounts(wuhai_organiser: str) -> dict[str, tuple[str, str, str | None, str | None]]:
    """username -> (name, role, region, org)."""
    return {
        "region": ("自治区人社厅管理员", "region", None, None),
        "wuhai": ("乌海市人社局", "city", "150300", None),
        "hohhot": ("呼和浩特市人社局", "city", "150100", None),
        "haibowan": ("海勃湾区人社局", "district", "150302", None),
        "wuhai-finance": ("乌海市财政局", "finance", "150300", None),
        "org": ("乌海培训机构", "org", None, wuhai_organiser),
        "auditor": ("审计", "auditor", None, None),
    }


def ensure_demo_accounts(settings: Settings, wuhai_organiser: str) -> dict[str, str]:
    """Create the demo accounts that do not exist yet; username -> what it is, for printing."""
    from hub.db import create_engine, transaction
    from schema.tables import StaffAccount

    accounts = demo_accounts(wuhai_organiser)

    async def run() -> None:
        engine = create_engine(settings.resolved_database_url)
        try:
            async with transaction(engine) as db:
                existing = set((await db.scalars(select(StaffAccount.username))).all())
                for username, (name, role, region, org) in accounts.items():
                    if username not in existing:
                        await create_account(
                            db,
                            username=username,
                            name=name,
                            role=role,
                            password=DEMO_PASSWORD,
                            region=region,
                            org=org,
                        )
        finally:
            await engine.dispose()

    asyncio.run(run())
    return {
        u: f"{name} ({role} {region or org or ''})".replace(" )", ")")
        for u, (name, role, region, org) in accounts.items()
    }


def print_console(console: Console, url: str, accounts: dict[str, str]) -> None:
    """Where the console is and who can sign in."""
    console.print(f"\n[bold green]Console (管理控制台) at {url}[/] — sign in with a demo account:")
    for username, what in accounts.items():
        console.print(f"  [bold]{username}[/] / {DEMO_PASSWORD}   {what}")
    console.print()
