"""Running one workflow step inside a GraphQL mutation: one transaction, domain errors mapped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.api.context import HubContext
from hub.api.errors import BadUserInput, HubError, NotFound, ScopeDenied
from hub.auth.principal import Principal
from hub.policy.errors import NotInScope, PolicyError, StepForbidden

T = TypeVar("T")
Info = strawberry.Info[HubContext, None]


def to_graphql_error(error: PolicyError) -> HubError:
    """NOT_FOUND for targets outside the scope, FORBIDDEN for the role, else BAD_USER_INPUT."""
    if isinstance(error, NotInScope):
        return NotFound(str(error))
    if isinstance(error, StepForbidden):
        return ScopeDenied(str(error))
    return BadUserInput(str(error))


async def run_step(info: Info, step: Callable[[AsyncSession, Principal], Awaitable[T]]) -> T:
    """Run `step` for the authenticated caller and commit; roll back on any error."""
    context = info.context
    principal = context.require()
    async with context.lock:
        session = context.session
        try:
            result = await step(session, principal)
            await session.commit()
        except PolicyError as error:
            await session.rollback()
            raise to_graphql_error(error) from error
        except BaseException:
            await session.rollback()
            raise
    return result


async def reload(info: Info, table: Any, row_id: int) -> Any:
    """The row as stored now, read again under the caller's scope."""
    query = (
        select(table)
        .where(table.id == row_id, info.context.scope.for_table(table))
        .execution_options(populate_existing=True)
    )
    row = (await info.context.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{table.__tablename__} {row_id} not found")
    return row
