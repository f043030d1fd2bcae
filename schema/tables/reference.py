"""Reference data: administrative regions, organisations and the platforms they train on."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.enums import FilingStatus, OrganisationKind, PlatformType, RegionLevel
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
    """An enterprise, designated training institution or platform operator."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    credit_code: str = Field(max_length=18, unique=True)
    name: str = Field(max_length=200)
    kind: OrganisationKind = Field(sa_type=enum_column(OrganisationKind))
    region_code: str | None = Field(default=None, foreign_key="region.code", index=True)
    registered: bool = Field(default=False)  # False when only known from a platform's records
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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
