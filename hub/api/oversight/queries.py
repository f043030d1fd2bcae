"""The access log, for auditors and the regional department."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.api.context import HubContext
from hub.api.filters import within
from hub.api.oversight.types import AccessLogEntryNode
from hub.api.relay import Connection, SortOrder, paginate
from hub.auth.principal import Role
from schema.tables import AccessLogEntry

Info = strawberry.Info[HubContext, None]


@strawberry.input
class AccessLogFilter:
    subject: str | None = None
    role: str | None = None
    entity: str | None = strawberry.field(
        default=None,
        description="trainee, person, quarantine, alert, alert_record, or any type keyed by a sourceId",
    )
    read_from: datetime | None = None
    read_before: datetime | None = None


@strawberry.type
class OversightQuery:
    @strawberry.field(description="Unmasked reads of personal data (auditor and region only).")
    async def access_log(
        self,
        info: Info,
        filter: AccessLogFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
    ) -> Connection[AccessLogEntryNode]:
        context = info.context
        context.require(Role.AUDITOR, Role.REGION)
        where = [context.scope.access_log()]
        if filter:
            if filter.subject:
                where.append(AccessLogEntry.subject == filter.subject)
            if filter.role:
                where.append(AccessLogEntry.role == filter.role)
            if filter.entity:
                where.append(AccessLogEntry.entity == filter.entity)
            where += within(AccessLogEntry.read_at, filter.read_from, filter.read_before)
        return await paginate(
            info, AccessLogEntry, where, AccessLogEntryNode.from_row, first, after, order
        )
