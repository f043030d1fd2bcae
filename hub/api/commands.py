"""`hub apikey create|revoke` and `hub export-schema`: the API's own commands."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from hub.settings import get_settings

apikey_app = typer.Typer(help="Connector API keys (role connector for one platform).")


def schema_sdl() -> str:
    """The GraphQL schema as SDL, as committed in schema/hub.graphql."""
    from strawberry.printer import print_schema

    from hub.api.schema import build_schema

    return print_schema(build_schema()) + "\n"


def export_schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write the SDL to (default: standard output)"),
    ] = None,
) -> None:
    """Print the GraphQL schema (SDL), or write it to --out (in a checkout: schema/hub.graphql)."""
    sdl = schema_sdl()
    if out is None:
        typer.echo(sdl, nl=False)
        return
    out.write_text(sdl, encoding="utf-8")
    typer.echo(f"schema written to {out}", err=True)


async def _with_session(work):  # type: ignore[no-untyped-def]
    from hub.db import create_engine, transaction

    engine = create_engine(get_settings().resolved_database_url)
    try:
        async with transaction(engine) as session:
            return await work(session)
    finally:
        await engine.dispose()


@apikey_app.command("create")
def create(
    platform: Annotated[str, typer.Option(help="Code of the platform the key writes for")],
    label: Annotated[str | None, typer.Option(help="Who holds the key")] = None,
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from hub.auth.apikeys import UnknownPlatform, create_api_key

    try:
        _, key = asyncio.run(_with_session(lambda s: create_api_key(s, platform, label)))
    except UnknownPlatform as error:
        raise typer.BadParameter(f"no platform with code {error}") from error
    typer.echo(key)


@apikey_app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key, or its first 12 characters")],
) -> None:
    """Revoke a key; requests with it are refused from now on."""
    from hub.auth.apikeys import revoke_api_key

    count = asyncio.run(_with_session(lambda s: revoke_api_key(s, prefix)))
    if not count:
        typer.echo("no live key with that prefix", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {count} key(s)")


def register(app: typer.Typer) -> None:
    """Add the API's commands to the `hub` command."""
    app.add_typer(apikey_app, name="apikey")
    app.command("export-schema")(export_schema)
