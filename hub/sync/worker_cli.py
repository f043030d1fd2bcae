"""The `hub worker` command (registered on the `hub` CLI by `register`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def worker(
    config: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="platforms.toml to schedule")
    ],
    once: Annotated[bool, typer.Option(help="Run what is due now, then exit")] = False,
    max_runs: Annotated[int | None, typer.Option(help="Exit after this many syncs")] = None,
    poll: Annotated[float, typer.Option(help="Seconds between looks when nothing is due")] = 30.0,
) -> None:
    """Run each declared platform's sync when due (every `schedule_minutes` after its last
    successful run). Start as many workers as you like, on any machines sharing the database:
    they divide the work through PostgreSQL row locks and each due run happens once."""
    from hub.db import create_engine
    from hub.security.pii import PiiVault
    from hub.settings import get_settings
    from hub.sync.config import load_platforms
    from hub.sync.engine import SyncResult
    from hub.sync.worker import run_worker

    settings = get_settings()
    configs = load_platforms(config)

    def report(result: SyncResult) -> None:
        total = result.stats.total
        status = "[green]ok[/]" if result.ok else f"[red]failed[/] {result.error}"
        console.print(
            f"ran {result.platform} run={result.run_id} {status} "
            f"read={total.received} new={total.inserted} changed={total.updated}"
        )

    async def run() -> list[SyncResult]:
        engine = create_engine(settings.resolved_database_url)
        try:
            vault = PiiVault(settings.effective_data_key)
            return await run_worker(
                engine,
                vault,
                configs,
                once=once,
                max_runs=max_runs,
                poll_seconds=poll,
                on_result=report,
            )
        finally:
            await engine.dispose()

    results = asyncio.run(run())
    console.print(f"worker done: {len(results)} sync(s), {sum(not r.ok for r in results)} failed")


def register(app: typer.Typer) -> None:
    """Add `hub worker` to the CLI."""
    app.command()(worker)
