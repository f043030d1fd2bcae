"""Keeping the statistics roll-up right inside every ingest transaction.

The ingest path reports what it wrote; the trainees whose cells may have changed are collected and,
at the end of the batch, their roll-up rows are deleted and rebuilt from their current facts.
Rebuilding per trainee (not adding deltas) keeps moved sessions, re-sent records and changed
classes, courses or identity categories exact without knowing the old values of every key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.ingest.batching import chunks
from hub.stats.facts import facts_of_classes, rebuild_statement, refresh_statements
from schema.tables import StatTraineeCell, TrainingClass

FACT_TABLES = frozenset({"learning_session", "assessment", "certificate"})


class RollupChanges:
    """Trainees (and classes) touched by one ingest call, refreshed together at its end."""

    def __init__(self) -> None:
        self.trainee_ids: set[int] = set()
        self.class_ids: set[int] = set()
        self.course_ids: set[int] = set()

    async def before_update(self, session: AsyncSession, table: Any, row_ids: list[int]) -> None:
        """Note the trainees fact rows belong to *before* an update may move them elsewhere."""
        if table.__tablename__ not in FACT_TABLES:
            return
        for part in chunks(row_ids):
            found = await session.execute(select(table.trainee_id).where(table.id.in_(part)))
            self.trainee_ids.update(found.scalars())

    def written(
        self, table_name: str, rows: Iterable[Mapping[str, Any]], updated_ids: Iterable[int]
    ) -> None:
        """Note what a bulk insert and update of `table_name` (all `rows` written) may change."""
        if table_name in FACT_TABLES:
            # The trainees the rows belong to now; before_update noted where they were.
            self.trainee_ids.update(row["trainee_id"] for row in rows)
        elif table_name == "trainee":
            self.trainee_ids.update(updated_ids)  # category or person may have changed
        elif table_name == "training_class":
            self.class_ids.update(updated_ids)
        elif table_name == "course":
            self.course_ids.update(updated_ids)

    async def apply(self, session: AsyncSession) -> None:
        """Rebuild the roll-up rows of every touched trainee from the facts as they are now."""
        if self.course_ids:
            for part in chunks(sorted(self.course_ids)):
                classes = select(TrainingClass.id).where(TrainingClass.course_id.in_(part))
                self.class_ids.update((await session.execute(classes)).scalars())
        for part in chunks(sorted(self.class_ids)):
            self.trainee_ids.update((await session.execute(facts_of_classes(part))).scalars())
        for part in chunks(sorted(self.trainee_ids), 500):
            for statement in refresh_statements(part):
                await session.execute(statement)
        self.trainee_ids.clear()
        self.class_ids.clear()
        self.course_ids.clear()


async def rebuild_rollup(session: AsyncSession) -> None:
    """Recompute the whole roll-up from the raw tables (after a bulk load outside the ingest path)."""
    await session.execute(delete(StatTraineeCell))
    await session.execute(rebuild_statement())
