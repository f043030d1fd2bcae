"""Kolibri's objects and log-export CSV rows as canonical records (no I/O here).

Kolibri knows facilities, classrooms and learners, not courses or subsidy categories: the
course every classroom teaches, the organiser, the class dates and the trainees' identity
category come from the platform's configuration. Kolibri's `time_spent` is what the client
reported, so it becomes `reported_seconds` beside the start and end the hub computes from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# The English headers of Kolibri's log export (the export task is asked for locale "en").
USERNAME = "Username"
USER_TYPE = "User type"
CHANNEL_ID = "Channel id"
CONTENT_ID = "Content id"
CONTENT_TITLE = "Content title"
FIRST = "Time of first interaction"
LAST = "Time of last interaction"
COMPLETED = "Time of completion"
TIME_SPENT = "Time Spent (sec)"
PROGRESS = "Progress (0-1)"
KIND = "Content kind"
SESSION_HEADERS = (USERNAME, USER_TYPE, CONTENT_ID, FIRST, LAST, TIME_SPENT, KIND)
SUMMARY_HEADERS = (*SESSION_HEADERS, COMPLETED, PROGRESS)
LEARNER = "Learner"
ASSESSED_KINDS = frozenset({"exercise"})  # Kolibri leaves quizzes out of its exports


@dataclass
class Directory:
    """Who is who on the Kolibri facility: learners by username, and each learner's classroom."""

    user_ids: dict[str, str] = field(default_factory=dict)  # username (today's) -> user id
    classroom_of: dict[str, str] = field(default_factory=dict)  # user id -> classroom id


def is_learner(user: dict[str, Any]) -> bool:
    """Kolibri gives coaches and admins roles; learners have none."""
    return not user.get("roles") and not user.get("is_superuser")


def trainee(user: dict[str, Any], identity_category: str, region_code: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "trainee",
        "source_id": user["id"],
        "name": user.get("full_name") or user.get("username"),
        "identity_category": identity_category,
        "region_code": region_code,
    }
    if user.get("id_number"):  # Kolibri's optional "identifier" field holds the resident ID
        record["id_number"] = user["id_number"]
    return record


def training_class(
    classroom: dict[str, Any], course_source_id: str, options: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "class",
        "source_id": classroom["id"],
        "name": classroom.get("name"),
        "course_source_id": course_source_id,
        **options,
    }


def enrolment(membership: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "enrolment",
        "source_id": membership["id"],
        "class_source_id": membership["collection"],
        "trainee_source_id": membership["user"],
    }


def _moment(value: str | None) -> str | None:
    """Kolibri writes '2020-03-03 11:00:00+00:00'; canonical records want ISO 8601."""
    if not value:
        return None
    return datetime.fromisoformat(value).isoformat()


def _utc(value: str) -> str:
    """A timestamp as UTC ISO 8601, whatever offset the export wrote it with."""
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


def _key(*parts: str) -> str:
    """A stable source id: the export carries no log ids, only what identifies a log.

    Built from what never changes for a log: the learner's user id (a UUID, not the username a
    facility admin may rename), the content and channel ids, and for a session log the moment it
    started (a summary log is one per learner and content, so it needs none).
    """
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:20]


def legacy_source_id(record_type: str, row: dict[str, str]) -> str:
    """The key this connector gave a log before keys were built from user ids.

    It hashed the learner's username, and for a session the start exactly as the export wrote
    it. The hub re-keys what it holds under it to `session`'s / `assessment`'s key in place
    (hub/ingest/rekey.py). A log whose learner was renamed since it was stored cannot be matched
    (its old username is gone from the platform): it is withdrawn and stored anew instead.
    """
    parts = (row[USERNAME], row[CONTENT_ID], row.get(CHANNEL_ID, ""))
    if record_type == "session":
        return "s" + _key(*parts, row[FIRST])
    return "a" + _key(*parts)


def _learner(row: dict[str, str], directory: Directory) -> tuple[str | None, str | None]:
    user_id = directory.user_ids.get(row[USERNAME])
    return user_id, directory.classroom_of.get(user_id) if user_id else None


def _unmapped(record_type: str, row: dict[str, str], reason: str) -> dict[str, Any]:
    return {"type": record_type, "_raw": row, "_error": reason}


def session(row: dict[str, str], directory: Directory) -> dict[str, Any]:
    """A content session log as a learning session."""
    user_id, classroom = _learner(row, directory)
    if user_id is None:
        return _unmapped("session", row, f"Kolibri user {row[USERNAME]!r} is not a known learner")
    record: dict[str, Any] = {
        "type": "session",
        "source_id": "s"
        + _key(user_id, row[CONTENT_ID], row.get(CHANNEL_ID, ""), _utc(row[FIRST])),
        "trainee_source_id": user_id,
        "class_source_id": classroom,
        "started_at": _moment(row[FIRST]),
        "ended_at": _moment(row[LAST]),
        "mode": "online",
        "activity": f"{row[KIND]}: {row.get(CONTENT_TITLE) or row[CONTENT_ID]}",
    }
    if row[TIME_SPENT]:
        record["reported_seconds"] = round(float(row[TIME_SPENT]))
    return {k: v for k, v in record.items() if v is not None}


def assessment(row: dict[str, str], directory: Directory) -> dict[str, Any] | None:
    """A summary log of an exercise as an assessment; other kinds are not assessments."""
    if row[KIND] not in ASSESSED_KINDS:
        return None
    user_id, classroom = _learner(row, directory)
    if user_id is None:
        return _unmapped(
            "assessment", row, f"Kolibri user {row[USERNAME]!r} is not a known learner"
        )
    progress = float(row[PROGRESS] or 0)
    record = {
        "type": "assessment",
        "source_id": "a" + _key(user_id, row[CONTENT_ID], row.get(CHANNEL_ID, "")),
        "trainee_source_id": user_id,
        "class_source_id": classroom,
        "assessed_at": _moment(row.get(COMPLETED) or row[LAST]),
        "passed": progress >= 1.0,
        "score": round(progress * 100, 2),
    }
    return {k: v for k, v in record.items() if v is not None}
