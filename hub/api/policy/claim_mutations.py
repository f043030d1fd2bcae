"""Mutations taking a subsidy claim through its workflow (see hub/policy/claims.py for who does what)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.api.claims.types import SubsidyClaimNode
from hub.api.policy.mutations import AttachmentInput
from hub.api.policy.steps import Info, reload, run_step
from hub.api.relay import expect_id
from hub.auth.principal import Principal
from hub.policy import claims
from schema.tables import SubsidyClaim

Step = Callable[[AsyncSession, Principal, int, str | None], Awaitable[object]]


async def _claim_step(
    info: Info, step: Step, id: strawberry.ID, reason: str | None
) -> SubsidyClaimNode:
    claim_id = expect_id(id, "SubsidyClaim")
    await run_step(info, lambda s, p: step(s, p, claim_id, reason))
    return SubsidyClaimNode.from_row(await reload(info, SubsidyClaim, claim_id))


@strawberry.type
class ClaimMutation:
    @strawberry.mutation(description="The organiser starts a draft claim for an approved class.")
    async def create_subsidy_claim(
        self, info: Info, training_class: strawberry.ID
    ) -> SubsidyClaimNode:
        class_id = expect_id(training_class, "TrainingClass")
        row = await run_step(info, lambda s, p: claims.create_claim(s, p, class_id))
        return SubsidyClaimNode.from_row(await reload(info, SubsidyClaim, row.id))

    @strawberry.mutation(description="Attach a file's metadata to a checklist item (id_proofs).")
    async def attach_claim_material(
        self, info: Info, id: strawberry.ID, item: str, attachment: AttachmentInput
    ) -> SubsidyClaimNode:
        claim_id = expect_id(id, "SubsidyClaim")
        await run_step(
            info, lambda s, p: claims.attach_material(s, p, claim_id, item, attachment.to_dict())
        )
        return SubsidyClaimNode.from_row(await reload(info, SubsidyClaim, claim_id))

    @strawberry.mutation(description="Accept the Annex 3 authenticity commitment.")
    async def accept_claim_commitment(self, info: Info, id: strawberry.ID) -> SubsidyClaimNode:
        claim_id = expect_id(id, "SubsidyClaim")
        await run_step(info, lambda s, p: claims.accept_commitment(s, p, claim_id))
        return SubsidyClaimNode.from_row(await reload(info, SubsidyClaim, claim_id))

    @strawberry.mutation(description="Submit: checklist complete; amounts computed now.")
    async def submit_subsidy_claim(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> SubsidyClaimNode:
        return await _claim_step(info, claims.submit_claim, id, reason)

    @strawberry.mutation(description="District review.")
    async def review_subsidy_claim(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> SubsidyClaimNode:
        return await _claim_step(info, claims.review_claim, id, reason)

    @strawberry.mutation(description="City approval.")
    async def approve_subsidy_claim(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> SubsidyClaimNode:
        return await _claim_step(info, claims.approve_claim, id, reason)

    @strawberry.mutation(description="Return to the organiser (district or city, at its step).")
    async def return_subsidy_claim(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> SubsidyClaimNode:
        return await _claim_step(info, claims.return_claim, id, reason)

    @strawberry.mutation(description="Reject (district or city, at its step).")
    async def reject_subsidy_claim(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> SubsidyClaimNode:
        return await _claim_step(info, claims.reject_claim, id, reason)

    @strawberry.mutation(description="Finance pays the pre-disbursement.")
    async def pre_disburse_subsidy_claim(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> SubsidyClaimNode:
        return await _claim_step(info, claims.pre_disburse_claim, id, reason)

    @strawberry.mutation(description="Finance settles by certificates obtained.")
    async def settle_subsidy_claim(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> SubsidyClaimNode:
        return await _claim_step(info, claims.settle_claim, id, reason)
