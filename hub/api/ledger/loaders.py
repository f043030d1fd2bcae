"""Per-trainee learning totals for list pages, one grouped statement per page of trainees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import case, func, select

from hub.api.context import HubContext
from schema.enums import SessionMode
from schema.tables import LearningSession


@dataclass(frozen=True)
class SessionSummary:
    online_seconds: int = 0
    last_session_at: datetime | None = None


async def session_summary(
    info: strawberry.Info[HubContext, None], trainee_id: int
) -> SessionSummary:
    """Online time and latest session start of a trainee, over the sessions the caller may see."""
    context = info.context

    async def load(ids: Sequence[int]) -> list[Any]:
        online = case(
            (LearningSession.mode == SessionMode.ONLINE, LearningSession.duration_seconds),
            else_=0,
        )
        query = (
            select(
                LearningSession.trainee_id,
                func.coalesce(func.sum(online), 0),
                func.max(LearningSession.started_at),
            )
            .where(
                LearningSession.trainee_id.in_(ids),
                context.scope.class_linked(LearningSession),
            )
            .group_by(LearningSession.trainee_id)
        )
        found = {
            row[0]: SessionSummary(int(row[1]), row[2])
            for row in (await context.execute(query)).all()
        }
        return [found.get(i, SessionSummary()) for i in ids]

    return await context.loader("session_summary", load).load(trainee_id)
