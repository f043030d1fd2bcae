"""Reviewing alerts: a region, city or district bureau confirms or dismisses one in its scope."""

from __future__ import annotations

import strawberry

from hub.api.context import HubContext
from hub.api.errors import BadUserInput, NotFound
from hub.api.policy.steps import to_graphql_error
from hub.api.relay import expect_id
from hub.api.supervision.types import AlertNode
from hub.auth.principal import Role
from hub.policy.errors import PolicyError
from hub.policy.recovery import recompute_after_confirmation
from hub.supervision.alerts import CONFIRMED, DISMISSED, AlertReviewError, review

Info = strawberry.Info[HubContext, None]
REVIEWERS = (Role.REGION, Role.CITY, Role.DISTRICT)


async def _review(info: Info, id: strawberry.ID, status: str, reason: str | None) -> AlertNode:
    context = info.context
    principal = context.require(*REVIEWERS)
    alert_id = expect_id(id, "Alert")
    if status == DISMISSED and not (reason or "").strip():
        raise BadUserInput("dismissing an alert needs a reason")
    async with context.lock:
        try:
            row = await review(
                context.session, alert_id, status, principal.subject, reason, context.scope.alerts()
            )
            if status == CONFIRMED:
                # What the alert proves false stops counting: claims are recomputed and
                # over-payments opened for recovery, in the same transaction as the review.
                await recompute_after_confirmation(context.session, principal, row)
        except AlertReviewError as error:
            await context.session.rollback()
            raise NotFound(str(error)) from error
        except PolicyError as error:
            await context.session.rollback()
            raise to_graphql_error(error) from error
        except BaseException:
            await context.session.rollback()
            raise
        node = AlertNode.from_row(row)
        await context.session.commit()
    return node


@strawberry.type
class SupervisionMutation:
    @strawberry.mutation(description="Confirm an alert in scope as a real problem.")
    async def confirm_alert(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> AlertNode:
        return await _review(info, id, CONFIRMED, reason)

    @strawberry.mutation(description="Dismiss an alert in scope; the reason is required.")
    async def dismiss_alert(self, info: Info, id: strawberry.ID, reason: str) -> AlertNode:
        return await _review(info, id, DISMISSED, reason)
