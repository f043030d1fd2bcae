"""Scope rule benchmark: what the one relation rule costs in the SQL of a city's pages.

    .venv/bin/python bench/scope_rule.py [--database hub_bench_stats] [--rounds 30]

The relation rule (hub/auth/scopes.py) lets a city see, beside the trainees registered in its
area, those taking part in its classes, and beside its own platforms those its visible rows were
reported on. This times, on the same database and in the same run, the statements a city bureau's
pages send with the rule (`trainees()`, `platforms()`) against the same statements with the home
scope only (`home_trainees()`, `home_platforms()` — the rule before), alternating the two so load
on the machine affects both alike: the trainee page (first 50 and totalCount), the roster of the
city's classes joined to its trainees, and the platform list. Reads only; needs a loaded database
(bench/stats_latency.py keeps `hub_bench_stats`).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from statistics import median

from harness import database_exists, record, sqlalchemy_url
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from hub.api.relay import SortOrder, page_spec
from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from schema.tables import Enrolment, Platform, Trainee

CITY = "150300"
JIT_OFF = "SET jit = off"


def _page(table: type, condition: object) -> object:
    """The first page of 50 as the API reads it (`page_spec`: the scope probed per row)."""
    spec = page_spec(table, [condition], 50, None, SortOrder.ASC, "id", 500)
    return select(table.id).where(*spec.conditions).order_by(*spec.order_by).limit(51)  # type: ignore[attr-defined]


def statements(scope: Scope, rule: bool) -> dict[str, object]:
    """The page statements with the rule's predicates, or the home-only ones."""
    trainees = scope.trainees() if rule else scope.home_trainees()
    platforms = scope.platforms() if rule else scope.home_platforms()
    return {
        "trainee page (50)": _page(Trainee, trainees),
        "trainee totalCount": select(func.count()).select_from(Trainee).where(trainees),
        "roster of its classes": select(func.count())
        .select_from(Enrolment)
        .join(Trainee, Trainee.id == Enrolment.trainee_id)
        .where(scope.class_linked(Enrolment), trainees),
        "platform list": select(Platform.id).where(platforms).order_by(Platform.id).limit(51),
    }


async def main(database: str, rounds: int) -> None:
    if not await database_exists(database):
        raise SystemExit(f"database {database} not found: run bench/stats_latency.py first")
    engine = create_async_engine(sqlalchemy_url(database))
    scope = Scope(Principal(subject="bench", role=Role.CITY, region_code=CITY))
    timings: dict[tuple[str, bool], list[float]] = {}
    results: dict[tuple[str, bool], object] = {}
    async with engine.connect() as connection:
        await connection.exec_driver_sql(JIT_OFF)  # as the API's request transactions do
        for round_number in range(rounds + 1):  # the first round warms the caches
            for rule in (round_number % 2 == 0, round_number % 2 == 1):
                for name, statement in statements(scope, rule).items():
                    started = time.perf_counter()
                    rows = (await connection.execute(statement)).all()  # type: ignore[call-overload]
                    if round_number:
                        timings.setdefault((name, rule), []).append(time.perf_counter() - started)
                    results[(name, rule)] = rows
    await engine.dispose()
    lines = [
        f"Database `{database}`, city {CITY}, {rounds} rounds alternating the two predicates.",
        "",
        "| statement | home scope only, ms | with the relation rule, ms | ratio | rows (home / rule) |",
        "|---|---:|---:|---:|---|",
    ]
    for name in statements(scope, True):
        home = median(timings[(name, False)]) * 1000
        rule = median(timings[(name, True)]) * 1000
        sizes = f"{_size(name, results[(name, False)])} / {_size(name, results[(name, True)])}"
        lines.append(f"| {name} | {home:.1f} | {rule:.1f} | {rule / home:.2f} | {sizes} |")
    record("Scope rule: a city's pages with and without the relation rule", lines)


def _size(name: str, rows: object) -> str:
    items = list(rows)  # type: ignore[call-overload]
    counted = "totalCount" in name or "roster" in name
    return str(items[0][0]) if counted else str(len(items))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hub_bench_stats")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.database, args.rounds))
