"""Small hand-written canonical records shared by tests (valid IDs and credit codes)."""

from __future__ import annotations

from typing import Any

from schema.ids import credit_code_check_char, resident_id_check_char


def resident_id(area: str = "150302", born: str = "19900101", serial: str = "123") -> str:
    first17 = area + born + serial
    return first17 + resident_id_check_char(first17)


def credit_code(body: str = "91150300MA0N0000") -> str:
    first17 = (body + "0" * 17)[:17]
    return first17 + credit_code_check_char(first17)


ORG = credit_code("91150300MA0N1111")
OTHER_ORG = credit_code("91150100MA0N2222")


def trainee(source_id: str, **overrides: Any) -> dict[str, Any]:
    record = {
        "type": "trainee",
        "source_id": source_id,
        "name": "张伟",
        "id_number": resident_id(
            serial=f"{int('0' + ''.join(filter(str.isdigit, source_id))) % 1000:03d}"
        ),
        "identity_category": "enterprise_employee",
        "region_code": "150302",
        "phone": "13812345678",
    }
    record.update(overrides)
    return record


def course(source_id: str = "C1", **overrides: Any) -> dict[str, Any]:
    record = {
        "type": "course",
        "source_id": source_id,
        "title": "电工（五级）线上课程",
        "occupation_name": "电工",
        "occupation_code": "6-31-01-03",
        "skill_level": 5,
        "total_hours": 80,
        "online_hours": 32,
        "standard": "national_skill_standard",
    }
    record.update(overrides)
    return record


def training_class(source_id: str = "K1", **overrides: Any) -> dict[str, Any]:
    record = {
        "type": "class",
        "source_id": source_id,
        "course_source_id": "C1",
        "organiser_credit_code": ORG,
        "region_code": "150302",
        "starts_on": "2020-03-02",
        "ends_on": "2020-03-31",
        "name": "电工班 2020-03",
    }
    record.update(overrides)
    return record


def enrolment(source_id: str, trainee_id: str, class_id: str = "K1") -> dict[str, Any]:
    return {
        "type": "enrolment",
        "source_id": source_id,
        "class_source_id": class_id,
        "trainee_source_id": trainee_id,
    }


def session(
    source_id: str, trainee_id: str, start: str, end: str, **overrides: Any
) -> dict[str, Any]:
    record = {
        "type": "session",
        "source_id": source_id,
        "trainee_source_id": trainee_id,
        "class_source_id": "K1",
        "started_at": start,
        "ended_at": end,
        "mode": "online",
    }
    record.update(overrides)
    return record


def small_ledger() -> list[dict[str, Any]]:
    """Two trainees in one class with a course, enrolments and three sessions."""
    return [
        trainee("T1"),
        trainee("T2", name="李娜", id_number=resident_id(serial="246")),
        course(),
        training_class(),
        enrolment("E1", "T1"),
        enrolment("E2", "T2"),
        session("S1", "T1", "2020-03-03T19:00:00+08:00", "2020-03-03T20:00:00+08:00"),
        session(
            "S2",
            "T1",
            "2020-03-04T19:00:00+08:00",
            "2020-03-04T20:30:00+08:00",
            reported_seconds=5600,
        ),
        session("S3", "T2", "2020-03-03T19:00:00+08:00", "2020-03-03T19:45:00+08:00"),
    ]
