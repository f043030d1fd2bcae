"""`pushRecords`: a platform's service account (or operator) sends a batch of canonical records."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from hub.api.context import HubContext
from hub.api.errors import BadUserInput, Conflict, HubError, NotFound, ScopeDenied
from hub.api.platforms.types import SyncRunNode
from hub.push.access import writable_platform_id
from hub.push.errors import PushError
from hub.push.receipts import PushOutcome
from hub.push.service import MAX_BATCH, push_batch
from schema.tables import SyncRun

Info = strawberry.Info[HubContext, None]

_ERRORS: dict[str, type[HubError]] = {
    "FORBIDDEN": ScopeDenied,
    "NOT_FOUND": NotFound,
    "CONFLICT": Conflict,
    "BAD_USER_INPUT": BadUserInput,
}


def as_api_error(error: PushError) -> HubError:
    """The typed GraphQL error for a refused push."""
    return _ERRORS.get(error.code, BadUserInput)(str(error))


@strawberry.type
class PushCount:
    record_type: str
    received: int
    inserted: int
    updated: int
    unchanged: int
    quarantined: int


@strawberry.type
class PushResult:
    replayed: bool = strawberry.field(
        description="True when the idempotency key was seen before: nothing was written."
    )
    counts: list[PushCount]
    sync_run_id: strawberry.Private[int | None]

    @strawberry.field(description="The sync run (trigger push) that recorded this push.")
    async def sync_run(self, info: Info) -> SyncRunNode | None:
        if self.sync_run_id is None:
            return None
        row = await info.context.rows_by_id(SyncRun).load(self.sync_run_id)
        return SyncRunNode.from_row(row) if row else None

    @classmethod
    def from_outcome(cls, outcome: PushOutcome) -> PushResult:
        counts = [PushCount(record_type=t, **c) for t, c in sorted(outcome.counts.items())]
        return cls(replayed=outcome.replayed, counts=counts, sync_run_id=outcome.sync_run_id)


@strawberry.type
class PushMutation:
    @strawberry.mutation(
        description=(
            f"Ingest up to {MAX_BATCH} canonical records (format v1) of one platform in one "
            "transaction. Replaying an idempotency key returns the first result and writes nothing."
        )
    )
    async def push_records(
        self, info: Info, platform: str, idempotency_key: str, records: list[JSON]
    ) -> PushResult:
        principal = info.context.require()
        context = info.context
        try:
            async with context.lock:
                platform_id = await writable_platform_id(context.session, principal, platform)
                outcome = await push_batch(
                    context.session, context.vault, platform_id, list(records), idempotency_key
                )
        except PushError as error:
            raise as_api_error(error) from error
        return PushResult.from_outcome(outcome)
