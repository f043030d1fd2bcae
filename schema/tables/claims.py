"""Subsidy claims (培训补贴申领): per class, amounts computed by the hub from its own data."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import UTCDateTime, utcnow


class SubsidyClaim(SQLModel, table=True):
    __tablename__ = "subsidy_claim"

    id: int | None = Field(default=None, primary_key=True)
    class_id: int = Field(foreign_key="training_class.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(foreign_key="region.code", index=True)
    status: str = Field(default="draft", max_length=32)
    year: int
    eligible_trainees: int = 0
    subsidy_amount: float = 0.0
    pre_disbursed_amount: float = 0.0
    settled_amount: float = 0.0
    platform_fee: float = 0.0
    # Filled by the policy workflow (hub/policy/claims.py): what the amounts were computed from.
    occupation: str | None = Field(default=None, max_length=200)
    skill_level: int | None = None
    standard_amount: float = 0.0
    registered_trainees: int = 0
    qualified_trainees: int = 0
    certified_trainees: int = 0
    excluded_trainees: int = 0
    balance_due: float = 0.0
    # What finance has paid out on the claim: the pre-disbursement, then the settled amount.
    paid_amount: float = 0.0
    # Each recomputation after a confirmed alert: when, which alerts, why, amounts before/after.
    recomputations: list = Field(default_factory=list, sa_type=sa.JSON)
    parameters: dict = Field(default_factory=dict, sa_type=sa.JSON)
    attachments: dict = Field(default_factory=dict, sa_type=sa.JSON)
    commitment_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    commitment_accepted_by: str | None = Field(default=None, max_length=200)
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SubsidyRecovery(SQLModel, table=True):
    """An amount to take back from an organisation (追回 / 退还不当所得, Annex 3's commitment).

    Opened by the hub when an alert confirmed on a pre-disbursed or settled claim lowers what
    the claim is due below what was paid; finance closes it: `open` → `recovered` or
    `written_off`, with who, when and why.
    """

    __tablename__ = "subsidy_recovery"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="subsidy_claim.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(foreign_key="region.code", index=True)
    amount: float
    reason: str = Field(sa_type=sa.Text)
    alert_ids: list = Field(default_factory=list, sa_type=sa.JSON)
    status: str = Field(default="open", max_length=16, index=True)
    opened_by: str = Field(max_length=200)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_by: str | None = Field(default=None, max_length=200)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    close_reason: str | None = Field(default=None, sa_type=sa.Text)
