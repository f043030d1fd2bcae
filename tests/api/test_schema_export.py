"""The committed SDL (schema/hub.graphql) is exactly what the code serves."""

from __future__ import annotations

from hub.api.commands import SCHEMA_FILE, schema_sdl


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert committed == schema_sdl(), (
        "schema/hub.graphql differs from the GraphQL schema in the code: "
        "run `hub export-schema` and commit the result"
    )
