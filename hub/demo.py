"""`hub demo`: embedded SQLite, simulated platforms on loopback, a first sync, GraphQL served."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from connectors.base import PlatformConfig
from connectors.simulated import moodle_app, rest_json_app, spreadsheet_app, xapi_app
from connectors.simulated.dataset import default_platforms, generate_by_platform
from connectors.simulated.fraud import plant_fraud
from connectors.simulated.server import serve

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


def start_platforms(stack: ExitStack, persons: int) -> DemoPlatforms:
    """Generate the demo data and serve each platform's share on a loopback port."""
    specs = default_platforms()
    data = plant_fraud(generate_by_platform(persons, DEMO_SEED, specs))
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


def print_welcome(console: Console, tokens: dict[str, str], url: str) -> None:
    """Tokens for each kind of user and a query to paste."""
    console.print(f"\n[bold green]GraphQL is at {url}[/] (open it in a browser for GraphiQL)\n")
    for label, token in tokens.items():
        console.print(f"[bold]{label}[/]\n{token}\n", soft_wrap=True)
    city = tokens["city 150300 (Wuhai)"]
    query = '{"query":"{ trainees(first: 5) { totalCount edges { node { name idNumber region { name } platform { code } } } } }"}'
    console.print("[bold]Try it:[/]")
    console.print(
        f"curl -s {url} -H 'Content-Type: application/json' "
        f"-H 'Authorization: Bearer {city}' -d '{query}'\n",
        soft_wrap=True,
    )
