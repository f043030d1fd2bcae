"""Credentials the hub issues itself: connector API keys (stored only as a hash)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    """A platform service account's key; authenticates as role `connector` for its platform.

    Only the SHA-256 of the key is kept (keys are 256-bit random, so no slow hash is needed);
    `prefix` is the key's visible start, enough to recognise it in listings and to revoke it.
    """

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True)
    label: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffAccount(SQLModel, table=True):
    """A bureau staff member's console account: a role, the area or organisation it acts for.

    Only an Argon2 hash of the password is kept. `failed_attempts` and `locked_until` carry the
    lockout after repeated wrong passwords; a disabled account (`active` false) cannot sign in.
    """

    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    region_code: str | None = Field(default=None, max_length=6)
    org_credit_code: str | None = Field(default=None, max_length=18)
    industry: str | None = Field(default=None, max_length=64)
    password_hash: str = Field(max_length=200)
    active: bool = Field(default=True)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
