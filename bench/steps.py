"""The per-record Python steps of ingest, timed alone on the same session records.

Validation: pydantic per record (what the ingest path does, so one invalid record cannot fail its
batch), pydantic `TypeAdapter(list[...])` over the whole batch, and msgspec `convert` into an
equivalent Struct (types only: msgspec has no place for the model validators, which would run
after it). Hashing: the canonical JSON with the standard library vs orjson, then SHA-256.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, Literal

import msgspec
from pydantic import TypeAdapter

from hub.ingest.collector import fewer_collections
from hub.ingest.rows import canonical, history_payload
from hub.security.pii import PiiVault
from schema.records import CanonicalRecord, parse_record
from schema.types import utcnow


class SessionStruct(msgspec.Struct, forbid_unknown_fields=True):
    """The session record's fields and types, for msgspec."""

    type: Literal["session"]
    source_id: str
    trainee_source_id: str
    class_source_id: str
    started_at: datetime.datetime
    ended_at: datetime.datetime
    mode: Literal["online", "offline"]
    reported_seconds: int | None = None
    activity: str | None = None


def _micros(run: Callable[[], Any], count: int) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) / count * 1e6


def time_steps(raws: list[dict[str, Any]], vault: PiiVault) -> dict[str, float]:
    """µs per record of each step over `raws` (session records), as the ingest path runs them:
    one moment of receipt for the batch, and young collections spaced as while a batch is in
    flight (`fewer_collections`)."""
    with fewer_collections():
        return _time_steps(raws, vault, utcnow())


def _time_steps(
    raws: list[dict[str, Any]], vault: PiiVault, received_at: datetime.datetime
) -> dict[str, float]:
    batch = TypeAdapter(list[CanonicalRecord])
    context = {"received_at": received_at}
    records = [parse_record(r, received_at) for r in raws]
    payloads = [history_payload(r, vault) for r in records]
    n = len(raws)

    def stdlib_hash() -> None:
        for p in payloads:
            text = json.dumps(p, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            hashlib.sha256(text.encode()).hexdigest()

    return {
        "validate: pydantic, one record at a time (kept)": _micros(
            lambda: [parse_record(r, received_at) for r in raws], n
        ),
        "validate: pydantic TypeAdapter(list[...]) per batch": _micros(
            lambda: batch.validate_python(raws, context=context), n
        ),
        "validate: msgspec convert to a Struct (types only)": _micros(
            lambda: msgspec.convert(raws, list[SessionStruct]), n
        ),
        "history payload (model_dump)": _micros(
            lambda: [history_payload(r, vault) for r in records], n
        ),
        "canonical hash: stdlib json + SHA-256 (before)": _micros(stdlib_hash, n),
        "canonical payload, text and hash: orjson + SHA-256 (kept)": _micros(
            lambda: [canonical(r, vault) for r in records], n
        ),
    }
