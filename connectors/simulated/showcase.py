"""A hand-made cohort the demo adds to the Wuhai platform, so every workflow has a case to show.

The generated data is realistic but random; a bureau trying the demo needs known cases: an
electrician (电工, level 5) course of 80 hours (32 online) organised by one training school in
Haibowan district (150302), with one class for each state a subsidy claim can be in, a class
starting in the future waiting for its opening to be approved, one case the fraud rules block
(a certificate dated before the training ended), and a few records a platform gets wrong so the
quarantine shows readable reasons. Dates are in spring 2020, like the rest of the demo data,
except the future class, which starts two weeks after `today`.

Each trainee of a class gets its own start minute so that no two persons share a session to the
second (which the bulk-fabrication rule would rightly flag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from connectors.simulated.tables import make_credit_code
from schema.ids import resident_id_check_char

Record = dict[str, Any]

SCHOOL = make_credit_code("52", "150302", "MA0DEM71")
SCHOOL_NAME = "乌海市海勃湾区职业技能培训学校"
DISTRICT = "150302"
COURSE = "SC-ELEC-5"
COURSE_HOURS = 80
ONLINE_HOURS = 32


@dataclass(frozen=True)
class ShowcaseClass:
    """One class of the cohort and the claim state the demo takes it to."""

    source_id: str
    name: str
    starts_on: date
    ends_on: date
    claim_state: str | None  # None: no claim; "blocked": submitted, then held by an alert


def _classes(today: date) -> list[ShowcaseClass]:
    states = [
        "settled",
        "pre_disbursed",
        "city_approved",
        "district_reviewed",
        "submitted",
        "draft",
        "blocked",
    ]
    classes = []
    for n, state in enumerate(states, start=1):
        starts = date(2020, 3, 2) + timedelta(days=2 * (n - 1))
        classes.append(
            ShowcaseClass(
                f"SC-K{n}",
                f"电工（五级）线上培训班（2020年第{n}期）",
                starts,
                starts + timedelta(days=38),
                state,
            )
        )
    future = today + timedelta(days=14)
    classes.append(
        ShowcaseClass(
            "SC-K9",
            f"电工（五级）线上培训班（{future.year}年新开班）",
            future,
            future + timedelta(days=40),
            None,
        )
    )
    return classes


def showcase_classes(today: date) -> list[ShowcaseClass]:
    """The cohort's classes, in order; the last one starts in the future."""
    return _classes(today)


_NAMES = (
    "王建国", "李秀英", "张海峰", "刘桂兰", "陈志强", "杨丽娟", "赵永军", "黄晓燕", "周海涛",
    "吴春梅", "徐建华", "孙玉兰", "胡志刚", "朱秀梅", "高建平", "林小红", "何志勇", "郭丽华",
    "马俊杰", "罗美玲", "梁文斌", "宋晓梅", "郑国庆", "谢婷婷",
)  # fmt: skip


def _resident_id(index: int) -> str:
    born = date(1982, 1, 1) + timedelta(days=200 * index)  # 26 to 38 years old in 2020
    first17 = f"{DISTRICT}{born:%Y%m%d}9{index:02d}"
    return first17 + resident_id_check_char(first17)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+08:00")


def _session(sid: str, trainee: str, klass: str, start: datetime, hours: int, mode: str) -> Record:
    end = start + timedelta(hours=hours)
    return {
        "type": "session",
        "source_id": sid,
        "trainee_source_id": trainee,
        "class_source_id": klass,
        "started_at": start.isoformat(),
        "ended_at": end.isoformat(),
        "mode": mode,
        "reported_seconds": hours * 3600,
        "activity": "电工基础理论视频课" if mode == "online" else "低压电工实操训练",
    }


def _trainee_records(k: ShowcaseClass, index: int, seat: int, certified_on: date) -> list[Record]:
    """Trainee `seat` (A, B, C) of class `k`: A and B complete and pass, C stops early and fails."""
    sid = f"{k.source_id}-T{seat}"
    records: list[Record] = [
        {
            "type": "trainee",
            "source_id": sid,
            "name": _NAMES[index % len(_NAMES)],
            "id_number": _resident_id(index),
            "identity_category": "rural_migrant_labourer" if seat else "enterprise_employee",
            "region_code": DISTRICT,
            "phone": f"1394730{index:04d}",
        },
        {
            "type": "enrolment",
            "source_id": f"{k.source_id}-E{seat}",
            "class_source_id": k.source_id,
            "trainee_source_id": sid,
        },
    ]
    if k.starts_on.year != 2020:
        return records  # the future class has a roster and nothing else yet
    minute = 3 * index  # nobody shares a session to the second with anyone else
    online_days = 16 if seat < 2 else 10  # 2 hours a day: 32 h (the 40% cap) or 20 h
    for d in range(online_days):
        day = k.starts_on + timedelta(days=d)
        start = _at(day, 19, minute % 60)
        records.append(_session(f"{sid}-ON{d}", sid, k.source_id, start, 2, "online"))
    if seat < 2:
        for d in range(6):  # 6 days × 8 h offline practical training = 48 h
            day = k.starts_on + timedelta(days=20 + d)
            start = _at(day, 8, minute % 60)
            records.append(_session(f"{sid}-OFF{d}", sid, k.source_id, start, 8, "offline"))
    passed = seat < 2
    records.append(
        {
            "type": "assessment",
            "source_id": f"{sid}-Q",
            "trainee_source_id": sid,
            "class_source_id": k.source_id,
            "assessed_at": _at(k.ends_on - timedelta(days=2), 9, minute % 60).isoformat(),
            "passed": passed,
            "score": 86 - seat if passed else 48,
        }
    )
    if passed:
        records.append(
            {
                "type": "certificate",
                "source_id": f"{sid}-Z",
                "trainee_source_id": sid,
                "class_source_id": k.source_id,
                "kind": "skill_level",
                "number": f"S{certified_on:%Y%m%d}{index:04d}",
                "issued_on": certified_on.isoformat(),
                "occupation_code": "6-31-01-03",
                "skill_level": 5,
            }
        )
    return records


def _mistakes(first_class: str) -> list[Record]:
    """Records a platform gets wrong, each with a different reason for quarantine."""
    return [
        {  # the check digit of the resident ID number is wrong
            "type": "trainee",
            "source_id": "SC-BAD-ID",
            "name": "错号码",
            "id_number": "15030219900101123X",
            "identity_category": "unemployed",
            "region_code": DISTRICT,
        },
        {  # ends before it starts
            "type": "session",
            "source_id": "SC-BAD-TIME",
            "trainee_source_id": f"{first_class}-T0",
            "class_source_id": first_class,
            "started_at": "2020-03-05T21:00:00+08:00",
            "ended_at": "2020-03-05T20:00:00+08:00",
            "mode": "online",
        },
        {  # refers to a trainee the platform never sent: waits in quarantine for it
            "type": "session",
            "source_id": "SC-ORPHAN",
            "trainee_source_id": "SC-NOBODY",
            "class_source_id": first_class,
            "started_at": "2020-03-06T19:00:00+08:00",
            "ended_at": "2020-03-06T20:00:00+08:00",
            "mode": "online",
        },
    ]


def showcase_records(today: date) -> list[Record]:
    """The cohort's canonical records: course, classes, trainees and what they did."""
    records: list[Record] = [
        {
            "type": "course",
            "source_id": COURSE,
            "title": "电工（五级）线上课程",
            "occupation_name": "电工",
            "occupation_code": "6-31-01-03",
            "skill_level": 5,
            "total_hours": COURSE_HOURS,
            "online_hours": ONLINE_HOURS,
            "standard": "national_skill_standard",
        }
    ]
    classes = _classes(today)
    for k in classes:
        records.append(
            {
                "type": "class",
                "source_id": k.source_id,
                "course_source_id": COURSE,
                "organiser_credit_code": SCHOOL,
                "region_code": DISTRICT,
                "starts_on": k.starts_on.isoformat(),
                "ends_on": k.ends_on.isoformat(),
                "name": k.name,
            }
        )
    people: list[Record] = []
    for n, k in enumerate(classes):
        certified_on = k.ends_on + timedelta(days=5)
        if k.claim_state == "blocked":
            certified_on = k.starts_on + timedelta(days=3)  # before the training was done
        for seat in range(3):
            people.extend(_trainee_records(k, 3 * n + seat, seat, certified_on))
    # Platforms send trainees first, then everything that refers to them.
    order = ["trainee", "enrolment", "session", "assessment", "certificate"]
    people.sort(key=lambda r: order.index(r["type"]))
    return records + people + _mistakes(classes[0].source_id)
