"""Running syncs for the CLI: progress per stream (rich) and a summary table per platform."""

from __future__ import annotations

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from hub.db import create_engine
from hub.ingest.stats import StreamStats
from hub.reports import stats_table
from hub.security.pii import PiiVault
from hub.settings import Settings
from hub.sync.engine import SyncResult, sync_platform


async def _sync_one(
    engine: AsyncEngine,
    vault: PiiVault,
    config: PlatformConfig,
    client: HttpClient,
    console: Console,
) -> SyncResult:
    columns = (SpinnerColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def report(stream: str, stats: StreamStats) -> None:
            text = (
                f"{config.code} · {stream}: {stats.received} read, {stats.inserted} new, "
                f"{stats.updated} changed, {stats.quarantined} quarantined"
            )
            if stream not in tasks:
                tasks[stream] = bar.add_task(text)
            bar.update(tasks[stream], description=text)

        result = await sync_platform(engine, vault, config, client, report)
    console.print(stats_table(f"sync {config.code} (run {result.run_id})", result.stats))
    if result.error:
        console.print(f"[red]{config.code} failed:[/] {result.error}")
    return result


async def sync_all(
    settings: Settings, configs: list[PlatformConfig], console: Console
) -> list[SyncResult]:
    """Sync each platform in turn; a failing platform is reported and the others continue."""
    engine = create_engine(settings.resolved_database_url)
    vault = PiiVault(settings.effective_data_key)
    try:
        async with HttpClient() as client:
            return [await _sync_one(engine, vault, c, client, console) for c in configs]
    finally:
        await engine.dispose()
