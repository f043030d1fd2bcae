"""An operator's ordinary mistakes, as printed by the `hub` command: one line, non-zero exit.

Each case runs the real command in a subprocess and reads what it printed, the way a person at
the terminal would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.records import course, small_ledger

ROOT = Path(__file__).resolve().parents[1]


def hub(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "HUB_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env={**environment, **env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The single error line printed, after checking the exit status and the absence of a trace."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def env(engine: AsyncEngine, tmp_path: Path) -> dict[str, str]:
    return {
        "HUB_DATA_DIR": str(tmp_path / "data"),
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }


def write_lines(path: Path, records: list[dict], encoding: str = "utf-8") -> Path:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def test_gbk_file_is_read_as_such_and_said(env: dict[str, str], tmp_path: Path) -> None:
    ledger = write_lines(tmp_path / "gbk.ndjson", small_ledger(), encoding="gbk")
    result = hub("import", str(ledger), "--platform", "acme-lms", env=env)
    assert result.returncode == 0, result.stderr
    assert "not UTF-8" in result.stdout and "GB18030" in result.stdout
    assert "iconv -f GB18030 -t UTF-8" in result.stdout


def test_file_in_another_encoding_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    text = json.dumps({"type": "course", "title": "電工"}, ensure_ascii=False) + "\n"
    # UTF-16 without NUL bytes is impossible, so take bytes that are neither UTF-8 nor GB18030.
    path = tmp_path / "odd.ndjson"
    path.write_bytes(text.encode("utf-8")[:10] + b"\xff\xff\xff\n")
    line = one_line_error(hub("import", str(path), "--platform", "acme-lms", env=env))
    assert "neither UTF-8 nor GBK" in line and "iconv" in line


def test_binary_file(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00")
    one_line_error(hub("import", str(path), "--platform", "x", env=env), "binary file", "NDJSON")


def test_json_array_instead_of_ndjson(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(small_ledger(), ensure_ascii=False), encoding="utf-8")
    line = one_line_error(hub("import", str(path), "--platform", "x", env=env), "JSON array")
    assert "jq -c '.[]'" in line


def test_database_not_migrated(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path), "HUB_DATABASE_URL": ""}
    ledger = write_lines(tmp_path / "l.ndjson", small_ledger())
    one_line_error(hub("import", str(ledger), "--platform", "x", env=env), "hub db upgrade")
    one_line_error(hub("serve", "--port", "1", env=env), "not migrated", "hub db upgrade")


def test_postgresql_unreachable(tmp_path: Path) -> None:
    env = {
        "HUB_DATA_DIR": str(tmp_path),
        "HUB_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/hub",
    }
    ledger = write_lines(tmp_path / "l.ndjson", small_ledger())
    line = one_line_error(hub("import", str(ledger), "--platform", "x", env=env))
    assert "127.0.0.1:9" in line and "HUB_DATABASE_URL" in line and "refused" in line


def test_toml_syntax_error_names_file_and_line(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "platforms.toml"
    path.write_text('[[platform]]\ncode = "a"\nkind = "rest_json\n', encoding="utf-8")
    one_line_error(hub("sync", "--config", str(path), env=env), "platforms.toml", "line 3")


def test_toml_field_error_names_file_line_and_field(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "platforms.toml"
    path.write_text(
        '[[platform]]\ncode = "a"\nname = "A"\nkind = "rest_json"\nbase_url = "http://x"\n'
        'region = "150302"\n\n[[platform]]\ncode = "b"\nname = "B"\nkind = "rest_json"\n'
        'base_url = "http://x"\nregion = "150302"\npage_size = 0\n',
        encoding="utf-8",
    )
    line = one_line_error(hub("sync", "--config", str(path), env=env))
    assert f"{path}:14:" in line and "'b'" in line and "'page_size'" in line


def test_unset_token_variable_is_named(env: dict[str, str]) -> None:
    env = {**env, "WUHAI_SKILLS_TOKEN": ""}
    example = ROOT / "platforms.example.toml"
    line = one_line_error(hub("sync", "--config", str(example), env=env))
    assert line.startswith("hub: error: WUHAI_SKILLS_TOKEN is not set")


def test_unknown_region_for_a_token(tmp_path: Path) -> None:
    result = hub(
        "token", "--role", "city", "--region", "999999", env={"HUB_DATA_DIR": str(tmp_path)}
    )
    one_line_error(result, "unknown region code 999999")


def test_import_prints_quarantine_reasons_grouped(env: dict[str, str], tmp_path: Path) -> None:
    bad = [course(f"BAD{n}", skill_level=9) for n in range(5)]
    records = [*small_ledger(), *bad]
    path = tmp_path / "ledger.ndjson"
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ["{oops", "{again"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = hub("import", str(path), "--platform", "acme-lms", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    level_line = next(line for line in out.splitlines() if "5 × " in line)
    assert "skill_level" in level_line and level_line.endswith("first: BAD0, BAD1, BAD2")
    json_line = next(line for line in out.splitlines() if "2 × " in line)
    assert "invalid JSON" in json_line and json_line.endswith("first: line 15, line 16")
