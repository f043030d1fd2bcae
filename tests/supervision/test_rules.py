"""Every planted fraud pattern raises its alert with the right records; no near-miss does."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest.files import import_file
from hub.security.pii import PiiVault
from hub.supervision.alerts import DISMISSED, OPEN, RESOLVED, review
from hub.supervision.policy import DEFAULT_POLICY
from hub.supervision.rules import RULE_CODES, RULES, check, run_rules
from schema.tables import Alert
from tests.supervision.planted import (
    EXPECTED,
    FIXTURES,
    add_claims_and_approvals,
    expected_alerts,
    import_round,
    stored_alerts,
)


def _without_severity(alerts: set[tuple[str, str, tuple]]) -> set[tuple[str, tuple]]:
    return {(rule, records) for rule, _, records in alerts}


async def test_every_planted_pattern_and_no_near_miss(engine: AsyncEngine, vault: PiiVault) -> None:
    """Clean base, planted records, then their changes; each import runs its incremental check."""
    for round_ in (0, 1, 2):
        await import_round(engine, vault, round_)
    after_imports = await stored_alerts(engine)
    # Without claims and approvals: no DOUBLE_CLAIM, no session before approval, and the claimed
    # retroactive change is rated as unclaimed.
    needs_workflow = {
        (a["rule"], tuple(tuple(r) for r in a["records"]))
        for a in EXPECTED["alerts"]
        if a["rule"] == "DOUBLE_CLAIM" or "approved" in a["case"]
    }
    assert {(r, recs) for r, _, _, recs in after_imports.values()} == (
        _without_severity(expected_alerts()) - needs_workflow
    )

    await add_claims_and_approvals(engine)
    summary = await check(engine)
    after_full = await stored_alerts(engine)
    found = {(rule, severity, records) for rule, severity, _, records in after_full.values()}
    expected = expected_alerts()
    assert {a["rule"] for a in EXPECTED["alerts"]} == set(RULE_CODES)  # every rule is planted
    assert expected - found == set(), "planted but not found"
    assert found - expected == set(), "found but not planted (a near-miss or the clean base)"
    flagged = {record for _, _, records in found for record in records}
    for near in EXPECTED["near_misses"]:
        assert not flagged & {tuple(r) for r in near["records"]}, near["case"]

    for alert_id, (rule, _, _, records) in after_imports.items():  # ids are stable
        assert after_full[alert_id][0] == rule and after_full[alert_id][3] == records
    assert summary.new == len(after_full) - len(after_imports) == len(needs_workflow)
    again = await check(engine)
    assert (again.new, again.resolved, again.updated) == (0, 0, len(after_full))
    assert await stored_alerts(engine) == after_full


async def test_review_stands_and_corrected_data_resolves(
    engine: AsyncEngine, vault: PiiVault, tmp_path: Path
) -> None:
    await import_round(engine, vault, 1)
    alerts = await stored_alerts(engine)
    overlap = next(
        i for i, a in alerts.items() if a[0] == "OVERLAPPING_SESSIONS" and a[1] == "medium"
    )
    daily = next(i for i, a in alerts.items() if a[0] == "DAILY_HOURS_EXCEEDED")
    async with transaction(engine) as db:
        await review(
            db, daily, DISMISSED, "city-150300", "make-up day agreed in advance", Alert.id > 0
        )

    # The platform corrects the second overlapping session so it starts after the first ends.
    second = alerts[overlap][3][1][2]
    line = next(
        json.loads(text)
        for text in (FIXTURES / "wuhai-skills.1.ndjson").read_text(encoding="utf-8").splitlines()
        if f'"source_id": "{second}"' in text
    )
    line["started_at"] = line["started_at"].replace("09:45:00", "10:00:03")
    fixed = tmp_path / "fix.ndjson"
    fixed.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    await import_file(engine, vault, fixed, "wuhai-skills")  # its incremental check resolves

    after = await stored_alerts(engine)
    assert after[overlap][2] == RESOLVED
    assert after[daily][2] == DISMISSED
    assert any(
        a[0] == "RETROACTIVE_CHANGE" and a[3] == ((("wuhai-skills", "session", second)),)
        for a in after.values()
    )
    await check(engine)
    assert (await stored_alerts(engine))[daily][2] == DISMISSED  # a full re-run keeps the review


async def test_thresholds_are_per_jurisdiction(engine: AsyncEngine, vault: PiiVault) -> None:
    await import_round(engine, vault, 1)
    daily = [r for r in RULES if r.code == "DAILY_HOURS_EXCEEDED"]
    lenient = DEFAULT_POLICY.with_override("150300", daily_max_seconds=9 * 3600)
    async with transaction(engine) as db:
        assert (await run_rules(db, DEFAULT_POLICY, rules=daily)).found["DAILY_HOURS_EXCEEDED"] == 1
        summary = await run_rules(db, lenient, rules=daily)  # Wuhai's districts allow 9 h
        assert summary.found["DAILY_HOURS_EXCEEDED"] == 0 and summary.resolved == 1
        strict = DEFAULT_POLICY.with_override("150302", daily_max_seconds=7 * 3600)
        assert (await run_rules(db, strict, rules=daily)).found["DAILY_HOURS_EXCEEDED"] == 2
        status = (
            (await db.execute(select(Alert.status).where(Alert.rule == "DAILY_HOURS_EXCEEDED")))
            .scalars()
            .all()
        )
        assert sorted(status) == [OPEN, OPEN]


async def test_incremental_checks_agree_with_a_full_check(
    engine: AsyncEngine, vault: PiiVault, tmp_path: Path
) -> None:
    """After imports that change sessions only, then a class only, the alerts the incremental
    checks left are exactly those a full check keeps (none raised, resolved or changed)."""
    for round_ in (0, 1, 2):
        await import_round(engine, vault, round_)
    lines = (FIXTURES / "wuhai-skills.0.ndjson").read_text(encoding="utf-8").splitlines()
    klass = next(json.loads(t) for t in lines if '"type": "class"' in t)
    # The class now starts four days later: sessions of persons no import touched fall outside.
    moved = tmp_path / "class.ndjson"
    moved.write_text(json.dumps({**klass, "starts_on": "2020-03-06"}, ensure_ascii=False) + "\n")
    await import_file(engine, vault, moved, "wuhai-skills")
    incremental = await stored_alerts(engine)
    outside = [a for a in incremental.values() if a[0] == "SESSION_OUTSIDE_CLASS"]
    assert len({records for *_, records in outside}) > 1  # several persons' sessions

    summary = await check(engine)
    assert (summary.new, summary.resolved) == (0, 0)
    assert await stored_alerts(engine) == incremental
