"""The simulated dataset: valid records, determinism, and the absence of fraud patterns."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from connectors.simulated.dataset import (
    PlatformSpec,
    default_platforms,
    generate,
    generate_by_platform,
)
from connectors.simulated.names import CITIES, DISTRICTS
from schema.enums import RECORD_ORDER
from schema.ids import parse_resident_id, validate_credit_code
from schema.records import MAX_ONLINE_SHARE, parse_record

PERSONS = 300
START = date(2020, 3, 2)
WEEKS = 4
KNOWN_AREAS = set(CITIES) | {d for ds in DISTRICTS.values() for d in ds}


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    return generate_by_platform(PERSONS, seed=7)


def _index(records: list[dict], kind: str) -> dict[str, dict]:
    return {r["source_id"]: r for r in records if r["type"] == kind}


def _person_of(data: dict[str, list[dict]]) -> dict[tuple[str, str], str]:
    """(platform, trainee source_id) -> resident ID number."""
    return {
        (code, r["source_id"]): r["id_number"]
        for code, records in data.items()
        for r in records
        if r["type"] == "trainee"
    }


def test_every_record_validates(data: dict[str, list[dict]]) -> None:
    total = 0
    for records in data.values():
        for record in records:
            parse_record(record)
            total += 1
    assert total > PERSONS * 30


def test_deterministic() -> None:
    def dump(seed: int) -> list[str]:
        return [json.dumps([c, r], ensure_ascii=False) for c, r in generate(120, seed)]

    assert dump(3) == dump(3)
    assert dump(3) != dump(4)


def test_counts_and_shape(data: dict[str, list[dict]]) -> None:
    assert set(data) == {p.code for p in default_platforms()}
    per_type = Counter(r["type"] for records in data.values() for r in records)
    assert PERSONS < per_type["trainee"] < PERSONS * 1.15
    assert 20 * PERSONS < per_type["session"] < 80 * PERSONS  # small runs have few classes
    assert per_type["enrolment"] >= per_type["trainee"]
    assert per_type["assessment"] > 0.8 * per_type["enrolment"]
    assert 0.5 * per_type["assessment"] < per_type["certificate"] < per_type["assessment"]


def test_dependency_order_and_references(data: dict[str, list[dict]]) -> None:
    rank = {t.value: i for i, t in enumerate(RECORD_ORDER)}
    refs = {
        "class": [("course_source_id", "course")],
        "enrolment": [("class_source_id", "class"), ("trainee_source_id", "trainee")],
        "session": [("class_source_id", "class"), ("trainee_source_id", "trainee")],
        "assessment": [("class_source_id", "class"), ("trainee_source_id", "trainee")],
        "certificate": [("class_source_id", "class"), ("trainee_source_id", "trainee")],
    }
    for records in data.values():
        seen: set[tuple[str, str]] = set()
        last = 0
        for r in records:
            assert rank[r["type"]] >= last
            last = rank[r["type"]]
            for field, kind in refs.get(r["type"], []):
                assert (kind, r[field]) in seen, r
            key = (r["type"], r["source_id"])
            assert key not in seen, f"duplicate source_id {key}"
            seen.add(key)


def test_identities_are_valid_and_plausible(data: dict[str, list[dict]]) -> None:
    by_number: dict[str, tuple] = {}
    for records in data.values():
        for r in (r for r in records if r["type"] == "trainee"):
            rid = parse_resident_id(r["id_number"])
            assert rid.area_code in KNOWN_AREAS
            age = (START - rid.birth_date).days / 365.25
            assert 18 <= age < 60
            if r["identity_category"] in ("college_graduate", "non_continuing_graduate"):
                assert age < 28
            assert r["region_code"] in KNOWN_AREAS
            assert 2 <= len(r["name"]) <= 4
            assert r.get("phone") is None or r["phone"][1] in "3456789"
            if r["identity_category"] in ("enterprise_employee", "job_transfer_employee"):
                validate_credit_code(r["employer_credit_code"])
            else:
                assert "employer_credit_code" not in r
            person = (r["name"], r["identity_category"], r.get("phone"), r["region_code"])
            assert by_number.setdefault(r["id_number"], person) == person
    assert len(by_number) == PERSONS
    phones = Counter(p[2] for p in by_number.values() if p[2])
    assert phones.most_common(1)[0][1] == 1


def test_some_persons_train_on_two_platforms(data: dict[str, list[dict]]) -> None:
    platforms_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (code, sid), number in _person_of(data).items():
        platforms_of[number].append((code, sid))
    twice = [v for v in platforms_of.values() if len(v) == 2]
    assert 0.02 * PERSONS <= len(twice) <= 0.1 * PERSONS
    assert all(a[0] != b[0] and a[1] != b[1] for a, b in twice)
    assert max(len(v) for v in platforms_of.values()) == 2


def test_courses_and_classes(data: dict[str, list[dict]]) -> None:
    window_end = START + timedelta(weeks=WEEKS)
    for code, records in data.items():
        region = next(p.region_code for p in default_platforms() if p.code == code)
        for c in (r for r in records if r["type"] == "course"):
            assert 40 <= c["total_hours"] <= 120
            assert c["online_hours"] <= MAX_ONLINE_SHARE * c["total_hours"]
        for k in (r for r in records if r["type"] == "class"):
            assert date.fromisoformat(k["starts_on"]) >= START
            assert date.fromisoformat(k["ends_on"]) < window_end
            assert k["region_code"][:4] == region[:4]
            assert k["organiser_credit_code"][2:8] == k["region_code"]


def test_no_fraud_patterns_in_sessions(data: dict[str, list[dict]]) -> None:
    person_of = _person_of(data)
    by_person: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    online_per_day: Counter[tuple[str, date]] = Counter()
    online_per_class: Counter[tuple[str, str, str]] = Counter()
    for code, records in data.items():
        classes = _index(records, "class")
        courses = _index(records, "course")
        enrolled = {
            (r["trainee_source_id"], r["class_source_id"])
            for r in records
            if r["type"] == "enrolment"
        }
        for s in (r for r in records if r["type"] == "session"):
            assert (s["trainee_source_id"], s["class_source_id"]) in enrolled
            assert s["started_at"].endswith("+08:00") and s["ended_at"].endswith("+08:00")
            start = datetime.fromisoformat(s["started_at"])
            end = datetime.fromisoformat(s["ended_at"])
            seconds = (end - start).total_seconds()
            assert 30 * 60 <= seconds <= 120 * 60
            assert start.date() == end.date() and 8 <= start.hour <= 23
            klass = classes[s["class_source_id"]]
            assert klass["starts_on"] <= start.date().isoformat() <= klass["ends_on"]
            person = person_of[(code, s["trainee_source_id"])]
            by_person[person].append((start, end))
            if s["mode"] == "online":
                assert 0.95 * seconds <= s["reported_seconds"] <= seconds
                online_per_day[(person, start.date())] += seconds
                online_per_class[(code, s["trainee_source_id"], s["class_source_id"])] += seconds
        for (c, _, class_sid), seconds in online_per_class.items():
            if c == code:
                course = courses[classes[class_sid]["course_source_id"]]
                assert seconds <= course["online_hours"] * 3600
                assert seconds <= MAX_ONLINE_SHARE * course["total_hours"] * 3600
    assert max(online_per_day.values()) <= 8 * 3600
    for spans in by_person.values():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, "overlapping sessions of one person"


def test_assessments_and_certificates_follow_training(data: dict[str, list[dict]]) -> None:
    numbers: set[str] = set()
    for records in data.values():
        classes = _index(records, "class")
        passed = {}
        for a in (r for r in records if r["type"] == "assessment"):
            assert (
                datetime.fromisoformat(a["assessed_at"]).date().isoformat()
                > (classes[a["class_source_id"]]["ends_on"])
            )
            assert (a["score"] >= 60) == a["passed"]
            passed[(a["trainee_source_id"], a["class_source_id"])] = a
        for c in (r for r in records if r["type"] == "certificate"):
            assessment = passed[(c["trainee_source_id"], c["class_source_id"])]
            assert assessment["passed"]
            assert c["issued_on"] > assessment["assessed_at"][:10]
            assert c["number"] not in numbers
            numbers.add(c["number"])
    assert numbers


def test_custom_platforms_and_window() -> None:
    operator = default_platforms()[0].operator_credit_code
    regional = PlatformSpec("nmg", "内蒙古职业技能在线学习平台", "150000", operator)
    data = generate_by_platform(60, seed=1, platforms=[regional], start=date(2021, 5, 3), weeks=2)
    records = data["nmg"]
    assert sum(r["type"] == "trainee" for r in records) == 60  # one platform: nobody twice
    for record in records:
        parse_record(record)
    sessions = [r for r in records if r["type"] == "session"]
    assert sessions
    assert all("2021-05-03" <= s["started_at"][:10] < "2021-05-17" for s in sessions)


@pytest.mark.parametrize(
    "kwargs",
    [{"persons": -1}, {"weeks": 0}, {"platforms": default_platforms()[:1] * 2}],
)
def test_bad_arguments(kwargs: dict) -> None:
    args = {"persons": 5, "seed": 1} | kwargs
    with pytest.raises(ValueError):
        list(generate(**args))
