"""Queries over fraud alerts, their counts, and the ledger's verification."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func, or_, select

from hub.api.context import HubContext
from hub.api.filters import in_region, organisation_is, platform_is
from hub.api.relay import Connection, paginate
from hub.api.supervision.types import AlertCount, AlertNode, LedgerStatus
from hub.auth.principal import Role
from hub.supervision.ledger import verify
from schema.tables import Alert, AlertRecord

Info = strawberry.Info[HubContext, None]


@strawberry.input
class AlertFilter:
    rule: str | None = None
    status: str | None = strawberry.field(
        default=None, description="open, confirmed, dismissed or resolved."
    )
    severity: str | None = strawberry.field(default=None, description="low, medium or high.")
    region: str | None = strawberry.field(
        default=None, description="City or district code of the alert or one of its records."
    )
    organisation: str | None = strawberry.field(
        default=None, description="Credit code of the organiser of the class concerned."
    )
    platform: str | None = strawberry.field(
        default=None, description="Code of a platform one of the records comes from."
    )


def alert_conditions(info: Info, filter: AlertFilter | None) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter, as SQL conditions on `alert`."""
    where = [info.context.scope.alerts()]
    if filter is None:
        return where
    if filter.rule:
        where.append(Alert.rule == filter.rule)
    if filter.status:
        where.append(Alert.status == filter.status)
    if filter.severity:
        where.append(Alert.severity == filter.severity)
    if filter.region:
        involved = select(AlertRecord.alert_id).where(
            in_region(AlertRecord.region_code, filter.region)
        )
        where.append(or_(in_region(Alert.region_code, filter.region), Alert.id.in_(involved)))
    if filter.organisation:
        where.append(organisation_is(Alert.organisation_id, filter.organisation))
    if filter.platform:
        on_platform = select(AlertRecord.alert_id).where(
            platform_is(AlertRecord.platform_id, filter.platform)
        )
        where.append(Alert.id.in_(on_platform))
    return where


@strawberry.type
class SupervisionQuery:
    @strawberry.field(description="Fraud alerts in scope, oldest first.")
    async def alerts(
        self,
        info: Info,
        filter: AlertFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AlertNode]:
        where = alert_conditions(info, filter)
        return await paginate(info, Alert, where, AlertNode.from_row, first, after)

    @strawberry.field(description="Alerts in scope counted by rule and status.")
    async def alert_counts(self, info: Info, filter: AlertFilter | None = None) -> list[AlertCount]:
        query = (
            select(Alert.rule, Alert.status, func.count())
            .where(*alert_conditions(info, filter))
            .group_by(Alert.rule, Alert.status)
            .order_by(Alert.rule, Alert.status)
        )
        rows: Any = (await info.context.execute(query)).all()
        return [AlertCount(rule=rule, status=status, count=n) for rule, status, n in rows]

    @strawberry.field(
        description="Recomputes the hash chain over the stored history (region and auditors)."
    )
    async def ledger_status(self, info: Info) -> LedgerStatus:
        info.context.require(Role.REGION, Role.AUDITOR)
        status = await info.context.run(verify)
        return LedgerStatus(
            intact=status.intact,
            entries=status.entries,
            first_broken_seq=status.first_broken_seq,
            reason=status.reason,
        )
