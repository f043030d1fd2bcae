"""The `hub` command as a user runs it, in a subprocess, on both engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.records import small_ledger, trainee


def total_row(output: str) -> list[str]:
    """read, inserted, updated, unchanged, quarantined from the summary table's total row."""
    line = next(line for line in output.splitlines() if " total " in line)
    return [cell for cell in line.replace("│", " ").split() if cell.isdigit()]


def hub(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env={**os.environ, **env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_twice_reports_nothing_new(engine: AsyncEngine, tmp_path: Path) -> None:
    env = {
        "HUB_DATA_DIR": str(tmp_path / "data"),
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }
    records = [*small_ledger(), trainee("T8", id_number="150302199001011230")]
    ledger = tmp_path / "ledger.ndjson"
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ["{not json"]
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")

    first = hub("import", str(ledger), "--platform", "acme-lms", env=env)
    assert first.returncode == 0, first.stderr
    assert total_row(first.stdout) == ["11", "9", "0", "0", "2"]

    second = hub("import", str(ledger), "--platform", "acme-lms", env=env)
    assert total_row(second.stdout) == ["11", "0", "0", "9", "2"]


def test_token_uses_the_secret_kept_in_the_data_dir(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path)}
    printed = hub("token", "--role", "city", "--region", "150300", env=env)
    assert printed.returncode == 0, printed.stderr
    secret = json.loads((tmp_path / "secrets.json").read_text())["jwt_secret"]
    claims = jwt.decode(printed.stdout.strip(), secret, algorithms=["HS256"])
    assert claims["role"] == "city" and claims["region"] == "150300"
    refused = hub("token", "--role", "city", env=env)
    assert refused.returncode != 0 and "needs a region" in refused.stderr


def test_a_serving_process_freezes_what_it_built_before_taking_requests(tmp_path: Path) -> None:
    # `uvicorn hub.api.asgi:app` (each worker of `hub serve --workers N`) builds the app, then
    # freezes it: full collections no longer walk the schema under load
    program = (
        "import gc; before = gc.get_freeze_count(); import hub.api.asgi as m; m.app; "
        "print(before, gc.get_freeze_count())"
    )
    env = {**os.environ, "HUB_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    before, after = (int(n) for n in done.stdout.split())
    assert before == 0 and after > 100_000


def test_api_processes_share_three_connections_per_core_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.settings import Settings

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    unset = Settings(data_dir=tmp_path, api_pool_size=None)
    assert [unset.api_pool_per_process(n) for n in (1, 2, 4)] == [6, 3, 2]
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert unset.api_pool_per_process() == 20  # at most 20 on a large machine
    told = Settings(data_dir=tmp_path, api_pool_size=8)
    assert [told.api_pool_per_process(n) for n in (1, 2)] == [8, 8]  # per process, as set
