"""GraphQL over HTTP: graphql-http's auditServer against a live server, and the media types."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.simulated.server import serve
from hub.api.app import create_app
from hub.settings import Settings
from tests.api.conftest import SECRET

AUDIT_DIR = Path(__file__).parent / "audit"


@pytest.fixture(scope="module")
def audit_script() -> Path:
    """audit.mjs with graphql-http installed beside it (npm install on first use)."""
    if shutil.which("node") is None:
        print("node is not installed: the GraphQL-over-HTTP audit cannot run")
        pytest.skip("node is not installed")
    if not (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        npm = shutil.which("npm")
        assert npm, "node is installed but npm is not: cannot install graphql-http"
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent"],
            cwd=AUDIT_DIR,
            check=True,
            timeout=300,
        )
    return AUDIT_DIR / "audit.mjs"


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on uvicorn on loopback (the audit only asks `{ __typename }`-like things)."""
    data_dir = tmp_path_factory.mktemp("audit")
    # The audit probes with `__type` queries: introspection on, as an operator may choose.
    settings = Settings(data_dir=data_dir, jwt_secret=SECRET, introspection=True)
    with serve(create_app(settings)) as base_url:
        yield f"{base_url}/graphql"


def test_graphql_http_audit_has_no_failures(audit_script: Path, live_url: str) -> None:
    run = subprocess.run(
        ["node", str(audit_script), live_url], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert len(results) > 40
    failures = [r for r in results if r["status"] == "error"]
    assert not failures, failures
    # Not required by the spec, but the hub answers the SHOULDs too.
    warnings = [f"{r['name']}: {r['reason']}" for r in results if r["status"] == "warn"]
    assert not warnings, warnings


def test_graphql_response_media_type(live_url: str) -> None:
    accept = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
    with httpx.Client() as http:
        broken = http.post(live_url, json={"query": "{"}, headers=accept)
        assert broken.status_code == 400
        assert broken.headers["content-type"].startswith("application/graphql-response+json")
        assert "data" not in broken.json() and broken.json()["errors"]

        # Executed, but the field refused the caller: 200, with data.
        refused = http.post(live_url, json={"query": "{ viewer { role } }"}, headers=accept)
        assert refused.status_code == 200
        assert refused.json()["data"] is None
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

        legacy = http.post(live_url, json={"query": "{"}, headers={"Accept": "application/json"})
        assert legacy.status_code == 200
        assert legacy.headers["content-type"] == "application/json"
