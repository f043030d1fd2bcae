"""The `hub` command: database, import, sync, tokens, serving, and the one-command demo."""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from connectors.base import PlatformConfig
from hub.api.commands import register as register_api_commands
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.cli_errors import CommandError, DatabaseNotMigrated, describe
from hub.console.commands import register as register_console_commands
from hub.ingest.stats import IngestStats
from hub.registry.commands import register as register_registry
from hub.reports import stats_table
from hub.settings import Settings, get_settings
from hub.supervision.commands import register as register_supervision
from hub.sync import worker_cli

app = typer.Typer(
    help="Training Data Hub: supervise subsidised online vocational training.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(db_app, name="db")
register_supervision(app)
register_registry(app)
register_console_commands(app)
console = Console()


def require_migrated(url: str) -> None:
    """Refuse, with the command to run, a database whose schema is not at head."""
    from hub.db import create_engine
    from hub.migrate import is_at_head

    async def check() -> bool:
        engine = create_engine(url)
        try:
            return await is_at_head(engine)
        finally:
            await engine.dispose()

    if not asyncio.run(check()):
        raise DatabaseNotMigrated(url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database (HUB_DATABASE_URL, default embedded SQLite) to the newest schema."""
    from hub.migrate import upgrade

    # GraphiQL needs introspection; the demo turns it on unless HUB_INTROSPECTION says otherwise.
    settings = get_settings(
        **({} if "HUB_INTROSPECTION" in os.environ else {"introspection": True})
    )
    upgrade(settings.resolved_database_url)
    console.print(f"database at head: {settings.resolved_database_url}")


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON canonical records")
    ],
    platform: Annotated[str, typer.Option(help="Code of the platform the records come from")],
) -> None:
    """Ingest a file of canonical records (format v1) for one platform."""
    from hub.db import create_engine, transaction
    from hub.ingest.file_format import detect_format
    from hub.ingest.files import import_file_run
    from hub.ingest.quarantine_summary import ReasonGroup, quarantine_reasons
    from hub.security.pii import PiiVault

    settings = get_settings()
    require_migrated(settings.resolved_database_url)
    text_format = detect_format(file)
    if text_format.note:
        console.print(f"[yellow]note:[/] {text_format.note}", soft_wrap=True)

    async def run() -> tuple[IngestStats, list[ReasonGroup]]:
        engine = create_engine(settings.resolved_database_url)
        vault = PiiVault(settings.effective_data_key)
        try:
            run_id, stats = await import_file_run(
                engine, vault, file, platform, text_format.encoding
            )
            async with transaction(engine) as session:
                return stats, await quarantine_reasons(session, run_id)
        finally:
            await engine.dispose()

    stats, reasons = asyncio.run(run())
    console.print(stats_table(f"import {file.name} → {platform}", stats))
    if reasons:
        console.print("[bold]quarantined[/] (`quarantinedRecords` in GraphQL has each one):")
    for group in reasons:
        first = f" — first: {', '.join(group.examples)}" if group.examples else ""
        console.print(f"  {group.count} × {group.reason}{first}", soft_wrap=True, markup=False)


@app.command()
def token(
    role: Annotated[
        Role,
        typer.Option(help="region, city, district, finance, org, connector, auditor or industry"),
    ],
    region: Annotated[
        str | None, typer.Option(help="Region code for city/district/finance")
    ] = None,
    org: Annotated[str | None, typer.Option(help="Organisation credit code for org")] = None,
    platform: Annotated[str | None, typer.Option(help="Platform code for connector")] = None,
    pii: Annotated[bool, typer.Option(help="Grant unmasked personal data (region role)")] = False,
    hours: Annotated[int, typer.Option(help="Validity in hours")] = 12,
    industry: Annotated[
        str | None, typer.Option(help="GB/T 4754 section for industry (e.g. C)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name printed on forms")] = None,
) -> None:
    """Print a bearer token that `hub serve` / `hub demo` accept (same HUB_JWT_SECRET or data dir)."""
    from schema.regions import REGIONS

    if region is not None and region not in {code for code, *_ in REGIONS}:
        raise CommandError(
            f"unknown region code {region}: give a GB/T 2260 code the hub knows, "
            "e.g. 150000 (内蒙古自治区), 150300 (乌海市) or 150302 (海勃湾区)"
        )
    settings = get_settings()
    secret = settings.effective_jwt_secret
    try:
        typer.echo(
            issue_token(
                secret,
                role,
                region=region,
                org=org,
                platform=platform,
                pii=pii,
                ttl_seconds=hours * 3600,
                max_lifetime_seconds=settings.max_token_lifetime_seconds,
                industry=industry,
                name=name,
            )
        )
    except ValueError as error:
        raise CommandError(f"hub token: {error}") from error


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    from hub.api.request_log import configure_logging

    configure_logging()
    if workers > 1:
        # each worker builds its own pool: its share of the connections
        os.environ["HUB_API_POOL_SIZE"] = str(settings.api_pool_per_process(workers))
        uvicorn.run(
            "hub.api.asgi:app",
            host=host,
            port=port,
            workers=workers,
            # uvicorn restarts a worker that misses a 5 s health check; on a busy host (a slow
            # start-up, a long validation) that killed healthy workers with their requests.
            timeout_worker_healthcheck=30,
            log_config=None,  # uvicorn's records go through the JSON handler too
            access_log=False,  # hub.api.requests logs each request with its id
        )
        return
    from hub.api.app import create_app
    from hub.api.startup import freeze_built_objects

    application = create_app(settings)
    freeze_built_objects()
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the GraphQL API (the database must be migrated: `hub db upgrade`)."""
    settings = get_settings()
    require_migrated(settings.resolved_database_url)
    _serve(settings, host, port, workers)


def pulled_platforms(declared: list[PlatformConfig], config: Path) -> list[PlatformConfig]:
    """The declared platforms the hub pulls from; their env tokens must be set before starting.

    Platforms of kind `push` send their own records, so there is nothing to pull: they are
    named and skipped rather than reported as failures.
    """
    pulled = []
    for platform in declared:
        if platform.kind == "push":
            console.print(f"{platform.code}: kind push, records arrive by push; nothing to pull")
            continue
        token = platform.token or ""
        if token.startswith("env:") and not os.environ.get(token[4:]):
            raise CommandError(
                f"{token[4:]} is not set: platform {platform.code} in {config} takes its token "
                f'from it (token = "{token}"); export it, or put the token in the file'
            )
        pulled.append(platform)
    return pulled


@app.command()
def sync(
    config: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="platforms.toml")],
    platform: Annotated[list[str] | None, typer.Option(help="Only these platform codes")] = None,
) -> None:
    """Pull every declared platform once, incrementally from its stored cursors."""
    from hub.sync.config import load_platforms
    from hub.sync.runner import sync_all

    settings = get_settings()
    declared = [c for c in load_platforms(config) if not platform or c.code in platform]
    configs = pulled_platforms(declared, config)
    require_migrated(settings.resolved_database_url)
    results = asyncio.run(sync_all(settings, configs, console))
    if any(not r.ok for r in results):
        raise typer.Exit(1)


@app.command()
def reconcile(
    config: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="platforms.toml")],
    platform: Annotated[list[str], typer.Option(help="Platform codes to compare")],
) -> None:
    """Read the platforms whole, compare every stream by ids with the hub, and repair."""
    from hub.sync.config import load_platforms
    from hub.sync.runner import sync_all

    configs = [c for c in load_platforms(config) if c.code in platform]
    unknown = set(platform) - {c.code for c in configs}
    if unknown:
        console.print(f"[red]not declared in {config}:[/] {', '.join(sorted(unknown))}")
        raise typer.Exit(2)
    results = asyncio.run(sync_all(get_settings(), configs, console, full=True))
    if any(not r.ok or r.differences for r in results):
        raise typer.Exit(1)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port for GraphQL")] = 8000,
    persons: Annotated[int, typer.Option(help="People in the simulated data")] = 400,
) -> None:
    """Set up an embedded database, start simulated platforms, sync them, serve GraphQL."""
    from datetime import date

    from connectors.simulated.showcase import SCHOOL
    from hub.console.demo_accounts import ensure_demo_accounts, print_console
    from hub.demo import demo_tokens, prepare_demo, print_welcome, start_platforms
    from hub.migrate import upgrade
    from hub.sync.runner import sync_all

    # GraphiQL needs introspection; the demo turns it on unless HUB_INTROSPECTION says otherwise.
    settings = get_settings(
        **({} if "HUB_INTROSPECTION" in os.environ else {"introspection": True})
    )
    upgrade(settings.resolved_database_url)
    console.print(f"[bold]Database[/] {settings.resolved_database_url} migrated")
    with ExitStack() as stack:
        platforms = start_platforms(stack, persons, date.today())
        for c in platforms.configs:
            console.print(
                f"simulated {c.kind} platform [bold]{c.code}[/] ({c.name}) at {c.base_url}"
            )
        results = asyncio.run(sync_all(settings, platforms.configs, console))
        if any(not r.ok for r in results):
            raise typer.Exit(1)
        summary = asyncio.run(prepare_demo(settings, date.today()))
        base = f"http://127.0.0.1:{port}"
        urls = {
            "GraphQL (GraphiQL in a browser)": f"{base}/graphql",
            "metrics": f"{base}/metrics",
        }
        urls["bureau console (sign in with an account below)"] = f"{base}/console/"
        urls["platform catalogue (public)"] = f"{base}/catalogue?region=150300"
        print_welcome(console, demo_tokens(settings.effective_jwt_secret), urls, summary.line())
        accounts = ensure_demo_accounts(settings, SCHOOL)
        print_console(console, f"{base}/console/", accounts)
        _serve(settings, "127.0.0.1", port)


worker_cli.register(app)


def main() -> None:
    """Run the `hub` command; an error an operator can fix is one line and exit status 1."""
    try:
        app(standalone_mode=True)
    except Exception as error:
        if os.environ.get("HUB_DEBUG"):
            raise
        url = get_settings().resolved_database_url
        message = describe(error, url)
        if message is None:
            message = (
                f"unexpected {type(error).__name__}: {error} (HUB_DEBUG=1 shows the traceback)"
            )
        print(f"hub: error: {message}", file=sys.stderr)
        sys.exit(1)


register_api_commands(app)
