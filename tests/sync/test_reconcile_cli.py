"""`hub reconcile --platform CODE`: a full comparison by ids that finds what counts cannot, and
repairs it: what the platform lacks is stored, what it no longer has is withdrawn."""

from __future__ import annotations

from contextlib import ExitStack

from sqlalchemy import select

from connectors.simulated.dataset import generate_by_platform
from connectors.simulated.rest_json_app import EPOCH
from hub.db import transaction
from schema.enums import SyncStatus
from schema.tables import SyncRun
from tests.sync.kinds import hub_state, start
from tests.sync.test_completeness import sync
from tests.sync.test_killed_sync import toml
from tests.test_cli import hub


async def test_reconcile_repairs_what_a_count_cannot_see(engine, vault, data_key_b64, tmp_path):
    records = generate_by_platform(14, seed=11)["wuhai-skills"]
    with ExitStack() as stack:
        sim = start(stack, "rest_json", records)
        platform = sim.platform
        assert platform is not None
        assert (await sync(engine, vault, sim)).status == SyncStatus.SUCCEEDED
        sessions = sorted(sid for (t, sid) in platform.canonical() if t == "session")
        withdrawn = sessions[3]
        late = platform.withdraw("session", sessions[5])
        platform.withdraw("session", withdrawn)
        # One session withdrawn on the platform and one arriving stamped before the window:
        # the counts agree, so an ordinary (incremental) run cannot tell.
        platform.upsert(late | {"source_id": "late-1"}, EPOCH)
        platform.upsert(late)
        blind = await sync(engine, vault, sim)
        assert blind.status == SyncStatus.SUCCEEDED
        assert ("session", "late-1") not in (await hub_state(engine))[0]

        config = tmp_path / "platforms.toml"
        config.write_text(toml(sim.config), encoding="utf-8")
        env = {
            "HUB_DATA_DIR": str(tmp_path / "data"),
            "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "HUB_DATA_KEY": data_key_b64,
        }
        done = hub("reconcile", "--config", str(config), "--platform", "sim", env=env)
        unknown = hub("reconcile", "--config", str(config), "--platform", "nope", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    said = " ".join(done.stdout.split())  # the console wraps long lines
    assert (
        f"1 session record(s) withdrawn on the platform, withdrawn in the hub (kept in its "
        f"history): {withdrawn}"
    ) in said
    assert "only in the hub" not in said
    assert unknown.returncode == 2 and "nope" in unknown.stdout
    stored, _ = await hub_state(engine)
    assert ("session", "late-1") in stored  # repaired
    async with transaction(engine) as db:
        run = (await db.execute(select(SyncRun).order_by(SyncRun.id.desc()).limit(1))).scalar_one()
    assert (run.trigger, run.status) == ("reconcile", SyncStatus.SUCCEEDED)
    assert run.stats["withdrawn"] == {"session": {"withdrawn": 1}}
    assert run.stats["reconciliation"]["session"]["extra"] == 0
    assert run.stats["reconciliation"]["session"]["missing"] == 0
    assert ("session", withdrawn) not in stored  # repaired: the hub equals the platform
