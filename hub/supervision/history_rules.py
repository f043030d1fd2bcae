"""RETROACTIVE_CHANGE: times, hours or identity fields changed after they were first reported.

Found in the record history (record_version.changed_fields); rated higher when a subsidy claim
already covers the class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from hub.supervision.policy import Thresholds
from hub.supervision.rulebase import Rule, RuleContext
from schema.tables import (
    Course,
    Enrolment,
    LearningSession,
    RecordVersion,
    SubsidyClaim,
    Trainee,
    TrainingClass,
)

S, T, K, E, RV, SC = LearningSession, Trainee, TrainingClass, Enrolment, RecordVersion, SubsidyClaim


def _claimed(ctx: RuleContext, *where: Any, via: Any = None) -> Any:
    """Some active claim covers the class(es) `where` names (joined through `via` if given)."""
    query = select(SC.id)
    if via is not None:
        query = query.join(via[0], via[1])
    active = SC.status.not_in(ctx.t.inactive_claim_statuses)
    return exists(query.where(active, *where))


def _watched(ctx: RuleContext) -> Any:
    text = cast(RV.changed_fields, String)
    return or_(
        *(
            and_(RV.record_type == kind, or_(*(text.like(f'%"{f}"%') for f in fields)))
            for kind, fields in ctx.t.retroactive_fields
        )
    )


def _changed(ctx: RuleContext) -> Subquery:
    """Per record: how many watched changes and the last version (only touched records when
    incremental)."""
    changes = select(
        RV.platform_id,
        RV.record_type,
        RV.source_id,
        func.count().label("changes"),
        func.max(RV.version).label("last_version"),
    ).where(RV.version > 1, _watched(ctx))
    if ctx.versions is not None:
        touched = (
            select(RV.platform_id, RV.record_type, RV.source_id)
            .where(RV.id.in_(ctx.versions))
            .distinct()
            .subquery()
        )
        changes = changes.join(
            touched,
            and_(
                touched.c.platform_id == RV.platform_id,
                touched.c.record_type == RV.record_type,
                touched.c.source_id == RV.source_id,
            ),
        )
    return changes.group_by(RV.platform_id, RV.record_type, RV.source_id).subquery()


def _retro_findings(ctx: RuleContext) -> Select:
    """Changed records joined to their rows, with person, class and claim coverage per type."""
    g = _changed(ctx)
    k2 = aliased(K)
    first_class = select(func.min(E.class_id)).where(E.trainee_id == T.id).scalar_subquery()
    course_class = select(func.min(K.id)).where(K.course_id == Course.id).scalar_subquery()

    def of(table: Any, kind: str, person: Any, klass: Any, region: Any, covered: Any) -> Select:
        return (
            select(
                g.c.platform_id,
                g.c.record_type,
                g.c.source_id,
                g.c.changes,
                g.c.last_version,
                table.id.label("row_id"),
                cast(person, Integer).label("person_id"),
                cast(klass, Integer).label("class_id"),
                cast(region, String).label("region_code"),
                case((covered, 1), else_=0).label("claimed"),
            )
            .join(
                table,
                and_(table.platform_id == g.c.platform_id, table.source_id == g.c.source_id),
            )
            .where(g.c.record_type == kind)
        )

    return union_all(  # type: ignore[return-value]
        of(S, "session", S.person_id, S.class_id, null(), _claimed(ctx, SC.class_id == S.class_id)),
        of(
            T,
            "trainee",
            T.person_id,
            first_class,
            T.region_code,
            _claimed(ctx, E.trainee_id == T.id, via=(E, E.class_id == SC.class_id)),
        ),
        of(
            Course,
            "course",
            null(),
            course_class,
            null(),
            _claimed(ctx, K.course_id == Course.id, via=(K, K.id == SC.class_id)),
        ),
        of(k2, "class", null(), k2.id, null(), _claimed(ctx, SC.class_id == k2.id)),
    )


def _retro_records(ctx: RuleContext, found: Subquery) -> Select:
    key = ("platform_id", "record_type", "source_id")
    return select(
        *(found.c[k] for k in key),
        found.c.platform_id.label("platform_id_"),
        found.c.record_type.label("record_type_"),
        found.c.source_id.label("source_id_"),
        found.c.row_id,
    )


def _retro_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    claimed = bool(row["claimed"])
    return ("high" if claimed else "medium"), {
        "changes": int(row["changes"]),
        "last_version": int(row["last_version"]),
        "covered_by_claim": claimed,
    }


async def _retro_enrich(
    session: AsyncSession, found: list[tuple[Mapping[str, Any], dict[str, Any]]]
) -> None:
    """Each change (version, fields, when) and each changed field's first and latest value."""
    wanted = {(r["platform_id"], r["record_type"], r["source_id"]): e for r, e in found}
    source_ids = sorted({key[2] for key in wanted})
    versions: dict[tuple[int, str, str], list[Any]] = {key: [] for key in wanted}
    for start in range(0, len(source_ids), 1000):
        rows = await session.execute(
            select(
                RV.platform_id,
                RV.record_type,
                RV.source_id,
                RV.version,
                RV.changed_fields,
                RV.recorded_at,
                RV.payload,
            )
            .where(RV.source_id.in_(source_ids[start : start + 1000]))
            .order_by(RV.version)
        )
        for platform_id, kind, source_id, *rest in rows.all():
            if (platform_id, kind, source_id) in versions:
                versions[(platform_id, kind, source_id)].append(rest)
    for key, evidence in wanted.items():
        history = versions[key]
        if not history:
            continue
        first, last = history[0][3], history[-1][3]
        changes = [v for v in history if v[1]]
        evidence["history"] = [
            {"version": v[0], "fields": v[1], "recorded_at": v[2].isoformat()} for v in changes
        ]
        fields = sorted({f for v in changes for f in v[1]})
        evidence["values"] = {f: [first.get(f), last.get(f)] for f in fields}


HISTORY_RULES: tuple[Rule, ...] = (
    Rule(
        "RETROACTIVE_CHANGE",
        "RETROACTIVE_CHANGE",
        ("platform_id", "record_type", "source_id"),
        _retro_findings,
        _retro_records,
        _retro_judge,
        scope=None,
        enrich=_retro_enrich,
    ),
)
