"""The log of unmasked personal-data reads: written at the end of every request that made one."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import insert
from strawberry.extensions import SchemaExtension

from hub.api.context import HubContext
from schema.tables import AccessLogEntry
from schema.types import utcnow


class RecordOperationName(SchemaExtension):
    """Keeps the operation's name on the context so the access log can say which query read."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, HubContext):
            name = self.execution_context.operation_name
            query = (self.execution_context.query or "").strip()
            context.operation = name or " ".join(query.split())[:200] or None
        yield


async def write_access_log(context: HubContext) -> None:
    """Persist who read which unmasked fields of which records, in one statement."""
    if not context.unmasked or context.principal is None:
        return
    now = utcnow()
    rows = [
        {
            "subject": context.principal.subject,
            "role": context.principal.role.value,
            "operation": context.operation,
            "entity": entity,
            "record_ids": sorted(ids),
            "fields": [field_name],
            "read_at": now,
            "region_code": context.principal.region_code,
        }
        for (entity, field_name), ids in sorted(context.unmasked.items())
    ]
    await context.session.execute(insert(AccessLogEntry), rows)
    await context.session.commit()
