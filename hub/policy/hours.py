"""Hours a trainee recorded in a class, as the hub computed them from learning sessions.

For a subsidy only sessions within the approved class period count: started on or after the
class's first day and its approval, ended on or before its last day (local days, UTC+8); online
ones only on platforms the organiser may count (listed in the catalogue, or filed and approved
for that organisation); none that a confirmed alert names (hub/policy/disproved.py); none that
has not ended yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.policy.calendar import CHINA, china_day
from hub.policy.disproved import disproved_sessions
from hub.registry.catalogue import listed_now
from schema.enums import SessionMode
from schema.tables import LearningSession, Platform, PlatformFiling, TrainingClass
from schema.types import utcnow


@dataclass(frozen=True)
class RecordedHours:
    online: float = 0.0
    offline: float = 0.0
    first_on: date | None = None
    last_on: date | None = None


def class_period(training_class: TrainingClass) -> tuple[datetime, datetime]:
    """The class's period as instants: its first local day's midnight to the next after its last."""
    first = datetime.combine(training_class.starts_on, time(), CHINA)
    after_last = datetime.combine(training_class.ends_on + timedelta(days=1), time(), CHINA)
    return first, after_last


def counting_platforms(organisation_id: int) -> ColumnElement[bool]:
    """Platforms whose online hours count for the organisation's subsidies: listed in a
    published catalogue now (hub/registry/catalogue.py), or filed and approved for it."""
    approved = select(PlatformFiling.platform_id).where(
        PlatformFiling.organisation_id == organisation_id, PlatformFiling.status == "approved"
    )
    return or_(listed_now(), Platform.id.in_(approved))


async def hours_by_trainee(
    session: AsyncSession, training_class: TrainingClass, *, subsidised: bool
) -> dict[int, RecordedHours]:
    """Per trainee id: online and offline hours in the class (only countable ones if `subsidised`)."""
    seconds = func.sum(LearningSession.duration_seconds)
    conditions: list[ColumnElement[bool]] = [
        LearningSession.class_id == training_class.id,
        # training that has not happened counts nothing (not even on a proof)
        LearningSession.ended_at <= utcnow(),
    ]
    if subsidised:
        if training_class.approved_at is None:
            return {}
        online_counts = LearningSession.platform_id.in_(
            select(Platform.id).where(counting_platforms(training_class.organiser_id))
        )
        first, after_last = class_period(training_class)
        conditions += [
            LearningSession.started_at >= training_class.approved_at,
            LearningSession.started_at >= first,
            LearningSession.ended_at <= after_last,
            LearningSession.id.not_in(disproved_sessions()),
            or_(LearningSession.mode == SessionMode.OFFLINE, online_counts),
        ]
    query = (
        select(
            LearningSession.trainee_id,
            LearningSession.mode,
            seconds,
            func.min(LearningSession.started_at),
            func.max(LearningSession.started_at),
        )
        .where(*conditions)
        .group_by(LearningSession.trainee_id, LearningSession.mode)
    )
    found: dict[int, RecordedHours] = {}
    for trainee_id, mode, total, first, last in (await session.execute(query)).all():
        held = found.get(trainee_id, RecordedHours())
        hours = (total or 0) / 3600
        first_day, last_day = china_day(first), china_day(last)
        found[trainee_id] = RecordedHours(
            online=held.online + (hours if mode == SessionMode.ONLINE else 0.0),
            offline=held.offline + (hours if mode == SessionMode.OFFLINE else 0.0),
            first_on=min(filter(None, (held.first_on, first_day)), default=None),
            last_on=max(filter(None, (held.last_on, last_day)), default=None),
        )
    return found
