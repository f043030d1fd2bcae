"""`hub user create|list`: console staff accounts from the command line (no prompt needed)."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import Annotated

import typer

from hub.settings import get_settings

user_app = typer.Typer(help="Console staff accounts.", no_args_is_help=True)


async def _in_transaction(work):  # type: ignore[no-untyped-def]
    from hub.db import create_engine, transaction

    engine = create_engine(get_settings().resolved_database_url)
    try:
        async with transaction(engine) as session:
            return await work(session)
    finally:
        await engine.dispose()


@user_app.command("create")
def create(
    username: Annotated[str, typer.Option(help="Sign-in name")],
    name: Annotated[str, typer.Option(help="Person or bureau shown in the console")],
    role: Annotated[str, typer.Option(help="region, city, district, finance, org or auditor")],
    region: Annotated[str | None, typer.Option(help="Area code for city/district/finance")] = None,
    org: Annotated[str | None, typer.Option(help="Credit code for org")] = None,
    industry: Annotated[
        str | None, typer.Option(help="Industry of an industry-department user")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Create a console account; the password is asked for, or read from stdin for scripts."""
    from hub.console.accounts import AccountError, create_account

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            typer.echo("error: the passwords differ", err=True)
            raise typer.Exit(2)

    async def work(session):  # type: ignore[no-untyped-def]
        return await create_account(
            session,
            username=username,
            name=name,
            role=role,
            password=password,
            region=region,
            org=org,
            industry=industry,
        )

    try:
        account = asyncio.run(_in_transaction(work))
    except AccountError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"account {account.username} created ({account.role})")


@user_app.command("list")
def list_() -> None:
    """Every console account: username, role, area or organisation, state."""
    from hub.console.accounts import list_accounts

    for a in asyncio.run(_in_transaction(list_accounts)):
        state = "disabled" if not a.active else "locked" if a.locked else "active"
        where = a.region_code or a.org_credit_code or a.industry or "-"
        typer.echo(f"{a.username}\t{a.role}\t{where}\t{state}\t{a.name}")


def register(app: typer.Typer) -> None:
    """Add `hub user …` to the CLI."""
    app.add_typer(user_app, name="user")
