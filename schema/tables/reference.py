"""Reference data: administrative regions, organisations and the platforms they train on."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.enums import CreditStanding, FilingStatus, OrganisationKind, PlatformType, RegionLevel
from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import UTCDateTime, enum_column, utcnow


class Region(SQLModel, table=True):
    """A GB/T 2260 division; cities hold districts, which is what area scopes expand."""

    __tablename__ = "region"

    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=40)
    level: RegionLevel = Field(sa_type=enum_column(RegionLevel))
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True)


class Organisation(SQLModel, table=True):
    """An enterprise, training institution, designated institution, association or operator.

    `region_code` is the registered district (GB/T 2260): its bureau reviews the organisation's
    filings and claims, or the industry authority of `industry_code` (GB/T 4754 section) does.
    """

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    credit_code: str = Field(max_length=18, unique=True)
    name: str = Field(max_length=200)
    kind: OrganisationKind = Field(sa_type=enum_column(OrganisationKind))
    region_code: str | None = Field(default=None, foreign_key="region.code", index=True)
    registered: bool = Field(default=False)  # False when only known from a platform's records
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    legal_representative: str | None = Field(default=None, max_length=100)
    contact_person: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    industry_code: str | None = Field(default=None, max_length=8, index=True)
    # The city whose designated training institution this is (定点培训机构), if any.
    designated_city_code: str | None = Field(default=None, foreign_key="region.code")
    credit_standing: CreditStanding | None = Field(
        default=None, sa_type=enum_column(CreditStanding)
    )
    credit_source: str | None = Field(default=None, max_length=200)
    credit_checked_on: date | None = None
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OrganisationVersion(SQLModel, table=True):
    """One registry change of an organisation: the full record after it, who and when."""

    __tablename__ = "organisation_version"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    snapshot: dict = Field(default_factory=dict, sa_type=sa.JSON)
    changed_fields: list = Field(default_factory=list, sa_type=sa.JSON)
    changed_by: str = Field(max_length=200)
    changed_role: str = Field(max_length=16)
    source: str = Field(max_length=32)  # mutation, import, contact
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Platform(SQLModel, table=True):
    """A training platform the hub pulls from or that pushes to it."""

    __tablename__ = "platform"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)  # connector kind: rest_json, moodle, xapi, push, file ...
    platform_type: PlatformType | None = Field(default=None, sa_type=enum_column(PlatformType))
    url: str | None = Field(default=None, max_length=500)
    region_code: str | None = Field(default=None, foreign_key="region.code", index=True)
    operator_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    catalogue_listed: bool = Field(default=False)
    filing_status: FilingStatus = Field(
        default=FilingStatus.UNFILED, sa_type=enum_column(FilingStatus)
    )
    schedule_minutes: int = Field(default=60)
    config: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CatalogueListing(SQLModel, table=True):
    """A platform's listing in a city's (or the region's) published catalogue (平台目录).

    Unlisting closes the row (`unlisted_on`, reason, who); listing again adds a new row, so the
    table is the catalogue's history.
    """

    __tablename__ = "catalogue_listing"

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    jurisdiction_code: str = Field(foreign_key="region.code", index=True)
    listed_on: date
    reason: str = Field(sa_type=sa.Text)
    listed_by: str = Field(max_length=200)
    unlisted_on: date | None = None
    unlist_reason: str | None = Field(default=None, sa_type=sa.Text)
    unlisted_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
