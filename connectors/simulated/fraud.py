"""A few planted fraud patterns on top of the clean simulated data, so `hub demo` has alerts.

The clean generator never produces these; the demo plants one of each on the first platform
(cross-platform overlap included), deterministically, so a bureau user sees what an alert looks
like without hunting for one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

Record = dict[str, Any]
LOCAL = "+08:00"


def _session(source_id: str, trainee: str, klass: str, start: datetime, minutes: int) -> Record:
    end = start + timedelta(minutes=minutes)
    return {
        "type": "session",
        "source_id": source_id,
        "trainee_source_id": trainee,
        "class_source_id": klass,
        "started_at": start.isoformat(),
        "ended_at": end.isoformat(),
        "mode": "online",
        "reported_seconds": minutes * 60,
        "activity": "视频课程学习",
    }


def _local(day: date, hour: int) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:00:00{LOCAL}")


def plant_fraud(data: dict[str, list[Record]]) -> dict[str, list[Record]]:
    """A copy of `data` with fabricated, inflated and overlapping sessions added to one platform."""
    planted = {code: list(records) for code, records in data.items()}
    code = next(iter(planted))
    records = planted[code]
    classes = {r["source_id"]: r for r in records if r["type"] == "class"}
    enrolments = [r for r in records if r["type"] == "enrolment"]
    klass = enrolments[0]["class_source_id"]
    roster = [e["trainee_source_id"] for e in enrolments if e["class_source_id"] == klass]
    day = date.fromisoformat(classes[klass]["starts_on"]) + timedelta(days=2)
    extra: list[Record] = []

    # BULK_FABRICATION: six trainees "studied" the same two hours to the second.
    for n, trainee in enumerate(roster[:6]):
        extra.append(_session(f"F-BULK-{n}", trainee, klass, _local(day, 10), 120))
    # DAILY_HOURS_EXCEEDED: eleven online hours in one day.
    heavy = roster[-1]
    for n, hour in enumerate((6, 12, 18)):
        extra.append(
            _session(f"F-DAY-{n}", heavy, klass, _local(day + timedelta(days=1), hour), 220)
        )
    # DURATION_MISMATCH: the platform claims three times the time between start and end.
    inflated = _session("F-CLAIM-0", heavy, klass, _local(day + timedelta(days=3), 20), 30)
    inflated["reported_seconds"] = 3 * 30 * 60
    extra.append(inflated)
    # NOT_ON_ROSTER: a session in a class the trainee never enrolled in.
    other = next((k for k in classes if k != klass), None)
    if other:
        in_other = {e["trainee_source_id"] for e in enrolments if e["class_source_id"] == other}
        outsider = next(t for t in roster if t not in in_other)
        start = _local(date.fromisoformat(classes[other]["starts_on"]) + timedelta(days=1), 21)
        extra.append(_session("F-ROSTER-0", outsider, other, start, 45))
    extra += _cross_platform_overlap(planted, code)
    records.extend(extra)
    return planted


def _cross_platform_overlap(planted: dict[str, list[Record]], code: str) -> list[Record]:
    """OVERLAPPING_SESSIONS: one person online on two platforms at once."""
    here = {r["id_number"]: r["source_id"] for r in planted[code] if r["type"] == "trainee"}
    for other_code, records in planted.items():
        if other_code == code:
            continue
        elsewhere = {r["source_id"]: r["id_number"] for r in records if r["type"] == "trainee"}
        for record in records:
            number = elsewhere.get(record.get("trainee_source_id", ""))
            if record["type"] == "session" and number in here:
                trainee = here[number]
                klass = next(
                    r["class_source_id"]
                    for r in planted[code]
                    if r["type"] == "enrolment" and r["trainee_source_id"] == trainee
                )
                start = datetime.fromisoformat(record["started_at"]) + timedelta(minutes=5)
                return [_session("F-OVERLAP-0", trainee, klass, start, 40)]
    return []
