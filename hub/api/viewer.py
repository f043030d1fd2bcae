"""`viewer`: who the API thinks the caller is, for front ends to adapt their menus."""

from __future__ import annotations

import strawberry

from hub.api.context import HubContext
from hub.api.enums import RoleEnum


@strawberry.type
class Viewer:
    subject: str
    role: RoleEnum  # type: ignore[valid-type]
    region_code: str | None
    organisation: str | None
    platform: str | None
    can_read_pii: bool


@strawberry.type
class ViewerQuery:
    @strawberry.field
    def viewer(self, info: strawberry.Info[HubContext, None]) -> Viewer:
        p = info.context.require()
        return Viewer(
            subject=p.subject,
            role=p.role,
            region_code=p.region_code,
            organisation=p.org_credit_code,
            platform=p.platform_code,
            can_read_pii=p.can_read_pii,
        )
