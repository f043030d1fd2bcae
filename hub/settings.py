"""Runtime settings from the environment (HUB_*); nothing is read at import time.

Secrets that are not given (JWT secret, data key) are generated once and kept in the data
directory beside the embedded database, so `hub demo`, `hub serve` and `hub token` agree.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_SECRETS_FILE = "secrets.json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    data_dir: Path = Field(default=Path(".hub"))
    database_url: str | None = None
    jwt_secret: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwks_file: Path | None = None  # RS256/ES256 public keys (a JWKS document) on disk
    jwks_url: str | None = None  # ... or fetched (and cached) from the identity provider
    max_token_lifetime_seconds: int = 24 * 3600  # tokens valid for longer are refused
    data_key: str | None = None  # urlsafe base64 of 32 bytes: encrypts and hashes personal data
    max_page_size: int = 500
    # Off unless asked for (`hub demo` turns it on for GraphiQL): a schema map helps attackers.
    introspection: bool = False
    # Limits on what one request may ask for (hub/api/limits.py).
    max_query_depth: int = 10
    max_query_tokens: int = 5000
    max_query_aliases: int = 60
    max_query_selections: int = 10_000  # selections once every fragment spread is expanded
    max_query_rows: int = 500_000  # worst-case rows a query may read (GitHub allows 500,000 nodes)
    request_timeout_seconds: float = 30.0
    # PostgreSQL connections of one API process, all kept open: a request beyond them waits for
    # one (first come, first served) instead of opening a connection that closes again at once.
    # Unset: `api_pool_per_process`.
    api_pool_size: int | None = None
    # Operation names with their own label in /metrics (comma-separated); others are "other".
    metrics_operations: str = ""
    push_claim_seconds: float = 60.0  # a bulk upload silent this long has died: its key is free
    max_request_bytes: int = 8_000_000  # a GraphQL body (pushRecords carries up to 1000 records)
    # Read queries compiled to one SQL statement each (hub/api/compiled/); off: resolvers only.
    compiled_reads: bool = True

    def api_pool_per_process(self, processes: int = 1) -> int:
        """Connections for each of `processes` API processes: HUB_API_POOL_SIZE as set (it is
        per process), else a share of three per CPU core of this machine (4 to 20 in all).

        Connections beyond what the database's cores can run only queue statements inside
        PostgreSQL, where the waiting also takes CPU from the server: on 2 cores shared with the
        database, 20 connections gave the city page a p99 of 78 ms, 10 gave 57 and 6 gave 48,
        at the same rate. Where the database has cores of its own, set it (about three per
        database core, divided among the API processes).
        """
        if self.api_pool_size is not None:
            return self.api_pool_size
        machine = min(20, max(4, 3 * (os.cpu_count() or 1)))
        return max(2, machine // processes)

    @property
    def resolved_database_url(self) -> str:
        """HUB_DATABASE_URL, or the embedded SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hub.db').as_posix()}"

    @cached_property
    def _stored_secrets(self) -> dict[str, str]:
        path = self.data_dir / _SECRETS_FILE
        if path.exists():
            return json.loads(path.read_text())
        generated = {
            "jwt_secret": secrets.token_urlsafe(32),
            "data_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(generated))
        path.chmod(0o600)
        return generated

    @property
    def effective_jwt_secret(self) -> str:
        return self.jwt_secret or self._stored_secrets["jwt_secret"]

    @property
    def hmac_jwt_secret(self) -> str | None:
        """The HS256 secret requests are verified with; None (HS256 refused) in JWKS-only setups.

        Development falls back to the generated secret; once a JWKS is configured, HS256 tokens
        are accepted only if HUB_JWT_SECRET is set explicitly.
        """
        if self.jwt_secret:
            return self.jwt_secret
        if self.jwks_file or self.jwks_url:
            return None
        return self.effective_jwt_secret

    @property
    def effective_data_key(self) -> bytes:
        return base64.urlsafe_b64decode(self.data_key or self._stored_secrets["data_key"])


def get_settings(**overrides: object) -> Settings:
    """Read settings from the environment now, with explicit overrides taking precedence."""
    return Settings(**overrides)  # type: ignore[arg-type]
