"""The one-line picture `hub demo` prints of what it loaded: platforms, people, alerts, claims."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from schema.tables import Alert, LearningSession, Platform, QuarantinedRecord, SubsidyClaim, Trainee


@dataclass
class DemoSummary:
    """Counts of what the demo database holds."""

    platforms: int = 0
    trainees: int = 0
    sessions: int = 0
    quarantined: int = 0
    alerts_by_rule: dict[str, int] = field(default_factory=dict)
    claims_by_status: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """`3 platforms · 445 trainees · …` in one line."""
        alerts = ", ".join(f"{rule} {n}" for rule, n in sorted(self.alerts_by_rule.items()))
        claims = ", ".join(f"{status} {n}" for status, n in sorted(self.claims_by_status.items()))
        return (
            f"{self.platforms} platforms · {self.trainees} trainees · {self.sessions} sessions · "
            f"{self.quarantined} quarantined · open alerts: {alerts or 'none'} · "
            f"claims: {claims or 'none'}"
        )


async def summarise(engine: AsyncEngine) -> DemoSummary:
    """Count platforms, trainees, sessions, quarantine, open alerts by rule, claims by status."""
    summary = DemoSummary()
    async with transaction(engine) as session:

        async def count(model: type) -> int:
            return (await session.execute(select(func.count()).select_from(model))).scalar_one()

        summary.platforms = await count(Platform)
        summary.trainees = await count(Trainee)
        summary.sessions = await count(LearningSession)
        waiting = select(func.count()).where(QuarantinedRecord.resolved_at.is_(None))
        summary.quarantined = (await session.execute(waiting)).scalar_one()
        alerts = select(Alert.rule, func.count()).where(Alert.status == "open").group_by(Alert.rule)
        summary.alerts_by_rule = {rule: n for rule, n in await session.execute(alerts)}
        claims = select(SubsidyClaim.status, func.count()).group_by(SubsidyClaim.status)
        summary.claims_by_status = {status: n for status, n in await session.execute(claims)}
    return summary
