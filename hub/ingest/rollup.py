"""Keeping the statistics roll-up right inside every ingest transaction.

The ingest path reports what its merges wrote (the RETURNING sets). At the end of the batch:

- facts that were *inserted* are added to their cells as deltas (one aggregate over the new rows,
  then one UPDATE of the existing cells and one INSERT of the new ones): the common case of a
  sync, whose cost does not grow with what a trainee already has;
- trainees whose cells may have moved (a fact changed, the trainee itself changed, or a class or
  course of theirs changed) have their roll-up rows deleted and rebuilt from their current facts,
  which keeps moved sessions and changed categories exact without knowing every old key. Their
  inserted facts are covered by the rebuild and get no delta;
- the narrow area roll-up (`stat_area_cell`) of every trainee whose cells changed is rebuilt
  from its `stat_trainee_cell` rows (a handful per trainee), and the region-wide totals
  (`stat_area_total`) change by what those trainees and their persons count after minus before.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.batching import chunks
from hub.ingest.merge import Merged
from hub.stats.area_totals import AreaTotalsDelta, rebuild_totals
from hub.stats.facts import (
    add_statements,
    area_rebuild_statement,
    area_refresh_statements,
    facts_of_classes,
    rebuild_statement,
    refresh_statements,
)
from schema.tables import StatAreaCell, StatTraineeCell, TrainingClass

FACT_TABLES = frozenset({"learning_session", "assessment", "certificate"})


class RollupChanges:
    """Trainees (and classes) touched by one ingest call, refreshed together at its end."""

    def __init__(self) -> None:
        self.trainee_ids: set[int] = set()
        self.class_ids: set[int] = set()
        self.course_ids: set[int] = set()
        # fact table -> (row id, trainee id) of rows inserted
        self.inserted: dict[str, list[tuple[int, int | None]]] = {}

    def merged(self, table_name: str, rows: Iterable[Merged]) -> None:
        """Note what one merge into `table_name` inserted or changed."""
        for row in rows:
            if table_name in FACT_TABLES:
                if row.inserted:
                    self.inserted.setdefault(table_name, []).append((row.id, row.trainee_id))
                else:  # the trainee it belongs to now, and the one it belonged to before
                    self.trainee_ids.update(t for t in (row.trainee_id, row.old_trainee_id) if t)
            elif row.inserted:
                continue  # a new trainee, class or course has no facts yet
            elif table_name == "trainee":
                self.trainee_ids.add(row.id)  # category or person may have changed
            elif table_name == "training_class":
                self.class_ids.add(row.id)
            elif table_name == "course":
                self.course_ids.add(row.id)

    async def apply(self, session: AsyncSession) -> None:
        """Add the new facts of untouched trainees; rebuild the cells of every touched trainee."""
        if self.course_ids:
            for part in chunks(sorted(self.course_ids)):
                classes = select(TrainingClass.id).where(TrainingClass.course_id.in_(part))
                self.class_ids.update((await session.execute(classes)).scalars())
        for part in chunks(sorted(self.class_ids)):
            self.trainee_ids.update((await session.execute(facts_of_classes(part))).scalars())
        one_statement = session.bind.dialect.name == "postgresql"
        changed = set(self.trainee_ids)  # every trainee whose cells change, for the area cells
        for table_name, rows in sorted(self.inserted.items()):
            changed.update(trainee for _, trainee in rows if trainee is not None)
            ids = [row_id for row_id, trainee in rows if trainee not in self.trainee_ids]
            for part in chunks(ids, 5000 if one_statement else 900):
                for statement in add_statements(table_name, part, one_statement):
                    await session.execute(statement)
        for part in chunks(sorted(self.trainee_ids), 500):
            for statement in refresh_statements(part):
                await session.execute(statement)
        for part in chunks(sorted(changed), 500):
            totals = AreaTotalsDelta(part)
            await totals.before(session)
            for statement in area_refresh_statements(part):
                await session.execute(statement)
            await totals.after(session)
        self.trainee_ids.clear()
        self.class_ids.clear()
        self.course_ids.clear()
        self.inserted.clear()


async def rebuild_rollup(session: AsyncSession) -> None:
    """Recompute the whole roll-up from the raw tables (after a bulk load outside the ingest path)."""
    await session.execute(delete(StatAreaCell))
    await session.execute(delete(StatTraineeCell))
    await session.execute(rebuild_statement())
    await session.execute(area_rebuild_statement())
    await rebuild_totals(session)
