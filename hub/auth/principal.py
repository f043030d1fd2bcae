"""The authenticated caller: one role and the area, organisation or platform it acts for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from schema.enums import RegionLevel
from schema.regions import REGIONS

_LEVELS = {code: level for code, _, level, _ in REGIONS}


class Role(StrEnum):
    REGION = "region"  # 自治区人社厅: the whole region
    CITY = "city"  # 盟市人社局: its city and the districts under it
    DISTRICT = "district"  # 区/旗县人社局: its district
    FINANCE = "finance"  # 财政局: claims and payments in its area
    ORG = "org"  # 企业、培训机构: its own organisation
    CONNECTOR = "connector"  # a platform's service account: its own platform
    AUDITOR = "auditor"  # read-only, unmasked, every such read logged
    # 行业主管部门: reviews, in its region, what a district would for organisations of its industry
    INDUSTRY = "industry"


AREA_ROLES = frozenset({Role.CITY, Role.DISTRICT, Role.FINANCE, Role.INDUSTRY})


class InvalidPrincipal(ValueError):
    """Token claims that do not describe a usable caller."""


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    region_code: str | None = None
    org_credit_code: str | None = None
    platform_code: str | None = None
    pii: bool = False
    industry_code: str | None = None  # GB/T 4754 section (e.g. "C") for the industry role
    name: str | None = None  # display name of the person behind the token (the `name` claim)

    def __post_init__(self) -> None:
        for claim, value in (
            ("region", self.region_code),
            ("org", self.org_credit_code),
            ("platform", self.platform_code),
        ):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise InvalidPrincipal(f"claim {claim} must be a non-empty string")
        self._check_area()
        if self.role in AREA_ROLES and not self.region_code:
            raise InvalidPrincipal(f"role {self.role} needs a region")
        if self.role is Role.ORG and not self.org_credit_code:
            raise InvalidPrincipal("role org needs an organisation credit code")
        if self.role is Role.INDUSTRY and not self.industry_code:
            raise InvalidPrincipal("role industry needs an industry code")
        if self.role is Role.CONNECTOR and not self.platform_code:
            raise InvalidPrincipal("role connector needs a platform code")

    def _check_area(self) -> None:
        """The area claim must be of the level the role works at: a city bureau's area is a
        city, a district bureau's a district; the region role acts for the whole region."""
        code = self.region_code
        if code is None:
            return
        level = _LEVELS.get(code)
        if level is None:
            raise InvalidPrincipal(f"unknown region code {code!r}")
        wanted = {
            Role.CITY: RegionLevel.CITY,
            Role.DISTRICT: RegionLevel.DISTRICT,
            Role.REGION: RegionLevel.REGION,
        }.get(self.role)
        if wanted is not None and level is not wanted:
            raise InvalidPrincipal(
                f"role {self.role.value} needs a {wanted.value} code, {code} is a {level.value}"
            )
        if self.role in (Role.ORG, Role.CONNECTOR):
            raise InvalidPrincipal(f"role {self.role.value} takes no region claim")

    @property
    def can_read_pii(self) -> bool:
        """Auditors read personal data unmasked; the region role may be granted it."""
        return self.role is Role.AUDITOR or (self.pii and self.role is Role.REGION)
