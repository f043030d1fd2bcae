"""Moodle's shapes to canonical records: argument encoding, times, custom fields, record builders.

Pure functions used by connectors/moodle.py (and its simulated site); see that module for the
protocol and which web-service functions feed which record type.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.rest_json import (
    IDENTITY_LABELS,
    MODE_LABELS,
    SHANGHAI,
    SKILL_LEVEL_LABELS,
    STANDARD_LABELS,
    parse_local,
)

USER_FIELDS = {
    "id_number": "idcard",
    "identity_category": "identitycategory",
    "region_code": "regioncode",
    "employer_credit_code": "employercode",
}
COURSE_FIELDS = {
    "course_source_id": "curriculum",
    "title": "coursetitle",
    "occupation_name": "occupation",
    "occupation_code": "occupationcode",
    "skill_level": "skilllevel",
    "total_hours": "totalhours",
    "online_hours": "onlinehours",
    "standard": "standard",
    "organiser_credit_code": "organiser",
    "region_code": "region",
}
SESSION_COLUMNS = {
    "source_id": "记录编号",
    "trainee": "用户ID",
    "class": "课程ID",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "mode": "学习方式",
    "reported_seconds": "学习时长（秒）",
    "activity": "学习内容",
    "modified": "修改时间",
}


def ws_params(args: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Function arguments in PHP's nested form: {"options": [{"name": "a"}]} -> options[0][name]."""
    flat: dict[str, str] = {}
    for key, value in args.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            flat |= ws_params(value, name)
        elif isinstance(value, list):
            flat |= ws_params(dict(enumerate(value)), name)
        elif isinstance(value, bool):
            flat[name] = "1" if value else "0"
        else:
            flat[name] = str(value)
    return flat


def moodle_time(value: Any) -> datetime | None:
    """A report or API time: a Unix timestamp or Shanghai wall clock text; None if neither."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, SHANGHAI)
    if isinstance(value, str) and value.strip().isdigit():
        return datetime.fromtimestamp(int(value), SHANGHAI)
    return parse_local(value)


def _iso(value: Any) -> Any:
    moment = moodle_time(value)
    return value if moment is None else moment.isoformat()


def _date(value: Any) -> Any:
    moment = moodle_time(value)
    return value if moment is None else moment.date().isoformat()


def _number(value: Any) -> Any:
    """Custom field values arrive as text; numbers are read as numbers, the rest passed through."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


def _label(table: dict[str, Any], value: Any) -> Any:
    found = table.get(value.strip()) if isinstance(value, str) else None
    return value if found is None else getattr(found, "value", found)


def custom_fields(obj: dict) -> dict[str, Any]:
    """A user's or course's custom fields by shortname (value as displayed, or raw)."""
    out = {}
    for field in obj.get("customfields") or []:
        if isinstance(field, dict) and "shortname" in field:
            out[field["shortname"]] = field.get("valueraw", field.get("value"))
    return out


def _failed(kind: str, raw: Any, why: str, source_id: str | None = None) -> dict:
    record: dict[str, Any] = {"type": kind, "_raw": raw, "_error": why}
    if source_id:
        record["source_id"] = source_id
    return record


def _present(record: dict, extra: dict[str, Any]) -> dict:
    """`record` with the optional fields of `extra` that have a value."""
    return record | {k: v for k, v in extra.items() if v not in (None, "")}


def course_record(course: dict, names: dict[str, str]) -> dict:
    """The curriculum a Moodle course teaches, from its course custom fields."""
    fields = custom_fields(course)
    sid = fields.get(names["course_source_id"])
    if sid in (None, ""):
        return _failed("course", course, f"course {course.get('id')} names no curriculum")
    record = {
        "type": "course",
        "source_id": str(sid),
        "title": fields.get(names["title"]),
        "occupation_name": fields.get(names["occupation_name"]),
        "skill_level": _label(SKILL_LEVEL_LABELS, fields.get(names["skill_level"])),
        "total_hours": _number(fields.get(names["total_hours"])),
        "online_hours": _number(fields.get(names["online_hours"])),
    }
    extra = {
        "occupation_code": fields.get(names["occupation_code"]),
        "standard": _label(STANDARD_LABELS, fields.get(names["standard"])),
    }
    return _present(record, extra)


def class_record(course: dict, names: dict[str, str]) -> dict:
    """A Moodle course as the training class (开班) it is."""
    fields = custom_fields(course)
    record = {
        "type": "class",
        "source_id": str(course.get("id")),
        "course_source_id": fields.get(names["course_source_id"]),
        "organiser_credit_code": fields.get(names["organiser_credit_code"]),
        "region_code": fields.get(names["region_code"]),
        "starts_on": _date(course.get("startdate")),
        "ends_on": _date(course.get("enddate")),
    }
    return _present(record, {"name": course.get("fullname")})


def trainee_record(user: Any, names: dict[str, str]) -> dict:
    """One Moodle user as a canonical trainee (name is lastname + firstname, as in Chinese)."""
    if not isinstance(user, dict) or "id" not in user:
        return _failed("trainee", user, "user is not an object with an id")
    fields = custom_fields(user)
    record = {
        "type": "trainee",
        "source_id": str(user["id"]),
        "name": f"{user.get('lastname') or ''}{user.get('firstname') or ''}".strip(),
        "id_number": fields.get(names["id_number"]),
        "identity_category": _label(IDENTITY_LABELS, fields.get(names["identity_category"])),
        "region_code": fields.get(names["region_code"]),
    }
    extra = {
        "phone": user.get("phone1"),
        "employer_credit_code": fields.get(names["employer_credit_code"]),
    }
    return _present(record, extra)


def session_record(row: dict[str, Any], columns: dict[str, str]) -> dict:
    """One row of the session report as a canonical session."""
    sid = row.get(columns["source_id"])
    if sid in (None, ""):
        return _failed("session", row, "report row has no record id")
    record = {
        "type": "session",
        "source_id": str(sid),
        "trainee_source_id": str(row.get(columns["trainee"])),
        "class_source_id": str(row.get(columns["class"])),
        "started_at": _iso(row.get(columns["started_at"])),
        "ended_at": _iso(row.get(columns["ended_at"])),
        "mode": _label(MODE_LABELS, row.get(columns["mode"])),
    }
    extra = {
        "reported_seconds": _number(row.get(columns["reported_seconds"])),
        "activity": row.get(columns["activity"]),
    }
    return _present(record, extra)


def assessment_record(course_id: Any, user_id: Any, item: dict, passed: bool | None) -> dict:
    """The final assessment: its grade item and whether its completion state says passed."""
    sid = f"{course_id}-{user_id}"
    if passed is None:
        return _failed("assessment", item, "exam graded but not completed", sid)
    return {
        "type": "assessment",
        "source_id": sid,
        "trainee_source_id": str(user_id),
        "class_source_id": str(course_id),
        "assessed_at": _iso(item.get("gradedategraded")),
        "passed": passed,
        "score": item.get("graderaw"),
    }
