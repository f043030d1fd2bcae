"""Differential test: on random valid read queries, the compiled path answers as the resolvers do.

Hypothesis draws queries from the schema (fields, nesting, aliases, fragments, directives,
variables, page sizes, orders, cursors) and callers of every role; each is sent to the same app
with compiled reads on and off, and the two JSON answers must be identical. The data covers the
leak matrix's two cities plus values whose formatting is easy to get wrong (microseconds, fractional
hours, missing names and phones, scores).

HUB_DIFF_EXAMPLES sets the number of queries per engine (default 300).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given
from hypothesis import settings as run_settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.schema import build_schema
from hub.db import transaction
from hub.ingest import Ingestor
from hub.security.pii import PiiVault
from hub.settings import Settings
from schema import tables
from tests.api.conftest import SECRET
from tests.api.query_strategies import NODE_TYPE_NAMES, read_queries
from tests.api.test_compiled_reads import Paths, paths  # noqa: F401  (fixture)
from tests.api.test_leak_matrix import CALLERS, world  # noqa: F401  (fixture)
from tests.records import ORG, course, enrolment, resident_id, session, trainee, training_class

EXAMPLES = int(os.environ.get("HUB_DIFF_EXAMPLES", "300"))
SCHEMA = build_schema()._schema

TRICKY = [
    trainee("T7", name="张伟", phone=None, id_number=resident_id(serial="707")),
    trainee("T8", name="Ann", employer_credit_code=ORG, id_number=resident_id(serial="808")),
    course("C7", total_hours=37.5, online_hours=14.9, standard=None, occupation_code=None),
    training_class("K7", course_source_id="C7", name=None, starts_on="2020-03-02"),
    enrolment("E7", "T7", "K7"),
    enrolment("E8", "T8", "K7"),
    session(
        "S7",
        "T7",
        "2020-03-06T19:00:00.250+08:00",
        "2020-03-06T19:59:59.999999+08:00",
        class_source_id="K7",
        reported_seconds=3600,
        activity="视频 第1章",
    ),
    session(
        "S8",
        "T8",
        "2020-03-06T19:00:00+08:00",
        "2020-03-06T19:30:00+08:00",
        class_source_id="K7",
        mode="offline",
    ),
    {
        "type": "assessment",
        "source_id": "A7",
        "trainee_source_id": "T7",
        "class_source_id": "K7",
        "assessed_at": "2020-03-31T10:00:00.5+08:00",
        "passed": True,
        "score": 87.25,
    },
    {
        "type": "certificate",
        "source_id": "Z7",
        "trainee_source_id": "T8",
        "kind": "training_completion",
        "number": "NM-2020-0077",
        "issued_on": "2020-04-05",
    },
]


@pytest.fixture
def settings(tmp_path: Path, data_key_b64: str) -> Settings:
    """Generous limits: random queries may be wide."""
    return Settings(
        data_dir=tmp_path,
        jwt_secret=SECRET,
        data_key=data_key_b64,
        max_query_rows=10**12,
        max_query_tokens=100_000,
        max_query_aliases=500,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def varied(world: None, engine: AsyncEngine, vault: PiiVault) -> dict[str, int]:  # noqa: F811
    """The leak matrix's data plus tricky values; returns the highest row id per node type."""
    async with transaction(engine) as db:
        platform = (
            await db.execute(select(tables.Platform).where(tables.Platform.code == "wh"))
        ).scalar_one()
        stats = await Ingestor(db, platform.id, vault).ingest(TRICKY)
        assert stats.total.quarantined == 0, stats
    highest = {}
    async with transaction(engine) as db:
        for name in NODE_TYPE_NAMES:
            table = getattr(tables, name)
            highest[name] = (await db.execute(select(func.max(table.id)))).scalar() or 0
    return highest


async def test_compiled_answers_equal_resolved_answers(
    paths: Paths,  # noqa: F811
    token: Callable[..., str],
    varied: dict[str, int],
) -> None:
    callers = [
        token(c["role"], **{k: v for k, v in c.items() if k != "role"}) for c in CALLERS.values()
    ]
    callers.append(token("region", pii=True))
    seen: Counter[str] = Counter()

    loop = asyncio.get_running_loop()

    @run_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=read_queries(SCHEMA, varied), caller=st.sampled_from(callers))
    def check(query: tuple[str, dict[str, Any]], caller: str) -> None:
        # hypothesis drives this in a worker thread; requests run on the test's event loop
        text, variables = query
        both = asyncio.run_coroutine_threadsafe(paths.both(caller, text, variables), loop)
        compiled, resolved = both.result()
        assert compiled.status_code == resolved.status_code, text
        assert compiled.json() == resolved.json(), (text, variables)
        seen[compiled.headers.get("x-hub-read-path", "none")] += 1

    await loop.run_in_executor(None, check)
    print(f"differential examples: {sum(seen.values())} {dict(seen)}")
    # The draw really exercises the compiled path, alone and mixed with resolvers.
    assert seen["compiled"] > EXAMPLES // 5 and seen["mixed"] > 0, seen
