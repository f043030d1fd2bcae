"""The fraud rules (监管规则) and running them: over everything, or over what one sync touched.

Each rule is two set-based queries (see rulebase.Rule); there are no per-session loops in Python.
After a sync run only the persons and classes its record versions touched are re-checked.

| code | what it finds |
|---|---|
| OVERLAPPING_SESSIONS | one person in two online sessions at once, on one or several platforms |
| DAILY_HOURS_EXCEEDED | a person's online seconds in one local day above the maximum |
| ONLINE_SHARE_EXCEEDED | a person's online seconds in a class above the share of the course's hours |
| SESSION_OUTSIDE_CLASS | a session before the class starts, after it ends, or before its approval |
| NOT_ON_ROSTER | sessions of a person not enrolled in that class |
| IDENTITY_MISMATCH | one ID number under several names; a category unfit for the age or sex |
| RETROACTIVE_CHANGE | hours, times or identity fields changed after first report |
| DOUBLE_CLAIM | one person in two organisations' claims, same occupation, level and year |
| CERTIFICATE_BEFORE_TRAINING | a certificate issued before the person's training was done |
| DURATION_MISMATCH | reported study time off the session's own length by more than a tolerance |
| BULK_FABRICATION | many persons with identical start/end times, or identical durations |
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, literal, select, text, union
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.db import transaction
from hub.supervision.alerts import Finding, store
from hub.supervision.bulk_rules import BULK_RULES
from hub.supervision.history_rules import HISTORY_RULES
from hub.supervision.policy import DEFAULT_POLICY, Parameters, Policy
from hub.supervision.record_rules import RECORD_RULES
from hub.supervision.rulebase import Rule, RuleContext
from hub.supervision.session_rules import SESSION_RULES
from schema.tables import (
    Alert,
    Certificate,
    Course,
    Enrolment,
    LearningSession,
    RecordVersion,
    Region,
    Trainee,
    TrainingClass,
)

RULES: tuple[Rule, ...] = SESSION_RULES + BULK_RULES + RECORD_RULES + HISTORY_RULES
RULE_CODES: tuple[str, ...] = tuple(dict.fromkeys(r.code for r in RULES))
INCREMENTAL_LIMIT = 5000  # touched ids of one kind beyond which a full check is cheaper
SERIALISE_CHECKS = 0x5EC0_0006  # PostgreSQL advisory lock key: one check writes at a time


@dataclass
class CheckSummary:
    """Per rule code: findings now, and alerts created, updated and resolved."""

    incremental: bool
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    new: int = 0
    updated: int = 0
    resolved: int = 0


def _touched(table: type, record_type: str, run_ids: Sequence[int]) -> object:
    """Join condition: rows of `table` that have a record version written by one of the runs."""
    return and_(
        RecordVersion.platform_id == table.platform_id,  # type: ignore[attr-defined]
        RecordVersion.source_id == table.source_id,  # type: ignore[attr-defined]
        RecordVersion.record_type == record_type,
        RecordVersion.sync_run_id.in_(run_ids),
    )


async def touched_context(
    session: AsyncSession, params: Parameters, run_ids: Sequence[int]
) -> RuleContext:
    """The restriction to what the sync runs `run_ids` inserted or changed.

    The touched ids are read once; when a run touched more than INCREMENTAL_LIMIT of any kind
    (a first load, a bulk import) checking everything is cheaper, and a full context is returned.
    """
    runs = list(run_ids)
    s, t, e, k, z = LearningSession, Trainee, Enrolment, TrainingClass, Certificate
    queries = {
        "sessions": select(s.id).join(RecordVersion, _touched(s, "session", runs)),
        "persons": union(
            select(s.person_id).join(RecordVersion, _touched(s, "session", runs)),
            select(t.person_id).join(RecordVersion, _touched(t, "trainee", runs)),
            select(t.person_id)
            .join(e, e.trainee_id == t.id)
            .join(RecordVersion, _touched(e, "enrolment", runs)),
            select(z.person_id).join(RecordVersion, _touched(z, "certificate", runs)),
        ),
        # Classes whose own record, course or enrolments changed (1), or that only hold a
        # touched session or certificate (0): see RuleContext.changed_classes.
        "classes": union(
            select(s.class_id, literal(0)).join(RecordVersion, _touched(s, "session", runs)),
            select(e.class_id, literal(1)).join(RecordVersion, _touched(e, "enrolment", runs)),
            select(k.id, literal(1)).join(RecordVersion, _touched(k, "class", runs)),
            select(k.id, literal(1))
            .join(Course, Course.id == k.course_id)
            .join(RecordVersion, _touched(Course, "course", runs)),
            select(z.class_id, literal(0)).join(RecordVersion, _touched(z, "certificate", runs)),
        ),
        "versions": select(RecordVersion.id).where(RecordVersion.sync_run_id.in_(runs)),
    }
    ids: dict[str, list[int]] = {}
    for name, query in queries.items():
        found = (await session.execute(query.limit(INCREMENTAL_LIMIT + 1))).all()
        if len(found) > INCREMENTAL_LIMIT:
            return RuleContext(params)
        if name == "classes":
            ids["changed_classes"] = sorted({i for i, own in found if own and i is not None})
        ids[name] = sorted({row[0] for row in found if row[0] is not None})
    return RuleContext(params, **ids)


async def persons_context(
    session: AsyncSession,
    params: Parameters,
    person_ids: Sequence[int],
    class_ids: Sequence[int] = (),
) -> RuleContext:
    """The restriction to some persons: their sessions and the classes they are in, plus
    `class_ids` (classes they have just left, whose alerts must be judged again too)."""
    s, t, e = LearningSession, Trainee, Enrolment
    sessions = (await session.execute(select(s.id).where(s.person_id.in_(person_ids)))).scalars()
    classes = union(
        select(s.class_id).where(s.person_id.in_(person_ids)),
        select(e.class_id).join(t, t.id == e.trainee_id).where(t.person_id.in_(person_ids)),
    )
    found = {c for c in (await session.execute(classes)).scalars() if c is not None}
    return RuleContext(
        params,
        persons=list(person_ids),
        classes=sorted(found | set(class_ids)),
        sessions=list(sessions),
        versions=[],
    )


async def _serialise(session: AsyncSession) -> None:
    """Let one check at a time write alerts (concurrent syncs each run one)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SELECT pg_advisory_xact_lock({SERIALISE_CHECKS})"))
    else:  # any write statement takes SQLite's write lock for the rest of the transaction
        await session.execute(text("DELETE FROM alert WHERE 0 = 1"))


async def run_rules(
    session: AsyncSession,
    policy: Policy = DEFAULT_POLICY,
    run_ids: Sequence[int] | None = None,
    rules: Sequence[Rule] = RULES,
    person_ids: Sequence[int] | None = None,
    class_ids: Sequence[int] = (),
) -> CheckSummary:
    """Evaluate `rules` (all by default) and store their alerts in the caller's transaction.

    With `run_ids`, only what those sync runs touched is evaluated (an incremental check); with
    `person_ids`, only those persons and their classes (and `class_ids`).
    """
    await _serialise(session)
    parents = dict((await session.execute(select(Region.code, Region.parent_code))).all())
    params = Parameters(policy, parents)
    if person_ids is not None:
        ctx = await persons_context(session, params, person_ids, class_ids)
    elif run_ids is None:
        ctx = RuleContext(params)
    else:
        ctx = await touched_context(session, params, run_ids)
    summary = CheckSummary(incremental=ctx.incremental)
    if ctx.incremental and not (ctx.persons or ctx.classes or ctx.sessions or ctx.versions):
        return summary  # the runs changed nothing
    if ctx.incremental and session.get_bind().dialect.name == "postgresql":
        # Restricted to a batch's rows, each statement runs in milliseconds; compiling it (the
        # planner's costs still count the whole tables) took 100-200 ms a statement.
        await session.execute(text("SET LOCAL jit = off"))
    for rule in rules:
        findings = await _evaluate(session, rule, ctx)
        resolvable = ctx.within(rule.scope, Alert.person_id, Alert.class_id)
        stored = await store(session, rule.code, rule.key_prefix, findings, resolvable)
        summary.found[rule.code] += len(findings)
        summary.new += stored.new
        summary.updated += stored.updated
        summary.resolved += stored.resolved
    return summary


async def _evaluate(session: AsyncSession, rule: Rule, ctx: RuleContext) -> list[Finding]:
    """One rule's findings with the records behind each: two statements, however many rows."""
    rows = (await session.execute(rule.findings(ctx))).mappings().all()
    if not rows:
        return []
    records: dict[str, list[tuple[int, str, str, int]]] = defaultdict(list)
    width = len(rule.key)
    for link in (await session.execute(rule.records(ctx, rule.findings(ctx).subquery()))).all():
        key = ":".join([rule.name, *(str(v) for v in link[:width])])
        platform_id, record_type, source_id, row_id = link[width : width + 4]
        records[key].append((int(platform_id), str(record_type), str(source_id), int(row_id)))
    judged = [(row, *rule.judge(row, ctx.t)) for row in rows]
    if rule.enrich is not None:
        await rule.enrich(session, [(row, evidence) for row, _, evidence in judged])
    findings = []
    for row, severity, evidence in judged:
        key = rule.dedup_key(row)
        findings.append(
            Finding(
                key,
                severity,
                evidence,
                row["person_id"],
                row["class_id"],
                row["region_code"],
                records[key],
            )
        )
    return findings


async def check(
    engine: AsyncEngine, policy: Policy = DEFAULT_POLICY, run_ids: Sequence[int] | None = None
) -> CheckSummary:
    """Run every rule in a transaction of its own: `hub check`, and after each sync or import."""
    async with transaction(engine) as session:
        return await run_rules(session, policy, run_ids)
