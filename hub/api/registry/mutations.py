"""Mutations of the registers: organisations, platform details, catalogue listings."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from hub.api.enums import CreditStandingEnum, OrganisationKindEnum
from hub.api.platforms.types import OrganisationNode, PlatformNode
from hub.api.policy.steps import Info, reload, run_step
from hub.api.registry.types import CatalogueEntryNode
from hub.registry import catalogue, organisations, platforms
from schema.tables import Organisation, Platform


@strawberry.input
class OrganisationInput:
    """A bureau's entry for the register; omitted fields keep their value."""

    credit_code: str
    name: str | None = None
    kind: OrganisationKindEnum | None = None  # type: ignore[valid-type]
    region: str | None = strawberry.field(default=None, description="Registered district.")
    legal_representative: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    industry_code: str | None = None
    designated_city: str | None = None
    credit_standing: CreditStandingEnum | None = None  # type: ignore[valid-type]
    credit_source: str | None = None
    credit_checked_on: date | None = None

    def values(self) -> dict[str, Any]:
        given = {
            "name": self.name,
            "kind": self.kind,
            "region_code": self.region,
            "legal_representative": self.legal_representative,
            "contact_person": self.contact_person,
            "contact_phone": self.contact_phone,
            "address": self.address,
            "industry_code": self.industry_code,
            "designated_city_code": self.designated_city,
            "credit_standing": self.credit_standing,
            "credit_source": self.credit_source,
            "credit_checked_on": self.credit_checked_on,
        }
        return {key: value for key, value in given.items() if value is not None}


@strawberry.input
class ContactInput:
    contact_person: str | None = None
    contact_phone: str | None = None
    address: str | None = None

    def values(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if value is not None}


@strawberry.input
class PlatformDetailsInput:
    code: str
    name: str | None = None
    url: str | None = None
    platform_type: str | None = strawberry.field(
        default=None, description="catalogue, own_website, own_platform or third_party."
    )
    operator: str | None = strawberry.field(default=None, description="Operator's credit code.")
    region: str | None = None


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(description="A bureau registers an organisation or completes its entry.")
    async def register_organisation(self, info: Info, input: OrganisationInput) -> OrganisationNode:
        row = await run_step(
            info,
            lambda s, p: organisations.register_organisation(
                s, p, input.credit_code, input.values()
            ),
        )
        return OrganisationNode.from_row(await reload(info, Organisation, row.id))

    @strawberry.mutation(description="An organisation updates its own contact details.")
    async def update_organisation_contact(
        self, info: Info, input: ContactInput
    ) -> OrganisationNode:
        row = await run_step(
            info, lambda s, p: organisations.update_own_contact(s, p, input.values())
        )
        return OrganisationNode.from_row(await reload(info, Organisation, row.id))

    @strawberry.mutation(
        description="A bureau sets a platform's name, URL, type, operator, region."
    )
    async def update_platform(self, info: Info, input: PlatformDetailsInput) -> PlatformNode:
        details = platforms.PlatformDetails(
            name=input.name,
            url=input.url,
            platform_type=input.platform_type,
            operator_credit_code=input.operator,
            region_code=input.region,
        )
        row = await run_step(
            info, lambda s, p: platforms.update_platform(s, p, input.code, details)
        )
        return PlatformNode.from_row(await reload(info, Platform, row.id))

    @strawberry.mutation(description="A city (or the region) lists a platform in its catalogue.")
    async def list_platform_in_catalogue(
        self,
        info: Info,
        platform: str,
        reason: str,
        listed_on: date | None = None,
        jurisdiction: str | None = None,
    ) -> list[CatalogueEntryNode]:
        row = await run_step(
            info,
            lambda s, p: catalogue.list_platform(
                s, p, platform, reason, jurisdiction=jurisdiction, listed_on=listed_on
            ),
        )
        return await _entries(info, row.jurisdiction_code)

    @strawberry.mutation(description="A city (or the region) unlists a platform, with the reason.")
    async def unlist_platform_from_catalogue(
        self,
        info: Info,
        platform: str,
        reason: str,
        unlisted_on: date | None = None,
        jurisdiction: str | None = None,
    ) -> list[CatalogueEntryNode]:
        row = await run_step(
            info,
            lambda s, p: catalogue.unlist_platform(
                s, p, platform, reason, jurisdiction=jurisdiction, unlisted_on=unlisted_on
            ),
        )
        return await _entries(info, row.jurisdiction_code)


async def _entries(info: Info, jurisdiction: str) -> list[CatalogueEntryNode]:
    """The jurisdiction's catalogue with its history, after the change."""
    entries = await info.context.run(
        lambda s: catalogue.read_catalogue(s, jurisdiction, include_history=True)
    )
    return [
        CatalogueEntryNode.from_entry(e) for e in entries if e.jurisdiction_code == jurisdiction
    ]
