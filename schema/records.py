"""Canonical records, format v1: what every connector produces and every push or import sends.

Each record carries `type` and `source_id` (the platform's own id, unique per platform and type).
Validation here is about one record on its own; references between records are checked on ingest.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from schema.enums import CertificateKind, CourseStandard, IdentityCategory, SessionMode
from schema.ids import parse_resident_id, validate_credit_code

FORMAT_VERSION = 1
MAX_ONLINE_SHARE = 0.4  # notice 16: online hours may not exceed 40% of total course hours


def _resident_id(value: str) -> str:
    return parse_resident_id(value).number


def _region_code(value: str) -> str:
    if len(value) != 6 or not value.isdigit():
        raise ValueError("region code must be a 6-digit GB/T 2260 code")
    return value


ResidentIdNumber = Annotated[str, AfterValidator(_resident_id)]
CreditCode = Annotated[str, AfterValidator(validate_credit_code)]
RegionCode = Annotated[str, AfterValidator(_region_code)]
SourceId = Annotated[str, Field(min_length=1, max_length=128)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    source_id: SourceId


class TraineeRecord(_Record):
    type: Literal["trainee"] = "trainee"
    name: Text
    id_number: ResidentIdNumber
    identity_category: IdentityCategory
    region_code: RegionCode
    phone: Annotated[str, Field(pattern=r"^1\d{10}$")] | None = None
    employer_credit_code: CreditCode | None = None


class CourseRecord(_Record):
    type: Literal["course"] = "course"
    title: Text
    occupation_name: Text
    skill_level: Annotated[int, Field(ge=1, le=5)]
    total_hours: Annotated[float, Field(gt=0, le=2000)]
    online_hours: Annotated[float, Field(ge=0)]
    occupation_code: Annotated[str, Field(max_length=32)] | None = None
    standard: CourseStandard | None = None

    @model_validator(mode="after")
    def _online_share(self) -> CourseRecord:
        if self.online_hours > self.total_hours * MAX_ONLINE_SHARE + 1e-9:
            raise ValueError(
                f"online_hours {self.online_hours:g} exceed 40% of total_hours {self.total_hours:g}"
            )
        return self


class ClassRecord(_Record):
    type: Literal["class"] = "class"
    course_source_id: SourceId
    organiser_credit_code: CreditCode
    region_code: RegionCode
    starts_on: date
    ends_on: date
    name: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> ClassRecord:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class EnrolmentRecord(_Record):
    type: Literal["enrolment"] = "enrolment"
    class_source_id: SourceId
    trainee_source_id: SourceId
    enrolled_on: date | None = None


class SessionRecord(_Record):
    type: Literal["session"] = "session"
    trainee_source_id: SourceId
    class_source_id: SourceId
    started_at: AwareDatetime
    ended_at: AwareDatetime
    mode: SessionMode
    reported_seconds: Annotated[int, Field(ge=0)] | None = None
    activity: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _times(self) -> SessionRecord:
        if self.ended_at <= self.started_at:
            raise ValueError("ended_at is not after started_at")
        if (self.ended_at - self.started_at).total_seconds() > 24 * 3600:
            raise ValueError("a session cannot last longer than 24 hours")
        return self


class AssessmentRecord(_Record):
    type: Literal["assessment"] = "assessment"
    trainee_source_id: SourceId
    class_source_id: SourceId
    assessed_at: AwareDatetime
    passed: bool
    score: Annotated[float, Field(ge=0, le=100)] | None = None


class CertificateRecord(_Record):
    type: Literal["certificate"] = "certificate"
    trainee_source_id: SourceId
    kind: CertificateKind
    number: Annotated[str, Field(min_length=1, max_length=64)]
    issued_on: date
    class_source_id: SourceId | None = None
    occupation_code: Annotated[str, Field(max_length=32)] | None = None
    skill_level: Annotated[int, Field(ge=1, le=5)] | None = None


CanonicalRecord = Annotated[
    TraineeRecord
    | CourseRecord
    | ClassRecord
    | EnrolmentRecord
    | SessionRecord
    | AssessmentRecord
    | CertificateRecord,
    Field(discriminator="type"),
]

RECORD_ADAPTER: TypeAdapter[CanonicalRecord] = TypeAdapter(CanonicalRecord)


def parse_record(payload: dict) -> CanonicalRecord:
    """Validate one raw canonical record; raises pydantic.ValidationError when it is invalid."""
    return RECORD_ADAPTER.validate_python(payload)


def describe_validation_error(error: ValidationError) -> str:
    """A one-line, readable reason naming each invalid field."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "record"
        # pydantic prefixes our validators' messages with "Value error, "; the reader needs the rest
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def record_payload(record: CanonicalRecord) -> dict:
    """The JSON-ready form of a record, as stored in its history and hashed for change detection."""
    return record.model_dump(mode="json", exclude_none=True)
