"""Records that each break one thing, to check that one bad record never loses its batch."""

from __future__ import annotations

import json
from typing import Any

from tests.records import session, small_ledger, trainee


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"x": [value]}
    return value


def bad_records() -> list[dict[str, Any]]:
    """One record per failure mode, each of which used to fail its whole batch."""
    return [
        trainee("BAD-SURROGATE", name="张\ud800伟"),  # a lone surrogate: not encodable
        session(
            "BAD-BIGINT",
            "T1",
            "2020-03-05T19:00:00+08:00",
            "2020-03-05T20:00:00+08:00",
            reported_seconds=2**63,
        ),
        # valid with its offset, a year past 9999 in UTC
        session("BAD-UTC", "T1", "9999-12-31T23:30-01:00", "9999-12-31T23:50-01:00"),
        trainee("BAD-NUL", name="张\x00伟"),  # PostgreSQL text refuses NUL
        trainee("BAD-" + "L" * 200),  # over the 128 characters of a source id
        trainee("BAD-DEEP") | {"extra": nested(200)},  # deep, yet within what JSON parsers take
        {"type": "trainee", "source_id": "BAD\x00KEY\ud800" + "K" * 300, "name": 1},  # bad key
    ]


def good_and_bad() -> list[dict[str, Any]]:
    """The clean small ledger with the bad records interleaved."""
    good, bad = small_ledger(), bad_records()
    mixed: list[dict[str, Any]] = []
    for i, record in enumerate(good):
        mixed.append(record)
        if i < len(bad):
            mixed.append(bad[i])
    return mixed


def deep_lines() -> list[str]:
    """NDJSON lines nested deeper than any JSON parser recurses."""
    depth = 100_000
    return [
        "[" * depth + "]" * depth,
        '{"type": "trainee", "source_id": "BAD-DEEPER", "x": ' + "[" * depth + "]" * depth + "}",
    ]


def ndjson(records: list[dict[str, Any]], extra_lines: list[str] = ()) -> bytes:  # type: ignore[assignment]
    """Records as NDJSON (ASCII escapes keep lone surrogates expressible), plus raw lines."""
    lines = [json.dumps(r) for r in records] + list(extra_lines)
    return ("\n".join(lines) + "\n").encode("utf-8")
