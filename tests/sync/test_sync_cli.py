"""`hub sync --config` as a user runs it: the example file, pointed at live simulated platforms."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.dataset import generate_by_platform
from hub.security.pii import PiiVault
from hub.sync.config import load_platforms
from tests.sync.kinds import TOKEN, expected_state, hub_state, start
from tests.test_cli import hub

EXAMPLE = Path(__file__).resolve().parents[2] / "platforms.example.toml"
# code in the example -> (kind, the example's base_url)
LIVE = {
    "hohhot-moodle": ("moodle", "http://127.0.0.1:9101"),
    "baotou-lrs": ("xapi", "http://127.0.0.1:9102/xapi"),
    "haibowan-ledger": ("spreadsheet", "http://127.0.0.1:9103/files"),
}
ENV_TOKENS = ("HOHHOT_MOODLE_TOKEN", "BAOTOU_LRS_SECRET", "HAIBOWAN_LEDGER_TOKEN")


def test_example_declares_every_kind() -> None:
    kinds = {p.kind for p in load_platforms(EXAMPLE)}
    assert kinds == {"rest_json", "moodle", "xapi", "kolibri", "spreadsheet", "push"}


async def test_hub_sync_pulls_declared_platforms_of_three_kinds(
    engine: AsyncEngine, vault: PiiVault, data_key_b64: str, tmp_path: Path
) -> None:
    data = generate_by_platform(8, seed=5)
    shares = iter(data.values())
    text = EXAMPLE.read_text(encoding="utf-8")
    with ExitStack() as stack:
        sims = {}
        for code, (kind, example_url) in LIVE.items():
            sims[code] = start(stack, kind, next(shares), code=code)
            text = text.replace(f'"{example_url}"', f'"{sims[code].config.base_url}"')
        config = tmp_path / "platforms.toml"
        config.write_text(text, encoding="utf-8")
        env = {
            "HUB_DATA_DIR": str(tmp_path / "data"),
            "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "HUB_DATA_KEY": data_key_b64,
        } | dict.fromkeys(ENV_TOKENS, TOKEN)
        codes = [arg for code in LIVE for arg in ("--platform", code)]
        done = hub("sync", "--config", str(config), *codes, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    for code in LIVE:
        assert f"sync {code}" in done.stdout
        stored, quarantined = await hub_state(engine, code)
        assert (stored, quarantined) == expected_state(sims[code], vault)
