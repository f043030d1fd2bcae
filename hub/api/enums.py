"""Domain enums exposed in GraphQL under their own names."""

import strawberry

from hub.auth.principal import Role
from schema.enums import (
    CertificateKind,
    CourseStandard,
    CreditStanding,
    FilingStatus,
    IdentityCategory,
    OrganisationKind,
    PlatformType,
    RegionLevel,
    SessionMode,
    SyncStatus,
)

IdentityCategoryEnum = strawberry.enum(IdentityCategory, name="IdentityCategory")
CertificateKindEnum = strawberry.enum(CertificateKind, name="CertificateKind")
CourseStandardEnum = strawberry.enum(CourseStandard, name="CourseStandard")
FilingStatusEnum = strawberry.enum(FilingStatus, name="FilingStatus")
CreditStandingEnum = strawberry.enum(CreditStanding, name="CreditStanding")
OrganisationKindEnum = strawberry.enum(OrganisationKind, name="OrganisationKind")
PlatformTypeEnum = strawberry.enum(PlatformType, name="PlatformType")
RegionLevelEnum = strawberry.enum(RegionLevel, name="RegionLevel")
SessionModeEnum = strawberry.enum(SessionMode, name="SessionMode")
SyncStatusEnum = strawberry.enum(SyncStatus, name="SyncStatus")
RoleEnum = strawberry.enum(Role, name="Role")
