"""BULK_FABRICATION: many persons with identical session times, or identical durations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, null, select
from sqlalchemy.sql import Subquery

from hub.supervision.policy import Thresholds
from hub.supervision.rulebase import ONLINE, Rule, RuleContext, session_records
from hub.supervision.timeexpr import day_iso, epoch, local_day
from schema.tables import LearningSession, TrainingClass

S = LearningSession
K = TrainingClass


def _times_findings(ctx: RuleContext) -> Select:
    start, end = epoch(S.started_at), epoch(S.ended_at)
    rows = select(
        S.platform_id,
        S.person_id,
        S.class_id,
        start.label("start"),
        end.label("end"),
        ctx.params.at("bulk_identical_times", K.region_code).label("limit"),
    ).join(K, K.id == S.class_id)
    rows = rows.where(S.mode == ONLINE)
    if ctx.sessions is not None:  # only the groups a touched session belongs to
        touched = (
            select(S.platform_id, S.started_at, S.ended_at)
            .where(S.id.in_(ctx.sessions))
            .distinct()
            .subquery()
        )
        rows = rows.join(
            touched,
            and_(
                touched.c.platform_id == S.platform_id,
                touched.c.started_at == S.started_at,
                touched.c.ended_at == S.ended_at,
            ),
        )
    grouped = rows.subquery()
    persons = func.count(func.distinct(grouped.c.person_id))
    return (
        select(
            grouped.c.platform_id,
            grouped.c.start,
            grouped.c.end,
            null().label("person_id"),
            func.min(grouped.c.class_id).label("class_id"),
            null().label("region_code"),
            persons.label("persons"),
            func.count().label("sessions"),
            func.min(grouped.c.limit).label("limit"),
        )
        .group_by(grouped.c.platform_id, grouped.c.start, grouped.c.end)
        .having(persons >= func.min(grouped.c.limit))
    )


def _times_records(ctx: RuleContext, found: Subquery) -> Select:
    on = and_(
        S.platform_id == found.c.platform_id,
        epoch(S.started_at) == found.c.start,
        epoch(S.ended_at) == found.c.end,
        S.mode == ONLINE,
    )
    return session_records(found, ("platform_id", "start", "end"), on)


def _times_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    return "high", {
        "pattern": "identical_times",
        "started_at": datetime.fromtimestamp(int(row["start"]), UTC).isoformat(),
        "ended_at": datetime.fromtimestamp(int(row["end"]), UTC).isoformat(),
        "persons": int(row["persons"]),
        "sessions": int(row["sessions"]),
        "limit_persons": int(row["limit"]),
    }


def _durations_findings(ctx: RuleContext) -> Select:
    rows = (
        select(
            S.class_id,
            S.person_id,
            S.duration_seconds,
            local_day(S.started_at, ctx.t.utc_offset_hours).label("day"),
            ctx.params.at("bulk_identical_durations", K.region_code).label("limit"),
        )
        .join(K, K.id == S.class_id)
        .where(S.mode == ONLINE)
    )
    if ctx.classes is not None:
        rows = rows.where(S.class_id.in_(ctx.classes))
    grouped = rows.subquery()
    persons = func.count(func.distinct(grouped.c.person_id))
    return (
        select(
            grouped.c.class_id,
            grouped.c.day,
            grouped.c.duration_seconds,
            null().label("person_id"),
            null().label("region_code"),
            persons.label("persons"),
            func.min(grouped.c.limit).label("limit"),
        )
        .group_by(grouped.c.class_id, grouped.c.day, grouped.c.duration_seconds)
        .having(persons >= func.min(grouped.c.limit))
    )


def _durations_records(ctx: RuleContext, found: Subquery) -> Select:
    on = and_(
        S.class_id == found.c.class_id,
        local_day(S.started_at, ctx.t.utc_offset_hours) == found.c.day,
        S.duration_seconds == found.c.duration_seconds,
        S.mode == ONLINE,
    )
    return session_records(found, ("class_id", "day", "duration_seconds"), on)


def _durations_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    return "high", {
        "pattern": "identical_durations",
        "day": day_iso(row["day"]),
        "duration_seconds": int(row["duration_seconds"]),
        "persons": int(row["persons"]),
        "limit_persons": int(row["limit"]),
    }


BULK_RULES: tuple[Rule, ...] = (
    Rule(
        "BULK_FABRICATION",
        "BULK_FABRICATION/times",
        ("platform_id", "start", "end"),
        _times_findings,
        _times_records,
        _times_judge,
        scope=None,
    ),
    Rule(
        "BULK_FABRICATION",
        "BULK_FABRICATION/durations",
        ("class_id", "day", "duration_seconds"),
        _durations_findings,
        _durations_records,
        _durations_judge,
        scope="class",
    ),
)
