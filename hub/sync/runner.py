"""Running syncs for the CLI: progress per stream and a summary table per platform.

On a terminal the progress is a live line per stream (rich); otherwise (a log file, a pipe, a
service manager) one plain line is printed per batch that changed the figures, so whoever tails
the log sees the sync move.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

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
from hub.sync.engine import SyncResult, reconcile_platform, sync_platform


def _describe(code: str, stream: str, stats: StreamStats) -> str:
    return (
        f"{code} · {stream}: {stats.received} read, {stats.inserted} new, "
        f"{stats.updated} changed, {stats.quarantined} quarantined"
    )


def log_lines(console: Console, code: str) -> Callable[[str, StreamStats], None]:
    """The progress of a sync as plain log lines: one per batch that changed a stream's figures
    (a batch that only moves the cursor, e.g. releasing one held at a tie, repeats nothing)."""
    last: dict[str, str] = {}

    def log_line(stream: str, stats: StreamStats) -> None:
        text = _describe(code, stream, stats)
        if last.get(stream) == text:
            return
        last[stream] = text
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        console.print(f"{stamp} {text}", highlight=False)
        console.file.flush()  # a pipe is block-buffered: the line must reach the log now

    return log_line


async def _sync_one(
    engine: AsyncEngine,
    vault: PiiVault,
    config: PlatformConfig,
    client: HttpClient,
    console: Console,
    full: bool = False,
) -> SyncResult:
    run = reconcile_platform if full else sync_platform
    if console.is_terminal:
        columns = (SpinnerColumn(), TextColumn("{task.description}"))
        with Progress(*columns, console=console, transient=True) as bar:
            tasks: dict[str, int] = {}

            def report(stream: str, stats: StreamStats) -> None:
                text = _describe(config.code, stream, stats)
                if stream not in tasks:
                    tasks[stream] = bar.add_task(text)
                bar.update(tasks[stream], description=text)

            result = await run(engine, vault, config, client, report)
    else:
        result = await run(engine, vault, config, client, log_lines(console, config.code))
    title = f"{'reconcile' if full else 'sync'} {config.code} (run {result.run_id})"
    console.print(stats_table(title, result.stats))
    if result.error:
        console.print(f"[red]{config.code} failed:[/] {result.error}")
    for check in result.differences:
        console.print(
            f"[yellow]{config.code} incomplete:[/] {check.stream}: platform {check.platform}, "
            f"hub {check.hub}, {check.missing_count} missing; the next run reads it again"
        )
    for kind, ids in result.withdrawn.withdrawn.items():
        shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
        console.print(
            f"{config.code}: {len(ids)} {kind} record(s) withdrawn on the platform, withdrawn "
            f"in the hub (kept in its history): {shown}",
            highlight=False,
        )
    for check in result.checks:
        if check.extra:
            shown = ", ".join(check.extra[:5]) + (" …" if check.extra_count > 5 else "")
            console.print(
                f"[yellow]{config.code}:[/] {check.extra_count} {check.stream} record(s) only in "
                f"the hub (withdrawn on the platform?): {shown}"
            )
    return result


async def sync_all(
    settings: Settings, configs: list[PlatformConfig], console: Console, full: bool = False
) -> list[SyncResult]:
    """Sync each platform in turn (`full`: reconcile it); a failing one does not stop the rest."""
    engine = create_engine(settings.resolved_database_url)
    vault = PiiVault(settings.effective_data_key)
    try:
        async with HttpClient() as client:
            return [await _sync_one(engine, vault, c, client, console, full) for c in configs]
    finally:
        await engine.dispose()
