"""`hub demo`: embedded SQLite, simulated platforms on loopback, a first sync, GraphQL served."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console
from sqlalchemy import func, select

from connectors.base import PlatformConfig
from connectors.simulated import moodle_app, rest_json_app, spreadsheet_app, xapi_app
from connectors.simulated.dataset import default_platforms, generate_by_platform
from connectors.simulated.fraud import plant_fraud
from connectors.simulated.server import serve
from connectors.simulated.showcase import SCHOOL, showcase_records
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.db import create_engine, transaction
from hub.demo_summary import DemoSummary, summarise
from hub.demo_workflow import PUSH_PLATFORM, run_demo_workflows
from hub.platforms.service import ensure_platform
from hub.settings import Settings
from schema.tables import SubsidyClaim

DEMO_SEED = 2020
SIMULATED_TOKEN = "demo-platform-token"
# Each city's platform speaks a different protocol, so the demo exercises several connector kinds.
DEMO_KINDS = {"150300": "rest_json", "150100": "moodle", "150200": "xapi"}


def serve_simulated(stack: ExitStack, kind: str, records: list[dict]) -> dict[str, Any]:
    """Start a simulated platform of `kind` on loopback; the config fields that reach it."""
    if kind == "moodle":
        app = moodle_app.create_app(records, token=SIMULATED_TOKEN)
        url = stack.enter_context(serve(app))
        return {"base_url": url, "session_report_id": moodle_app.SESSION_REPORT_ID}
    if kind == "xapi":
        app = xapi_app.create_app(records, username="hub", password=SIMULATED_TOKEN)
        url = stack.enter_context(serve(app))
        roster = [f"roster/{spreadsheet_app.WORKBOOK}"]
        return {"base_url": f"{url}/xapi", "username": "hub", "roster": roster}
    if kind == "spreadsheet":
        app = spreadsheet_app.create_app(records, token=SIMULATED_TOKEN)
        url = stack.enter_context(serve(app))
        return {"base_url": f"{url}/files", "files": spreadsheet_app.FILES}
    app = rest_json_app.create_app(records, token=SIMULATED_TOKEN)
    return {"base_url": stack.enter_context(serve(app))}


@dataclass
class DemoPlatforms:
    """Simulated platforms running on loopback, and how the hub reaches them."""

    configs: list[PlatformConfig]
    wuhai_organiser: str


def start_platforms(stack: ExitStack, persons: int, today: date) -> DemoPlatforms:
    """Generate the demo data and serve each platform's share on a loopback port.

    Wuhai's platform also carries the showcase cohort (connectors/simulated/showcase.py): known
    cases for every workflow state, dated relative to `today` where they lie in the future.
    """
    specs = default_platforms()
    data = plant_fraud(generate_by_platform(persons, DEMO_SEED, specs))
    wuhai_code = next(s.code for s in specs if s.region_code == "150300")
    data[wuhai_code] = [*data[wuhai_code], *showcase_records(today)]
    configs = []
    for spec in specs:
        kind = DEMO_KINDS.get(spec.region_code, "rest_json")
        reach = serve_simulated(stack, kind, data[spec.code])
        configs.append(
            PlatformConfig(
                code=spec.code,
                name=spec.name,
                kind=kind,
                token=SIMULATED_TOKEN,
                region=spec.region_code,
                operator=spec.operator_credit_code,
                **reach,
            )
        )
    wuhai = next(s for s in specs if s.region_code == "150300")
    organiser = next(r["organiser_credit_code"] for r in data[wuhai.code] if r["type"] == "class")
    return DemoPlatforms(configs, organiser)


def demo_tokens(secret: str, hours: int = 24) -> dict[str, str]:
    """A token for every kind of user the README's examples speak as."""
    ttl = hours * 3600

    def token(role: Role, **claims: str | bool) -> str:
        return issue_token(secret, role, ttl_seconds=ttl, **claims)  # type: ignore[arg-type]

    return {
        "region (自治区人社厅)": token(Role.REGION),
        "city 150300 (乌海市人社局)": token(Role.CITY, region="150300"),
        "city 150100 (呼和浩特市人社局)": token(Role.CITY, region="150100"),
        "district 150302 (海勃湾区人社局)": token(Role.DISTRICT, region="150302"),
        "finance 150300 (乌海市财政局)": token(Role.FINANCE, region="150300"),
        f"org {SCHOOL} (海勃湾区职业技能培训学校)": token(Role.ORG, org=SCHOOL),
        "connector wuhai-skills (platform service account)": token(
            Role.CONNECTOR, platform="wuhai-skills"
        ),
        f"connector {PUSH_PLATFORM} (pushes its records)": token(
            Role.CONNECTOR, platform=PUSH_PLATFORM
        ),
        "auditor (unmasked, every read logged)": token(Role.AUDITOR),
    }


def print_welcome(
    console: Console, tokens: dict[str, str], urls: dict[str, str], summary: str
) -> None:
    """What is loaded, where to go, tokens for each kind of user and a query to paste."""
    console.print(f"\n[bold]Loaded:[/] {summary}\n", soft_wrap=True)
    for label, address in urls.items():
        console.print(f"[bold green]{label}[/]: {address}")
    console.print()
    for label, token in tokens.items():
        console.print(f"[bold]{label}[/]\n{token}\n", soft_wrap=True)
    url = urls["GraphQL (GraphiQL in a browser)"]
    city = tokens["city 150300 (乌海市人社局)"]
    query = '{"query":"{ trainees(first: 5) { totalCount edges { node { name idNumber region { name } platform { code } } } } }"}'
    console.print("[bold]Try it:[/]")
    console.print(
        f"curl -s {url} -H 'Content-Type: application/json' "
        f"-H 'Authorization: Bearer {city}' -d '{query}'\n",
        soft_wrap=True,
    )


async def prepare_demo(settings: Settings, today: date) -> DemoSummary:
    """After the first sync: the push platform registered, the workflows taken to every state
    (once: a demo started again on the same database finds its claims and leaves them)."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(engine) as session:
            claims = await session.execute(select(func.count()).select_from(SubsidyClaim))
            prepared = claims.scalar_one() > 0
            await ensure_platform(
                session,
                PUSH_PLATFORM,
                name="Acme 企业在线学习平台",
                kind="push",
                region_code="150302",
                operator_credit_code=SCHOOL,
            )
        if not prepared:
            await run_demo_workflows(settings, today)
        return await summarise(engine)
    finally:
        await engine.dispose()
