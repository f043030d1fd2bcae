"""Identity changes: when a trainee's ID number is corrected, what hangs off it follows it.

A trainee row carries the person (the resident ID) it belongs to, and so do, denormalised, its
learning sessions, certificates, statistics cells, claim lines and the alerts about it. When the
platform corrects a trainee's ID number the trainee moves to another person; `relink_trainees`
moves every one of those rows in the same transaction (the caller's), so no session is left on
the old person to raise a false alert there. The trainee's new record version (its `id_number`
among the changed fields) is the history of the change; `recheck_persons` re-runs the fraud rules
for both the old and the new person in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.ingest.batching import chunks
from hub.supervision.rules import run_rules
from schema.tables import (
    Alert,
    AlertRecord,
    Certificate,
    ClaimLine,
    LearningSession,
    StatTraineeCell,
    Trainee,
)

# Tables whose rows carry both the trainee and (denormalised) its person.
_BY_TRAINEE = (LearningSession, Certificate, StatTraineeCell)


@dataclass(frozen=True)
class Relink:
    """One trainee moved from one person to another."""

    trainee_id: int
    source_id: str
    old_person_id: int
    new_person_id: int

    @property
    def persons(self) -> tuple[int, int]:
        return (self.old_person_id, self.new_person_id)


async def relink_trainees(
    session: AsyncSession, platform_id: int, new_persons: Mapping[str, int]
) -> list[Relink]:
    """Move the rows of the platform's trainees (source_id -> new person) whose person changes."""
    moves: list[Relink] = []
    for part in chunks(sorted(new_persons)):
        rows = await session.execute(
            select(Trainee.id, Trainee.source_id, Trainee.person_id).where(
                Trainee.platform_id == platform_id, Trainee.source_id.in_(part)
            )
        )
        moves += [
            Relink(tid, sid, old, new_persons[sid])
            for tid, sid, old in rows.all()
            if old != new_persons[sid]
        ]
    for move in moves:
        await _move(session, move)
    return moves


async def _move(session: AsyncSession, move: Relink) -> None:
    old, new = move.old_person_id, move.new_person_id
    for table in _BY_TRAINEE:
        await session.execute(
            update(table)
            .where(table.trainee_id == move.trainee_id, table.person_id == old)  # type: ignore[attr-defined]
            .values(person_id=new)
        )
    # One claim per person, occupation, level and year: a line that would collide with a line
    # the new person already has stays where it is, for the double-claim rule to show.
    other = aliased(ClaimLine)
    collides = exists().where(
        other.person_id == new,
        other.occupation == ClaimLine.occupation,
        other.skill_level == ClaimLine.skill_level,
        other.year == ClaimLine.year,
    )
    await session.execute(
        update(ClaimLine)
        .where(ClaimLine.trainee_id == move.trainee_id, ClaimLine.person_id == old, ~collides)
        .values(person_id=new)
    )
    # Alerts about this trainee's own records follow it; the rules re-run then re-judge them.
    about_trainee = exists().where(
        and_(
            AlertRecord.alert_id == Alert.id,
            AlertRecord.record_type == "trainee",
            AlertRecord.row_id == move.trainee_id,
        )
    )
    about_sessions = exists().where(
        and_(
            AlertRecord.alert_id == Alert.id,
            AlertRecord.record_type == "session",
            AlertRecord.row_id.in_(
                select(LearningSession.id).where(LearningSession.trainee_id == move.trainee_id)
            ),
        )
    )
    await session.execute(
        update(Alert)
        .where(Alert.person_id == old, about_trainee | about_sessions)
        .values(person_id=new)
    )


async def recheck_persons(session: AsyncSession, person_ids: Sequence[int]) -> None:
    """Re-run every rule for these persons (and their classes) in the caller's transaction."""
    if person_ids:
        await run_rules(session, person_ids=sorted(set(person_ids)))
