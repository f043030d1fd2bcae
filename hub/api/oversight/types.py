"""GraphQL type of an access-log entry."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.api.relay import Node, to_global_id
from schema.tables import AccessLogEntry


@strawberry.type(name="AccessLogEntry")
class AccessLogEntryNode(Node):
    """Who read which records' personal data unmasked, when, and through which query."""

    subject: str
    role: str
    operation: str | None
    entity: str
    record_ids: list[int]
    fields: list[str]
    read_at: datetime

    @classmethod
    def from_row(cls, row: AccessLogEntry) -> AccessLogEntryNode:
        return cls(
            id=to_global_id("AccessLogEntry", row.id),
            subject=row.subject,
            role=row.role,
            operation=row.operation,
            entity=row.entity,
            record_ids=list(row.record_ids),
            fields=list(row.fields),
            read_at=row.read_at,
        )
