"""Status changes under the caller's scope, each recorded in the append-only transition table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.policy.errors import NotInScope, PolicyViolation, StepForbidden
from hub.supervision import ledger
from schema.tables import WorkflowTransition
from schema.types import utcnow


def require_role(principal: Principal, *roles: Role) -> None:
    """Raise StepForbidden unless the caller holds one of `roles`."""
    if principal.role not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise StepForbidden(f"role {principal.role.value} may not take this step (needs {allowed})")


async def record(
    session: AsyncSession,
    principal: Principal,
    entity: str,
    entity_id: int,
    from_status: str | None,
    to_status: str,
    reason: str | None = None,
) -> None:
    """Append one transition row: who (subject, role), when, why — and chain it in the ledger."""
    transition = WorkflowTransition(
        entity=entity,
        entity_id=entity_id,
        from_status=from_status,
        to_status=to_status,
        actor_subject=principal.subject,
        actor_role=principal.role.value,
        actor_name=principal.name,
        reason=reason,
        at=utcnow(),
    )
    session.add(transition)
    await session.flush()
    assert transition.id is not None
    await ledger.append_transition(session, transition.id, transition.model_dump())


async def current_status(
    session: AsyncSession, table: Any, row_id: int, scope: ColumnElement[bool], entity: str
) -> str:
    """The target's status, read under the caller's scope; NotInScope when it cannot be seen."""
    status = (
        await session.execute(select(table.status).where(table.id == row_id, scope))
    ).scalar_one_or_none()
    if status is None:
        raise NotInScope(f"{entity} {row_id} not found")
    return status


async def advance(
    session: AsyncSession,
    principal: Principal,
    *,
    table: Any,
    entity: str,
    row_id: int,
    scope: ColumnElement[bool],
    from_statuses: Iterable[str],
    to_status: str,
    reason: str | None = None,
    values: dict[str, Any] | None = None,
) -> str:
    """Move a row from one of `from_statuses` to `to_status` in one scoped UPDATE.

    The UPDATE's WHERE repeats the id, the expected status and the scope predicate, so a row
    outside the caller's scope (or changed concurrently) is never touched. Returns the old status.
    """
    allowed = tuple(from_statuses)
    status = await current_status(session, table, row_id, scope, entity)
    if status not in allowed:
        raise PolicyViolation(
            f"{entity} {row_id} is {status}; this step needs it to be {' or '.join(allowed)}"
        )
    statement = (
        update(table)
        .where(table.id == row_id, table.status == status, scope)
        .values(status=to_status, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(statement)).rowcount != 1:
        raise PolicyViolation(f"{entity} {row_id} was changed meanwhile; try again")
    await record(session, principal, entity, row_id, status, to_status, reason)
    return status


def require_reason(reason: str | None) -> str:
    """Returning or rejecting needs a reason the applicant can act on."""
    if not reason or not reason.strip():
        raise PolicyViolation("a reason is required to return or reject")
    return reason.strip()
