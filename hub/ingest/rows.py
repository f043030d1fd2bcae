"""How each canonical record type becomes a table row, and what its history keeps.

History payloads carry keyed hashes in place of ID and phone numbers, so the record of every
version can be kept forever without holding personal data in plain text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlmodel import SQLModel

from hub.security.pii import PiiVault
from hub.supervision.ledger import canonical_bytes, canonical_hash
from schema.ids import mask_id_number, mask_phone
from schema.records import CanonicalRecord, record_payload
from schema.tables import (
    Assessment,
    Certificate,
    Course,
    Enrolment,
    LearningSession,
    Trainee,
    TrainingClass,
)


@dataclass
class Resolved:
    """What references resolved to, per record: ids of the rows it points at."""

    refs: dict[str, int] = field(default_factory=dict)
    person_id: int | None = None
    organiser_id: int | None = None


@dataclass(frozen=True)
class RecordSpec:
    """A record type: its table, its references (field -> referenced type) and its row builder."""

    table: type[SQLModel]
    references: dict[str, str]
    optional_references: frozenset[str]
    build: Callable[[Any, Resolved, PiiVault], dict[str, Any]]


def history_payload(record: CanonicalRecord, vault: PiiVault) -> dict[str, Any]:
    """The record as kept in history and hashed for change detection, without plain PII."""
    payload = record_payload(record)
    if "id_number" in payload:
        payload["id_number"] = "hmac:" + vault.lookup_hash(payload["id_number"])
    if "phone" in payload:
        payload["phone"] = "hmac:" + vault.lookup_hash(payload["phone"])
    return payload


def content_hash(payload: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON payload: what change detection and the ledger compare."""
    return canonical_hash(payload)


class Canonical(NamedTuple):
    """A record's history payload, its canonical JSON text and that text's SHA-256 (a tuple:
    one is made per record)."""

    payload: dict[str, Any]
    text: str
    content_hash: str


def canonical(record: CanonicalRecord, vault: PiiVault) -> Canonical:
    """History payload, canonical text and content hash of a record, serialised once."""
    payload = history_payload(record, vault)
    data = canonical_bytes(payload)
    return Canonical(
        payload, data.decode("utf-8", "surrogatepass"), hashlib.sha256(data).hexdigest()
    )


def _trainee(r: Any, res: Resolved, vault: PiiVault) -> dict[str, Any]:
    return {
        "person_id": res.person_id,
        "name": r.name,
        "id_hash": vault.lookup_hash(r.id_number),
        "id_cipher": vault.encrypt(r.id_number),
        "id_masked": mask_id_number(r.id_number),
        "phone_cipher": vault.encrypt(r.phone) if r.phone else None,
        "phone_masked": mask_phone(r.phone) if r.phone else None,
        "identity_category": r.identity_category,
        "region_code": r.region_code,
        "employer_credit_code": r.employer_credit_code,
    }


def _course(r: Any, res: Resolved, vault: PiiVault) -> dict[str, Any]:
    return {
        "title": r.title,
        "occupation_name": r.occupation_name,
        "occupation_code": r.occupation_code,
        "skill_level": r.skill_level,
        "standard": r.standard,
        "total_hours": r.total_hours,
        "online_hours": r.online_hours,
    }


def _class(r: Any, res: Resolved, vault: PiiVault) -> dict[str, Any]:
    return {
        "course_id": res.refs["course_source_id"],
        "organiser_id": res.organiser_id,
        "region_code": r.region_code,
        "name": r.name,
        "starts_on": r.starts_on,
        "ends_on": r.ends_on,
    }


def _enrolment(r: Any, res: Resolved, vault: PiiVault) -> dict[str, Any]:
    return {
        "class_id": res.refs["class_source_id"],
        "trainee_id": res.refs["trainee_source_id"],
        "enrolled_on": r.enrolled_on,
    }


def _session(r: Any, res: Resolved, vault: PiiVault) -> dict[str, Any]:
    return {
        "trainee_id": res.refs["trainee_source_id"],
        "class_id": res.refs["class_source_id"],
        "person_id": res.person_id,
        "started_at": r.started_at,
        "ended_at": r.ended_at,
        "duration_seconds": int((r.ended_at - r.started_at).total_seconds()),
        "reported_seconds": r.reported_seconds,
        "mode": r.mode,
        "activity": r.activity,
    }


def _assessment(r: Any, res: Resolved, vault: PiiVault) -> dict[str, Any]:
    return {
        "trainee_id": res.refs["trainee_source_id"],
        "class_id": res.refs["class_source_id"],
        "assessed_at": r.assessed_at,
        "passed": r.passed,
        "score": r.score,
    }


def _certificate(r: Any, res: Resolved, vault: PiiVault) -> dict[str, Any]:
    return {
        "trainee_id": res.refs["trainee_source_id"],
        "person_id": res.person_id,
        "class_id": res.refs.get("class_source_id"),
        "kind": r.kind,
        "number": r.number,
        "issued_on": r.issued_on,
        "occupation_code": r.occupation_code,
        "skill_level": r.skill_level,
    }


_NONE: frozenset[str] = frozenset()
_ROSTER = {"class_source_id": "class", "trainee_source_id": "trainee"}

SPECS: dict[str, RecordSpec] = {
    "trainee": RecordSpec(Trainee, {}, _NONE, _trainee),
    "course": RecordSpec(Course, {}, _NONE, _course),
    "class": RecordSpec(TrainingClass, {"course_source_id": "course"}, _NONE, _class),
    "enrolment": RecordSpec(Enrolment, _ROSTER, _NONE, _enrolment),
    "session": RecordSpec(LearningSession, _ROSTER, _NONE, _session),
    "assessment": RecordSpec(Assessment, _ROSTER, _NONE, _assessment),
    "certificate": RecordSpec(Certificate, _ROSTER, frozenset({"class_source_id"}), _certificate),
}
