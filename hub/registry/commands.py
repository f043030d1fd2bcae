"""`hub org import FILE.xlsx`: the organisation register from a bureau's workbook."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from hub.settings import get_settings

org_app = typer.Typer(help="The organisation register.", no_args_is_help=True)


@org_app.command("import")
def import_organisations(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="XLSX with Chinese headers")
    ],
    bureau: Annotated[
        str, typer.Option(help="Area code of the importing bureau (150000: the region)")
    ] = "150000",
    handler: Annotated[str | None, typer.Option(help="Display name kept in the history")] = None,
) -> None:
    """Register or complete organisations (单位名称, 统一社会信用代码, 单位类型, 注册地区, …);
    rows that break a rule go to quarantine with the reason."""
    from hub.auth.principal import Principal, Role
    from hub.db import create_engine
    from hub.registry.org_import import import_organisations as run_import
    from hub.security.pii import PiiVault
    from schema.regions import REGION_CODE, REGIONS

    levels = {code: level.value for code, _, level, _ in REGIONS}
    if bureau not in levels:
        raise typer.BadParameter(f"unknown area {bureau}", param_hint="--bureau")
    role = Role.REGION if bureau == REGION_CODE else Role(levels[bureau])
    principal = Principal(
        f"import:{file.name}", role, None if role is Role.REGION else bureau, name=handler
    )
    settings = get_settings()

    async def run():  # type: ignore[no-untyped-def]
        engine = create_engine(settings.resolved_database_url)
        try:
            return await run_import(engine, PiiVault(settings.effective_data_key), file, principal)
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    typer.echo(
        f"read {result.read}, registered {result.registered}, updated {result.updated},"
        f" quarantined {result.quarantined}"
    )
    for reason in result.reasons:
        typer.echo(f"  {reason}")


def register(app: typer.Typer) -> None:
    """Add `hub org …` to the main command."""
    app.add_typer(org_app, name="org")
