"""`hub check` and `hub verify-ledger`: the supervision commands of the `hub` CLI."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from hub.settings import get_settings

console = Console()


def check() -> None:
    """Run every fraud rule over the whole dataset and store the alerts."""
    from hub.db import create_engine
    from hub.supervision.rules import CheckSummary
    from hub.supervision.rules import check as run_check

    async def run() -> CheckSummary:
        engine = create_engine(get_settings().resolved_database_url)
        try:
            return await run_check(engine)
        finally:
            await engine.dispose()

    summary = asyncio.run(run())
    table = Table(title="hub check")
    table.add_column("rule")
    table.add_column("findings", justify="right")
    for rule, count in summary.found.items():
        table.add_row(rule, str(count))
    console.print(table)
    console.print(
        f"alerts: {summary.new} new, {summary.updated} still present, {summary.resolved} resolved"
    )


def verify_ledger() -> None:
    """Recompute the hash chain over stored history; exit 1 if it is broken."""
    from hub.db import create_engine, transaction
    from hub.supervision.ledger import LedgerStatus, verify

    async def run() -> LedgerStatus:
        engine = create_engine(get_settings().resolved_database_url)
        try:
            async with transaction(engine) as session:
                return await verify(session)
        finally:
            await engine.dispose()

    status = asyncio.run(run())
    if status.intact:
        console.print(f"ledger intact: {status.entries} entries")
        return
    console.print(
        f"ledger BROKEN at entry {status.first_broken_seq}: {status.reason} "
        f"({status.entries} entries verified before it)"
    )
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the supervision commands to the `hub` CLI."""
    app.command("check")(check)
    app.command("verify-ledger")(verify_ledger)
