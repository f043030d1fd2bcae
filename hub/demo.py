"""`hub demo`: embedded SQLite, simulated platforms on loopback, a first sync, GraphQL served."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from rich.console import Console

from connectors.base import PlatformConfig
from connectors.simulated.dataset import default_platforms, generate_by_platform
from connectors.simulated.rest_json_app import create_app as rest_json_app
from connectors.simulated.server import serve

DEMO_SEED = 2020
SIMULATED_TOKEN = "demo-platform-token"


@dataclass
class DemoPlatforms:
    """Simulated platforms running on loopback, and how the hub reaches them."""

    configs: list[PlatformConfig]
    wuhai_organiser: str


def start_platforms(stack: ExitStack, persons: int) -> DemoPlatforms:
    """Generate the demo data and serve each platform's share on a loopback port."""
    specs = default_platforms()
    data = generate_by_platform(persons, DEMO_SEED, specs)
    configs = []
    for spec in specs:
        base_url = stack.enter_context(serve(rest_json_app(data[spec.code], token=SIMULATED_TOKEN)))
        configs.append(
            PlatformConfig(
                code=spec.code,
                name=spec.name,
                kind="rest_json",
                base_url=base_url,
                token=SIMULATED_TOKEN,
                region=spec.region_code,
                operator=spec.operator_credit_code,
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
