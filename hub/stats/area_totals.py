"""Region-wide totals per (city, district, identity category) grouping, kept exact by deltas.

`stat_area_total` holds one row per group of every subset of the three area dimensions (a bit
set in `grouped_by`): trainees and persons counted distinct, and the activity sums. The region-wide
overview (`statistics(groupBy: [CITY, IDENTITY_CATEGORY])`, `[]`, `[DISTRICT]`, ...) reads a
handful of these rows instead of counting distinct trainees over every `stat_area_cell`.

Distinct counts do not add up, but membership does: a trainee (person) counts 1 in a group when
it has at least one area cell there. When the area cells of some trainees are rebuilt, each
group's count changes by (members among those trainees / their persons after) − (before). The
persons are counted over every cell of the persons of the changed trainees (their old and new
persons), so a person's other trainees keep them counted where they still are. The sums change
by the changed trainees' cells after minus before.

The difference is taken around each rebuild in the same transaction; on PostgreSQL an advisory
lock serialises it between concurrent ingests (two syncs of one person's two trainees would
otherwise both count the person as new in a group).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, literal, select, text, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import StatAreaCell, StatAreaTotal, Trainee

DIMENSIONS = ("city_code", "district_code", "identity_category")  # bits 1, 2, 4
GROUPINGS = range(1 << len(DIMENSIONS))
MEASURES = ("sessions", "online_seconds", "offline_seconds", "qualified", "certificates")
FIGURES = ("trainees", "persons", *MEASURES)
KEY = ("grouped_by", *DIMENSIONS)
TOTALS_LOCK = 0x5EC0_0016  # PostgreSQL advisory lock key: one totals update at a time


def grouping_of(names: Collection[str]) -> int:
    """The bit set of a grouping by these dimension columns."""
    return sum(1 << i for i, name in enumerate(DIMENSIONS) if name in names)


def _projection(grouping: int, where: Any, trainees: bool, persons: bool, sums: bool) -> Select:
    """Per group of `grouping`: distinct trainees and/or persons and/or sums of the cells `where`."""
    cells = StatAreaCell.__table__
    grouped = [cells.c[n] for i, n in enumerate(DIMENSIONS) if grouping & (1 << i)]
    keys = [
        func.coalesce(cells.c[n], "").label(n) if grouping & (1 << i) else literal("").label(n)
        for i, n in enumerate(DIMENSIONS)
    ]
    zero = literal(0)
    figures = [
        (func.count(cells.c.trainee_id.distinct()) if trainees else zero).label("trainees"),
        (func.count(cells.c.person_id.distinct()) if persons else zero).label("persons"),
        *((func.sum(cells.c[m]) if sums else zero).label(m) for m in MEASURES),
    ]
    query = select(literal(grouping).label("grouped_by"), *keys, *figures).where(where)
    return query.group_by(*grouped) if grouped else query


def rebuild_statement() -> Any:
    """Fill an empty stat_area_total from every stat_area_cell (migration and full rebuild)."""
    cells = StatAreaCell.__table__
    parts = [_projection(g, cells.c.id.is_not(None), True, True, True) for g in GROUPINGS]
    every = union_all(*parts).subquery("every")
    columns = [*KEY, *FIGURES]
    keep = select(*(every.c[c] for c in columns)).where(every.c.trainees > 0)
    return StatAreaTotal.__table__.insert().from_select(columns, keep)


class AreaTotalsDelta:
    """The groups of some trainees (and their persons) before a rebuild of their area cells,
    subtracted from the same after it and added to stat_area_total."""

    def __init__(self, trainee_ids: Sequence[int]) -> None:
        self.trainee_ids = sorted(trainee_ids)
        self.person_ids: list[int] = []
        self.delta: dict[tuple[Any, ...], list[int]] = {}

    def _members(self) -> Any:
        cells = StatAreaCell.__table__
        of_trainees = cells.c.trainee_id.in_(self.trainee_ids)
        of_persons = cells.c.person_id.in_(self.person_ids)
        parts = [_projection(g, of_trainees, True, False, True) for g in GROUPINGS]
        parts += [_projection(g, of_persons, False, True, False) for g in GROUPINGS]
        return union_all(*parts)

    async def _add(self, session: AsyncSession, sign: int) -> None:
        for row in (await session.execute(self._members())).all():
            figures = self.delta.setdefault(tuple(row[: len(KEY)]), [0] * len(FIGURES))
            for i, value in enumerate(row[len(KEY) :]):
                figures[i] += sign * int(value or 0)

    async def before(self, session: AsyncSession) -> None:
        """Note the groups as they are (call before the trainees' area cells are rebuilt)."""
        if session.bind.dialect.name == "postgresql":
            await session.execute(text(f"SELECT pg_advisory_xact_lock({TOTALS_LOCK})"))
        cells = StatAreaCell.__table__
        persons = select(cells.c.person_id).where(cells.c.trainee_id.in_(self.trainee_ids))
        now = select(Trainee.person_id).where(Trainee.id.in_(self.trainee_ids))
        found = await session.execute(persons.union(now))
        self.person_ids = sorted(p for p in found.scalars() if p is not None)
        await self._add(session, -1)

    async def after(self, session: AsyncSession) -> None:
        """Take the groups again and add the difference to stat_area_total."""
        await self._add(session, 1)
        rows = [
            dict(zip((*KEY, *FIGURES), (*key, *figures), strict=True))
            for key, figures in sorted(self.delta.items())
            if any(figures)
        ]
        if not rows:
            return
        table = StatAreaTotal.__table__
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(KEY),
            set_={f: table.c[f] + statement.excluded[f] for f in FIGURES},
        )
        await session.execute(statement, rows)


async def rebuild_totals(session: AsyncSession) -> None:
    """Recompute stat_area_total from stat_area_cell."""
    await session.execute(delete(StatAreaTotal))
    await session.execute(rebuild_statement())
