"""Policy workflows: filings, class openings, parameters, claim lines, proofs, and their history.

`workflow_transition` is append-only: every status change of a filing, class opening or claim
adds one row saying who moved it, in which role, when and why.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import BigId, UTCDateTime, utcnow


class WorkflowTransition(SQLModel, table=True):
    """One status change of a workflow entity (append-only; chained by the audit trail)."""

    __tablename__ = "workflow_transition"
    __table_args__ = (sa.Index("ix_workflow_transition_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    entity: str = Field(max_length=32)  # platform_filing, class_opening, subsidy_claim, ...
    entity_id: int
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    actor_subject: str = Field(max_length=200)
    actor_role: str = Field(max_length=16)
    actor_name: str | None = Field(default=None, max_length=100)  # the token's display name
    reason: str | None = Field(default=None, sa_type=sa.Text)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlatformFiling(SQLModel, table=True):
    """An organisation's filing of a platform (Annex 1): five capability answers, attachments."""

    __tablename__ = "platform_filing"

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(foreign_key="region.code", index=True)  # the reviewing district
    status: str = Field(default="filed", max_length=32)
    platform_type: str = Field(max_length=32)
    legal_representative: str = Field(max_length=100)
    contact_person: str = Field(max_length=100)
    contact_phone: str = Field(max_length=40)
    capabilities: dict = Field(default_factory=dict, sa_type=sa.JSON)
    attachments: list = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ClassOpening(SQLModel, table=True):
    """A class opening application for a reported class: plan, platforms, agreements, roster."""

    __tablename__ = "class_opening"

    id: int | None = Field(default=None, primary_key=True)
    class_id: int = Field(foreign_key="training_class.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(foreign_key="region.code", index=True)
    status: str = Field(default="submitted", max_length=32)
    total_hours: float
    online_hours: float
    teaching_plan: list = Field(default_factory=list, sa_type=sa.JSON)
    platform_ids: list = Field(default_factory=list, sa_type=sa.JSON)
    agreements: list = Field(default_factory=list, sa_type=sa.JSON)
    roster: list = Field(default_factory=list, sa_type=sa.JSON)  # trainee ids at application
    # 开班申请报告 and ID-document copies: metadata and SHA-256 of each file
    materials: list = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PolicyParameter(SQLModel, table=True):
    """One version of one policy parameter for one jurisdiction, in force from `effective_from`."""

    __tablename__ = "policy_parameter"
    __table_args__ = (sa.UniqueConstraint("region_code", "key", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(foreign_key="region.code", index=True)
    key: str = Field(max_length=100)
    value: dict = Field(default_factory=dict, sa_type=sa.JSON)  # {"value": ...}
    effective_from: datetime = Field(sa_type=UTCDateTime)
    # The version stops applying after this moment (None: until a later version replaces it).
    effective_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    set_by: str = Field(max_length=200)
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClaimLine(SQLModel, table=True):
    """A person in a claim, with the hours and outcome the amounts are computed from.

    The unique key makes "one claim per person, occupation, level and year" hold in the store.
    """

    __tablename__ = "claim_line"
    __table_args__ = (sa.UniqueConstraint("person_id", "occupation", "skill_level", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="subsidy_claim.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    trainee_id: int = Field(foreign_key="trainee.id")
    occupation: str = Field(max_length=200)
    skill_level: int
    year: int
    online_hours: float
    counted_online_hours: float
    offline_hours: float
    credited_hours: float
    qualified: bool = False
    certified: bool = False
    settled_amount: float = 0.0


class TrainingProof(SQLModel, table=True):
    """An issued online training proof, found again by its verification code."""

    __tablename__ = "training_proof"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    class_id: int = Field(foreign_key="training_class.id", index=True)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    online_hours: float
    counted_online_hours: float
    offline_hours: float
    first_session_on: date | None = None
    last_session_on: date | None = None
    issuer: str = Field(max_length=200)
    issuing_bureau: str | None = Field(default=None, max_length=200)
    issued_by: str = Field(max_length=200)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
