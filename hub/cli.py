"""The `hub` command: database, import, sync, tokens, serving, and the one-command demo."""

from __future__ import annotations

import asyncio
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from hub.api.commands import register as register_api_commands
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
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
    from hub.db import create_engine
    from hub.ingest.files import import_file
    from hub.security.pii import PiiVault

    settings = get_settings()

    async def run() -> IngestStats:
        engine = create_engine(settings.resolved_database_url)
        try:
            return await import_file(engine, PiiVault(settings.effective_data_key), file, platform)
        finally:
            await engine.dispose()

    stats = asyncio.run(run())
    console.print(stats_table(f"import {file.name} → {platform}", stats))


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
        raise typer.BadParameter(str(error)) from error


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    from hub.api.request_log import configure_logging

    configure_logging()
    if workers > 1:
        uvicorn.run(
            "hub.api.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_config=None,  # uvicorn's records go through the JSON handler too
            access_log=False,  # hub.api.requests logs each request with its id
        )
        return
    from hub.api.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the GraphQL API (the database must be migrated: `hub db upgrade`)."""
    _serve(get_settings(), host, port, workers)


@app.command()
def sync(
    config: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="platforms.toml")],
    platform: Annotated[list[str] | None, typer.Option(help="Only these platform codes")] = None,
) -> None:
    """Pull every declared platform once, incrementally from its stored cursors."""
    from hub.sync.config import load_platforms
    from hub.sync.runner import sync_all

    configs = [c for c in load_platforms(config) if not platform or c.code in platform]
    results = asyncio.run(sync_all(get_settings(), configs, console))
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
    from hub.demo import print_welcome, start_platforms
    from hub.migrate import upgrade
    from hub.sync.runner import sync_all

    # GraphiQL needs introspection; the demo turns it on unless HUB_INTROSPECTION says otherwise.
    settings = get_settings(
        **({} if "HUB_INTROSPECTION" in os.environ else {"introspection": True})
    )
    upgrade(settings.resolved_database_url)
    console.print(f"[bold]Database[/] {settings.resolved_database_url} migrated")
    with ExitStack() as stack:
        platforms = start_platforms(stack, persons)
        for c in platforms.configs:
            console.print(
                f"simulated {c.kind} platform [bold]{c.code}[/] ({c.name}) at {c.base_url}"
            )
        results = asyncio.run(sync_all(settings, platforms.configs, console))
        if any(not r.ok for r in results):
            raise typer.Exit(1)
        secret = settings.effective_jwt_secret
        tokens = {
            "region (自治区人社厅)": issue_token(secret, Role.REGION),
            "city 150300 (Wuhai)": issue_token(secret, Role.CITY, region="150300"),
            "city 150100 (Hohhot)": issue_token(secret, Role.CITY, region="150100"),
            "district 150302 (Haibowan)": issue_token(secret, Role.DISTRICT, region="150302"),
            f"org {platforms.wuhai_organiser}": issue_token(
                secret, Role.ORG, org=platforms.wuhai_organiser
            ),
            "auditor (unmasked, logged)": issue_token(secret, Role.AUDITOR),
        }
        print_welcome(console, tokens, f"http://127.0.0.1:{port}/graphql")
        from hub.console.demo_accounts import ensure_demo_accounts, print_console

        accounts = ensure_demo_accounts(settings, platforms.wuhai_organiser)
        print_console(console, f"http://127.0.0.1:{port}/console/", accounts)
        _serve(settings, "127.0.0.1", port)


worker_cli.register(app)


def main() -> None:
    app()


register_api_commands(app)
