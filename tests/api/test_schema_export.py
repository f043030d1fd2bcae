"""The committed SDL (schema/hub.graphql) is exactly what the code serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hub.api.commands import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "hub.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert committed == schema_sdl(), (
        "schema/hub.graphql differs from the GraphQL schema in the code: "
        "run `hub export-schema --out schema/hub.graphql` and commit the result"
    )


def test_export_writes_where_asked_or_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "hub.graphql"
    run = [sys.executable, "-m", "hub", "export-schema"]
    written = subprocess.run([*run, "--out", str(target)], capture_output=True, text=True)
    assert written.returncode == 0 and target.read_text(encoding="utf-8") == schema_sdl()
    printed = subprocess.run(run, capture_output=True, text=True, encoding="utf-8")
    assert printed.returncode == 0 and printed.stdout == schema_sdl()
