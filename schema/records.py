"""Canonical records, format v1: what every connector produces and every push or import sends.

Each record carries `type` and `source_id` (the platform's own id, unique per platform and type).
Validation here is about one record on its own; references between records are checked on ingest.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from schema.enums import CertificateKind, CourseStandard, IdentityCategory, SessionMode
from schema.ids import parse_resident_id, validate_credit_code

FORMAT_VERSION = 1
MAX_ONLINE_SHARE = 0.4  # notice 16: online hours may not exceed 40% of total course hours
MAX_DEPTH = 16  # canonical records are flat; anything deeper is not one of ours
INT_LIMIT = 2**63 - 1  # a database BIGINT
INT32_LIMIT = 2**31 - 1  # a database INTEGER
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # NUL (PostgreSQL) and lone surrogates


class InvalidRecord(ValueError):
    """A raw record refused before its fields are validated: its shape cannot be stored."""


def check_payload(payload: Any) -> None:
    """Refuse what no database column can hold, wherever it is in the record: nesting deeper
    than MAX_DEPTH, integers beyond 64 bits, text with a NUL byte or a lone surrogate.

    Walks with an explicit stack, so any depth is measured without recursion.
    """
    if _flat_and_storable(payload):
        return  # the common case, checked in one pass; anything else gets the full walk
    stack: list[tuple[Any, str, int]] = [(payload, "record", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidRecord(f"{where}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            for key, item in value.items():
                name = storable_text(str(key), 40)
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    raise InvalidRecord(f"{where}: key {name!r} holds a NUL or lone surrogate")
                stack.append((item, name if depth == 0 else f"{where}.{name}", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            raise InvalidRecord(f"{where}: text holds a NUL byte or a lone surrogate")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_LIMIT:
            raise InvalidRecord(f"{where}: integer beyond 64 bits")


_FLAT_TYPES = frozenset({str, int, float, bool, type(None)})


def _flat_and_storable(payload: Any) -> bool:
    """True for a flat object of scalar values that `check_payload` accepts.

    Canonical records are flat, so the per-record check is one C call: orjson refuses keys that
    are not text, lone surrogates and (strict) integers beyond 53 bits, and writes a NUL as
    `\\u0000`. False (nested, odd types, anything refused, or a text that merely spells
    `\\u0000`) leaves the verdict and its message to the full walk.
    """
    if type(payload) is not dict or not set(map(type, payload.values())) <= _FLAT_TYPES:
        return False
    try:
        text = orjson.dumps(payload, option=orjson.OPT_STRICT_INTEGER)
    except (orjson.JSONEncodeError, TypeError):
        return False
    return b"\\u0000" not in text


def storable_text(text: str, limit: int | None = None) -> str:
    """`text` with NUL bytes and lone surrogates replaced by their escapes, so any column or
    JSON encoder takes it, cut to `limit` characters if given."""
    clean = _UNSTORABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return clean if limit is None or len(clean) <= limit else clean[: limit - 1] + "…"


# A platform's clock may run a little ahead of the hub's: dates later than the moment the hub
# received the record by more than this are not facts yet.
CLOCK_SKEW = timedelta(minutes=10)
_CHINA = timezone(timedelta(hours=8))


def _received_at(info: ValidationInfo) -> datetime:
    """The moment the hub received the record (the validation context's, else now)."""
    given = (info.context or {}).get("received_at") if isinstance(info.context, dict) else None
    if given is not None:
        return given
    from schema.types import utcnow  # the hub's clock (shiftable for rehearsals)

    return utcnow()


def _not_after_receipt(field: str, value: datetime, received: datetime) -> None:
    """A time after the moment the record was received (beyond the clock skew) did not happen."""
    if value > received + CLOCK_SKEW:
        raise ValueError(
            f"{field} {value.isoformat()} is after the record was received"
            f" ({received.astimezone(UTC).isoformat(timespec='seconds')}): future-dated"
        )


def _day_not_after_receipt(field: str, value: date, info: ValidationInfo) -> None:
    """A date after the local (UTC+8) day of receipt, skew allowed, did not happen."""
    received = (_received_at(info) + CLOCK_SKEW).astimezone(_CHINA).date()
    if value > received:
        raise ValueError(
            f"{field} {value.isoformat()} is after the day it was received ({received}): future-dated"
        )


def _resident_id(value: str) -> str:
    return parse_resident_id(value).number


def _in_utc(value: datetime) -> datetime:
    if 1 < value.year < 9999:  # an offset under a day cannot leave the range from here
        return value
    try:
        value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("is out of range once converted to UTC") from error
    return value


def _region_code(value: str) -> str:
    if len(value) != 6 or not value.isdigit():
        raise ValueError("region code must be a 6-digit GB/T 2260 code")
    return value


ResidentIdNumber = Annotated[str, AfterValidator(_resident_id)]
CreditCode = Annotated[str, AfterValidator(validate_credit_code)]
RegionCode = Annotated[str, AfterValidator(_region_code)]
SourceId = Annotated[str, Field(min_length=1, max_length=128)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class _Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )

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
    started_at: Moment
    ended_at: Moment
    mode: SessionMode
    reported_seconds: Annotated[int, Field(ge=0, le=INT32_LIMIT)] | None = None
    activity: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _times(self) -> SessionRecord:
        if self.ended_at <= self.started_at:
            raise ValueError("ended_at is not after started_at")
        if (self.ended_at - self.started_at).total_seconds() > 24 * 3600:
            raise ValueError("a session cannot last longer than 24 hours")
        return self

    @model_validator(mode="after")
    def _happened(self, info: ValidationInfo) -> SessionRecord:
        received = _received_at(info)
        _not_after_receipt("started_at", self.started_at, received)
        _not_after_receipt("ended_at", self.ended_at, received)
        return self


class AssessmentRecord(_Record):
    type: Literal["assessment"] = "assessment"
    trainee_source_id: SourceId
    class_source_id: SourceId
    assessed_at: Moment
    passed: bool
    score: Annotated[float, Field(ge=0, le=100)] | None = None

    @model_validator(mode="after")
    def _happened(self, info: ValidationInfo) -> AssessmentRecord:
        _not_after_receipt("assessed_at", self.assessed_at, _received_at(info))
        return self


class CertificateRecord(_Record):
    type: Literal["certificate"] = "certificate"
    trainee_source_id: SourceId
    kind: CertificateKind
    number: Annotated[str, Field(min_length=1, max_length=64)]
    issued_on: date
    class_source_id: SourceId | None = None
    occupation_code: Annotated[str, Field(max_length=32)] | None = None
    skill_level: Annotated[int, Field(ge=1, le=5)] | None = None

    @model_validator(mode="after")
    def _happened(self, info: ValidationInfo) -> CertificateRecord:
        _day_not_after_receipt("issued_on", self.issued_on, info)
        return self


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


def parse_record(payload: dict, received_at: datetime | None = None) -> CanonicalRecord:
    """Validate one raw canonical record.

    Raises InvalidRecord when its shape cannot be stored at all, pydantic.ValidationError when
    a field is invalid. `received_at` (default: now) is when the hub received it: sessions,
    assessments and certificates dated after it (beyond CLOCK_SKEW) are refused as future-dated.
    """
    check_payload(payload)
    context: dict[str, Any] = {"received_at": received_at} if received_at else {}
    return RECORD_ADAPTER.validate_python(payload, context=context)


def describe_validation_error(error: ValidationError) -> str:
    """A one-line, readable reason naming each invalid field."""
    parts = []
    for item in error.errors():
        where = ".".join(storable_text(str(p), 40) for p in item["loc"]) or "record"
        # pydantic prefixes our validators' messages with "Value error, "; the reader needs the rest
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def record_payload(record: CanonicalRecord) -> dict:
    """The JSON-ready form of a record, as stored in its history and hashed for change detection."""
    return record.model_dump(mode="json", exclude_none=True)
