"""Rules over learning sessions: overlaps, daily and per-class hours, class dates, roster, duration."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, null, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from hub.supervision.policy import Thresholds
from hub.supervision.rulebase import ONLINE, Rule, RuleContext, session_records
from hub.supervision.timeexpr import day_iso, day_number, local_day
from schema.tables import Course, Enrolment, LearningSession, Trainee, TrainingClass

S = LearningSession
K = TrainingClass


def _iso(moment: Any) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # an aggregate SQLite returns without its column type
        moment = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


# OVERLAPPING_SESSIONS -------------------------------------------------------------------------
def _overlap_findings(ctx: RuleContext) -> Select:
    a, b = aliased(S), aliased(S)
    return (
        select(
            a.id.label("first"),
            b.id.label("second"),
            a.person_id.label("person_id"),
            a.class_id.label("class_id"),
            null().label("region_code"),
            a.platform_id.label("first_platform"),
            b.platform_id.label("second_platform"),
            a.started_at.label("first_start"),
            a.ended_at.label("first_end"),
            b.started_at.label("second_start"),
            b.ended_at.label("second_end"),
        )
        .join(
            b,
            and_(
                b.person_id == a.person_id,
                b.id > a.id,
                b.started_at < a.ended_at,
                a.started_at < b.ended_at,
            ),
        )
        .where(a.mode == ONLINE, b.mode == ONLINE, ctx.person(a.person_id))
    )


def _overlap_records(ctx: RuleContext, found: Subquery) -> Select:
    key = ("first", "second")
    return session_records(found, key, or_(S.id == found.c.first, S.id == found.c.second))


def _overlap_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    overlap = min(row["first_end"], row["second_end"]) - max(
        row["first_start"], row["second_start"]
    )
    cross = row["first_platform"] != row["second_platform"]
    return ("high" if cross else "medium"), {
        "overlap_seconds": int(overlap.total_seconds()),
        "cross_platform": cross,
        "sessions": [
            {"started_at": _iso(row["first_start"]), "ended_at": _iso(row["first_end"])},
            {"started_at": _iso(row["second_start"]), "ended_at": _iso(row["second_end"])},
        ],
    }


# DAILY_HOURS_EXCEEDED -------------------------------------------------------------------------
def _daily_findings(ctx: RuleContext) -> Select:
    days = (
        select(
            S.person_id,
            S.class_id,
            S.duration_seconds,
            local_day(S.started_at, ctx.t.utc_offset_hours).label("day"),
            ctx.params.at("daily_max_seconds", K.region_code).label("limit"),
        )
        .join(K, K.id == S.class_id)
        .where(S.mode == ONLINE, ctx.person(S.person_id))
        .subquery()
    )
    return (
        select(
            days.c.person_id,
            days.c.day,
            func.min(days.c.class_id).label("class_id"),
            null().label("region_code"),
            func.sum(days.c.duration_seconds).label("total_seconds"),
            func.count().label("sessions"),
            func.min(days.c.limit).label("limit_seconds"),
        )
        .group_by(days.c.person_id, days.c.day)
        .having(func.sum(days.c.duration_seconds) > func.min(days.c.limit))
    )


def _daily_records(ctx: RuleContext, found: Subquery) -> Select:
    on = and_(
        S.person_id == found.c.person_id,
        local_day(S.started_at, ctx.t.utc_offset_hours) == found.c.day,
        S.mode == ONLINE,
    )
    return session_records(found, ("person_id", "day"), on)


def _daily_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    total, limit = int(row["total_seconds"]), int(row["limit_seconds"])
    return ("high" if total > 1.5 * limit else "medium"), {
        "day": day_iso(row["day"]),
        "total_seconds": total,
        "limit_seconds": limit,
        "sessions": int(row["sessions"]),
    }


# ONLINE_SHARE_EXCEEDED ------------------------------------------------------------------------
def _share_findings(ctx: RuleContext) -> Select:
    totals = (
        select(
            S.person_id,
            S.class_id,
            func.sum(S.duration_seconds).label("online_seconds"),
        )
        .where(S.mode == ONLINE, ctx.person_or_class(S.person_id, S.class_id))
        .group_by(S.person_id, S.class_id)
        .subquery()
    )
    share = ctx.params.at("online_share_max", K.region_code)
    allowed = Course.total_hours * 3600 * share
    return (
        select(
            totals.c.person_id,
            totals.c.class_id,
            null().label("region_code"),
            totals.c.online_seconds,
            Course.total_hours,
            share.label("share_max"),
        )
        .join(K, K.id == totals.c.class_id)
        .join(Course, Course.id == K.course_id)
        .where(totals.c.online_seconds > allowed)
    )


def _share_records(ctx: RuleContext, found: Subquery) -> Select:
    on = and_(S.person_id == found.c.person_id, S.class_id == found.c.class_id, S.mode == ONLINE)
    return session_records(found, ("person_id", "class_id"), on)


def _share_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    online, total_hours = int(row["online_seconds"]), float(row["total_hours"])
    return "medium", {
        "online_seconds": online,
        "course_total_hours": total_hours,
        "share": round(online / (total_hours * 3600), 4) if total_hours else None,
        "share_max": float(row["share_max"]),
        "allowed_seconds": int(total_hours * 3600 * float(row["share_max"])),
    }


# SESSION_OUTSIDE_CLASS ------------------------------------------------------------------------
def _outside_findings(ctx: RuleContext) -> Select:
    day = local_day(S.started_at, ctx.t.utc_offset_hours)
    before = day < day_number(K.starts_on)
    after = day > day_number(K.ends_on)
    unapproved = and_(K.approved_at.is_not(None), S.started_at < K.approved_at)
    return (
        select(
            S.id.label("session_id"),
            S.person_id,
            S.class_id,
            null().label("region_code"),
            S.started_at,
            K.starts_on,
            K.ends_on,
            K.approved_at,
            case((before, 1), else_=0).label("before_start"),
            case((after, 1), else_=0).label("after_end"),
            case((unapproved, 1), else_=0).label("before_approval"),
        )
        .join(K, K.id == S.class_id)
        .where(or_(before, after, unapproved), ctx.person_or_class(S.person_id, S.class_id))
    )


def _outside_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    reasons = [r for r in ("before_start", "after_end", "before_approval") if row[r]]
    return ("high" if "before_approval" in reasons else "medium"), {
        "reasons": reasons,
        "started_at": _iso(row["started_at"]),
        "class_starts_on": row["starts_on"].isoformat(),
        "class_ends_on": row["ends_on"].isoformat(),
        "class_approved_at": _iso(row["approved_at"]),
    }


# NOT_ON_ROSTER --------------------------------------------------------------------------------
def _roster(ctx: RuleContext) -> Any:
    """(class, person) pairs enrolled, through any of the person's trainee records.

    Incrementally only the pairs of the touched classes or persons: every (person, class) group
    checked has its person or its class among them, so no pair outside could match one; and
    the planner hashes these few pairs instead of the whole enrolment table.
    """
    pairs = select(Enrolment.class_id, Trainee.person_id).join(
        Trainee, Trainee.id == Enrolment.trainee_id
    )
    if ctx.persons is None or ctx.pair_classes is None:
        return pairs.subquery("roster")
    return union(
        pairs.where(Enrolment.class_id.in_(ctx.pair_classes)),
        pairs.where(Trainee.person_id.in_(ctx.persons)),
    ).subquery("roster")


def _roster_findings(ctx: RuleContext) -> Select:
    # Grouped first: whether a (person, class) pair is enrolled is the same for all its sessions.
    groups = (
        select(
            S.person_id,
            S.class_id,
            func.count().label("sessions"),
            func.sum(S.duration_seconds).label("seconds"),
        )
        .where(ctx.person_or_class(S.person_id, S.class_id))
        .group_by(S.person_id, S.class_id)
        .subquery("groups")
    )
    roster = _roster(ctx)
    enrolled = exists().where(
        roster.c.class_id == groups.c.class_id, roster.c.person_id == groups.c.person_id
    )
    return select(
        groups.c.person_id,
        groups.c.class_id,
        null().label("region_code"),
        groups.c.sessions,
        groups.c.seconds,
    ).where(~enrolled)


def _roster_records(ctx: RuleContext, found: Subquery) -> Select:
    on = and_(S.person_id == found.c.person_id, S.class_id == found.c.class_id)
    return session_records(found, ("person_id", "class_id"), on)


def _roster_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    return "high", {"sessions": int(row["sessions"]), "seconds": int(row["seconds"])}


# DURATION_MISMATCH ----------------------------------------------------------------------------
def _duration_findings(ctx: RuleContext) -> Select:
    fixed = ctx.params.at("duration_tolerance_seconds", K.region_code)
    relative = S.duration_seconds * ctx.params.at("duration_tolerance_ratio", K.region_code)
    tolerance = case((relative > fixed, relative), else_=fixed)
    difference = S.reported_seconds - S.duration_seconds
    return (
        select(
            S.id.label("session_id"),
            S.person_id,
            S.class_id,
            null().label("region_code"),
            S.reported_seconds,
            S.duration_seconds,
            tolerance.label("tolerance"),
        )
        .join(K, K.id == S.class_id)
        .where(
            S.reported_seconds.is_not(None),
            func.abs(difference) > tolerance,
            ctx.person(S.person_id),
        )
    )


def _duration_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    reported, actual = int(row["reported_seconds"]), int(row["duration_seconds"])
    return ("high" if reported > actual else "low"), {
        "reported_seconds": reported,
        "actual_seconds": actual,
        "difference_seconds": reported - actual,
        "tolerance_seconds": int(row["tolerance"]),
    }


def _session_id_records(ctx: RuleContext, found: Subquery) -> Select:
    return session_records(found, ("session_id",), S.id == found.c.session_id)


SESSION_RULES: tuple[Rule, ...] = (
    Rule(
        "OVERLAPPING_SESSIONS",
        "OVERLAPPING_SESSIONS",
        ("first", "second"),
        _overlap_findings,
        _overlap_records,
        _overlap_judge,
    ),
    Rule(
        "DAILY_HOURS_EXCEEDED",
        "DAILY_HOURS_EXCEEDED",
        ("person_id", "day"),
        _daily_findings,
        _daily_records,
        _daily_judge,
    ),
    Rule(
        "ONLINE_SHARE_EXCEEDED",
        "ONLINE_SHARE_EXCEEDED",
        ("person_id", "class_id"),
        _share_findings,
        _share_records,
        _share_judge,
        scope="person_or_class",
    ),
    Rule(
        "SESSION_OUTSIDE_CLASS",
        "SESSION_OUTSIDE_CLASS",
        ("session_id",),
        _outside_findings,
        _session_id_records,
        _outside_judge,
        scope="person_or_class",
    ),
    Rule(
        "NOT_ON_ROSTER",
        "NOT_ON_ROSTER",
        ("person_id", "class_id"),
        _roster_findings,
        _roster_records,
        _roster_judge,
        scope="person_or_class",
    ),
    Rule(
        "DURATION_MISMATCH",
        "DURATION_MISMATCH",
        ("session_id",),
        _duration_findings,
        _session_id_records,
        _duration_judge,
    ),
)
