"""Builds tests/supervision/fixtures: clean simulated data with every fraud pattern planted.

Run `python -m tests.supervision.build_fixtures` to regenerate (the output is committed). Writes,
per platform, `<platform>.0.ndjson` (the clean generated base), `<platform>.1.ndjson` (planted
records, first report) and `<platform>.2.ndjson` (their later changes), and
`expected.json`: every planted alert (rule, severity, records), the claims and class approvals
the test inserts directly, and the near-misses (whose records must raise no alert).

Planted records have source ids starting with `X` (planted) or `N` (near-miss); everything else
is the clean generated base, which must raise nothing either.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.simulated.dataset import generate
from tests.records import credit_code, resident_id

OUT = Path(__file__).parent / "fixtures"
WH, HH = "wuhai-skills", "hohhot-online"
ORG_A = credit_code("91150302MA0XAAA1")
ORG_B = credit_code("91150303MA0XBBB2")
ORG_C = credit_code("91150102MA0XCCC3")
BASE_PERSONS = 25


class Plan:
    """Collects planted records, expected alerts, claims and approvals."""

    def __init__(self) -> None:
        self.records: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
        self.expected: list[dict[str, Any]] = []
        self.near_misses: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.approvals: list[dict[str, Any]] = []
        self._ids = 0
        self._sessions = 0

    def add(self, platform: str, record: dict[str, Any], round_: int = 1) -> dict[str, Any]:
        self.records[(round_, platform)].append(record)
        return record

    def person(
        self,
        prefix: str,
        born: str = "19900315",
        male: bool = True,
        category: str = "enterprise_employee",
        name: str | None = None,
        platforms: tuple[str, ...] = (WH,),
        classes: tuple[tuple[str, str], ...] = ((WH, "XK1"),),
        names: dict[str, str] | None = None,
    ) -> str:
        """A person with a trainee record on each platform, enrolled in `classes`; returns the id."""
        self._ids += 1
        serial = f"{self._ids:02d}{1 if male else 2}"
        number = resident_id("150304", born, serial)
        sid = f"{prefix}T{self._ids}"
        for platform in platforms:
            self.add(
                platform,
                {
                    "type": "trainee",
                    "source_id": sid,
                    "name": (names or {}).get(platform, name or f"测试{self._ids}"),
                    "id_number": number,
                    "identity_category": category,
                    "region_code": "150302" if platform == WH else "150102",
                },
            )
        for platform, klass in classes:
            self.add(
                platform,
                {
                    "type": "enrolment",
                    "source_id": f"{prefix}E{self._ids}-{klass}",
                    "class_source_id": klass,
                    "trainee_source_id": sid,
                },
            )
        return sid

    def session(
        self,
        prefix: str,
        trainee: str,
        start: str,
        end: str,
        klass: str = "XK1",
        platform: str = WH,
        round_: int = 1,
        source_id: str | None = None,
        **extra: Any,
    ) -> tuple[str, str, str]:
        """A session (times local, +08:00); returns its (platform, type, source_id)."""
        if source_id is None:
            self._sessions += 1
            source_id = f"{prefix}S{self._sessions}"
        self.add(
            platform,
            {
                "type": "session",
                "source_id": source_id,
                "trainee_source_id": trainee,
                "class_source_id": klass,
                "started_at": f"{start}+08:00",
                "ended_at": f"{end}+08:00",
                "mode": extra.pop("mode", "online"),
                **extra,
            },
            round_,
        )
        return (platform, "session", source_id)

    def expect(self, case: str, rule: str, severity: str, records: list[tuple[str, str, str]]):
        self.expected.append(
            {"case": case, "rule": rule, "severity": severity, "records": sorted(records)}
        )

    def near(self, case: str, records: list[tuple[str, str, str]]) -> None:
        self.near_misses.append({"case": case, "records": sorted(records)})


def _courses_and_classes(p: Plan) -> None:
    def course(platform: str, sid: str, total: float, level: int = 5, **kw: Any) -> None:
        p.add(
            platform,
            {
                "type": "course",
                "source_id": sid,
                "title": kw.pop("title", f"课程 {sid}"),
                "occupation_name": kw.pop("occupation_name", "电工"),
                "occupation_code": kw.pop("occupation_code", "6-31-01-03"),
                "skill_level": level,
                "total_hours": total,
                "online_hours": round(total * 0.4, 1),
            },
        )

    def klass(platform: str, sid: str, course_sid: str, org: str, start: str, end: str) -> None:
        p.add(
            platform,
            {
                "type": "class",
                "source_id": sid,
                "course_source_id": course_sid,
                "organiser_credit_code": org,
                "region_code": "150302" if platform == WH else "150102",
                "starts_on": start,
                "ends_on": end,
                "name": f"班级 {sid}",
            },
        )

    course(WH, "XC1", 80)
    course(WH, "XC2", 20)
    course(WH, "XC3", 80, level=4)
    course(WH, "XC4", 80, occupation_name="育婴员", occupation_code="4-10-01-02")
    course(HH, "XC9", 80)
    klass(WH, "XK1", "XC1", ORG_A, "2020-03-02", "2020-03-31")
    klass(WH, "XK3", "XC2", ORG_A, "2020-03-02", "2020-03-31")
    klass(WH, "XK4", "XC1", ORG_A, "2020-03-10", "2020-03-20")
    klass(WH, "XK5", "XC1", ORG_A, "2020-03-02", "2020-03-31")
    klass(WH, "XK6", "XC4", ORG_B, "2020-03-02", "2020-03-31")
    klass(WH, "XK7", "XC1", ORG_A, "2020-03-02", "2020-03-31")
    klass(WH, "XK8", "XC3", ORG_C, "2020-03-02", "2020-03-31")
    klass(HH, "XK9", "XC9", ORG_C, "2020-03-02", "2020-03-31")


def _sessions_and_days(p: Plan) -> None:
    # OVERLAPPING_SESSIONS: across platforms (high) and on one platform (medium).
    t = p.person("X", platforms=(WH, HH), classes=((WH, "XK1"), (HH, "XK9")), name="周强")
    a = p.session("X", t, "2020-03-03T19:00:00", "2020-03-03T20:00:07")
    b = p.session("X", t, "2020-03-03T18:30:00", "2020-03-03T19:30:11", klass="XK9", platform=HH)
    p.expect("overlap across platforms", "OVERLAPPING_SESSIONS", "high", [a, b])
    c = p.session("N", t, "2020-03-03T20:00:07", "2020-03-03T21:00:00")  # back to back with a
    p.near("back-to-back sessions; same name on two platforms", [c])
    t = p.person("X")
    a = p.session("X", t, "2020-03-04T09:00:00", "2020-03-04T10:00:03")
    b = p.session("X", t, "2020-03-04T09:45:00", "2020-03-04T10:31:00")
    p.expect("overlap on one platform", "OVERLAPPING_SESSIONS", "medium", [a, b])
    c = p.session("N", t, "2020-03-04T09:30:00", "2020-03-04T10:12:00", mode="offline")
    p.near("an offline session overlapping online ones", [c])

    # DAILY_HOURS_EXCEEDED: 8.5 h in one local day; exactly 8 h; 9 h split by local midnight.
    t = p.person("X")
    a = p.session("X", t, "2020-03-04T08:00:00", "2020-03-04T12:00:00")
    b = p.session("X", t, "2020-03-04T13:00:00", "2020-03-04T17:30:00")
    p.expect("8.5 hours in a day", "DAILY_HOURS_EXCEEDED", "medium", [a, b])
    t = p.person("N")
    a = p.session("N", t, "2020-03-04T08:00:01", "2020-03-04T12:00:01")
    b = p.session("N", t, "2020-03-04T13:00:02", "2020-03-04T17:00:02")
    p.near("exactly 8 hours in a day", [a, b])
    t = p.person("N")
    a = p.session("N", t, "2020-03-05T20:00:00", "2020-03-06T00:00:00")
    b = p.session("N", t, "2020-03-06T00:00:00", "2020-03-06T05:00:00")
    p.near("9 hours in one UTC day but 4 + 5 in local days", [a, b])

    # ONLINE_SHARE_EXCEEDED: course of 20 h allows 8 h online; 9 h fires, exactly 8 h does not.
    t = p.person("X", classes=((WH, "XK3"),))
    recs = [
        p.session("X", t, f"2020-03-{d:02d}T09:00:00", f"2020-03-{d:02d}T12:00:{d:02d}", "XK3")
        for d in (9, 10, 11)
    ]
    p.expect("9 of 20 hours online", "ONLINE_SHARE_EXCEEDED", "medium", recs)
    t = p.person("N", classes=((WH, "XK3"),))
    recs = [
        p.session("N", t, "2020-03-09T14:00:00", "2020-03-09T18:00:00", "XK3"),
        p.session("N", t, "2020-03-10T14:00:00", "2020-03-10T18:00:00", "XK3"),
    ]
    p.near("exactly 40% online", recs)

    # SESSION_OUTSIDE_CLASS: class XK4 runs 10–20 March (local days); XK5 approved 5 March noon.
    t = p.person("X", classes=((WH, "XK4"),))
    a = p.session("X", t, "2020-03-09T23:00:00", "2020-03-09T23:31:00", "XK4")
    b = p.session("X", t, "2020-03-21T08:00:00", "2020-03-21T08:42:00", "XK4")
    p.expect("session the day before the class", "SESSION_OUTSIDE_CLASS", "medium", [a])
    p.expect("session the day after the class", "SESSION_OUTSIDE_CLASS", "medium", [b])
    t = p.person("N", classes=((WH, "XK4"),))
    a = p.session("N", t, "2020-03-10T00:10:00", "2020-03-10T01:00:00", "XK4")
    b = p.session("N", t, "2020-03-20T23:00:00", "2020-03-20T23:50:00", "XK4")
    p.near("first and last local day of the class (UTC day before the start)", [a, b])
    p.approvals.append({"platform": WH, "class": "XK5", "approved_at": "2020-03-05T12:00:00+08:00"})
    t = p.person("X", classes=((WH, "XK5"),))
    a = p.session("X", t, "2020-03-05T09:00:00", "2020-03-05T10:01:00", "XK5")
    p.expect("session before the class was approved", "SESSION_OUTSIDE_CLASS", "high", [a])
    t = p.person("N", classes=((WH, "XK5"),))
    a = p.session("N", t, "2020-03-05T13:00:00", "2020-03-05T14:02:00", "XK5")
    p.near("session after approval", [a])

    # NOT_ON_ROSTER
    t = p.person("X", classes=())
    a = p.session("X", t, "2020-03-06T10:00:00", "2020-03-06T10:44:00")
    b = p.session("X", t, "2020-03-07T10:00:00", "2020-03-07T10:45:00")
    p.expect("sessions without enrolment", "NOT_ON_ROSTER", "high", [a, b])

    # DURATION_MISMATCH: tolerance is the larger of 300 s and 10%.
    t = p.person("X")
    a = p.session("X", t, "2020-03-12T14:00:00", "2020-03-12T15:00:00", reported_seconds=3961)
    p.expect("reported 361 s over an hour", "DURATION_MISMATCH", "high", [a])
    b = p.session("X", t, "2020-03-13T14:00:00", "2020-03-13T16:00:00", reported_seconds=6479)
    p.expect("reported 721 s under two hours", "DURATION_MISMATCH", "low", [b])
    t = p.person("N")
    a = p.session("N", t, "2020-03-12T14:00:05", "2020-03-12T15:00:05", reported_seconds=3960)
    b = p.session("N", t, "2020-03-13T14:00:05", "2020-03-13T16:00:05", reported_seconds=6480)
    p.near("reported time exactly at the tolerance", [a, b])

    # BULK_FABRICATION: 5 persons with identical times fire, 4 do not; 8 persons with one
    # duration on one day in one class fire, 7 do not.
    recs = [
        p.session("X", p.person("X"), "2020-03-18T10:00:00", "2020-03-18T11:30:00")
        for _ in range(5)
    ]
    p.expect("5 persons, identical times", "BULK_FABRICATION", "high", recs)
    recs = [
        p.session("N", p.person("N"), "2020-03-19T10:00:00", "2020-03-19T11:30:00")
        for _ in range(4)
    ]
    p.near("4 persons, identical times", recs)

    def same_length(prefix: str, day: int, persons: int, seconds: int) -> list[Any]:
        starts = [datetime(2020, 3, day, 15, 10 + 2 * i) for i in range(persons)]
        return [
            p.session(
                prefix,
                p.person(prefix),
                begin.isoformat(),
                (begin + timedelta(seconds=seconds)).isoformat(),
            )
            for begin in starts
        ]

    p.expect("8 persons, one duration", "BULK_FABRICATION", "high", same_length("X", 16, 8, 2833))
    recs = same_length("N", 17, 7, 2834)
    p.near("7 persons, one duration", recs)


def _identities(p: Plan) -> None:
    # IDENTITY_MISMATCH: one ID number, two names on two platforms.
    names = {WH: "王芳", HH: "王方"}
    p.person("X", platforms=(WH, HH), classes=((WH, "XK1"),), names=names)
    sid = f"XT{p._ids}"
    p.expect(
        "two names for one ID number",
        "IDENTITY_MISMATCH",
        "high",
        [(WH, "trainee", sid), (HH, "trainee", sid)],
    )
    # Category against age (on the class's first day, 2020-03-02) and sex.
    for prefix, born, male, category, case in (
        ("X", "19800101", True, "college_graduate", "college graduate aged 40"),
        ("X", "19630601", False, "unemployed", "unemployed woman aged 56"),
        ("X", "20050101", True, "enterprise_employee", "trainee aged 15"),
        ("N", "19630601", True, "unemployed", "unemployed man aged 56"),
        ("N", "19650302", False, "unemployed", "unemployed woman aged exactly 55"),
        ("N", "19900302", True, "college_graduate", "college graduate aged exactly 30"),
        ("N", "20040302", False, "enterprise_employee", "trainee aged exactly 16"),
    ):
        sid = p.person(prefix, born=born, male=male, category=category)
        if prefix == "X":
            p.expect(case, "IDENTITY_MISMATCH", "medium", [(WH, "trainee", sid)])
        else:
            p.near(case, [(WH, "trainee", sid)])


def _history_claims_certificates(p: Plan) -> None:
    # RETROACTIVE_CHANGE: times changed in the second report; higher when a claim covers it.
    t = p.person("X", classes=((WH, "XK6"),))
    a = p.session("X", t, "2020-03-23T19:00:00", "2020-03-23T20:00:00", "XK6", source_id="XR1")
    p.session(
        "X", t, "2020-03-23T19:00:00", "2020-03-23T21:00:00", "XK6", round_=2, source_id="XR1"
    )
    p.expect("hours lengthened, class claimed", "RETROACTIVE_CHANGE", "high", [a])
    p.claims.append({"platform": WH, "class": "XK6", "organisation": ORG_B, "year": 2020})
    t = p.person("X")
    a = p.session("X", t, "2020-03-24T19:00:00", "2020-03-24T20:00:00", source_id="XR2")
    p.session("X", t, "2020-03-24T18:20:00", "2020-03-24T20:00:00", round_=2, source_id="XR2")
    p.expect("start moved earlier", "RETROACTIVE_CHANGE", "medium", [a])
    t = p.person("X", name="赵六")
    renamed = dict(next(r for r in p.records[(1, WH)] if r["source_id"] == t))
    p.add(WH, {**renamed, "name": "赵陆"}, 2)
    p.expect("trainee renamed", "RETROACTIVE_CHANGE", "medium", [(WH, "trainee", t)])
    t = p.person("N")
    a = p.session("N", t, "2020-03-24T08:00:00", "2020-03-24T08:50:00", source_id="NR1")
    p.session("N", t, "2020-03-24T08:00:00", "2020-03-24T08:50:00", round_=2, source_id="NR1")
    p.session(
        "N", t, "2020-03-24T09:00:00", "2020-03-24T09:50:00", source_id="NR2", activity="视频"
    )
    p.session(
        "N", t, "2020-03-24T09:00:00", "2020-03-24T09:50:00", round_=2, source_id="NR2",
        activity="视频 第2章",
    )  # fmt: skip
    p.near("re-sent unchanged; only the activity changed", [a, (WH, "session", "NR2")])

    # DOUBLE_CLAIM: same occupation and level, two organisations, one year.
    t = p.person("X", platforms=(WH, HH), classes=((WH, "XK7"), (HH, "XK9")))
    p.expect(
        "claimed by two organisations",
        "DOUBLE_CLAIM",
        "high",
        [(WH, "enrolment", f"XE{p._ids}-XK7"), (HH, "enrolment", f"XE{p._ids}-XK9")],
    )
    t = p.person("N", classes=((WH, "XK7"), (WH, "XK8")))
    p.near(
        "two organisations, different level",
        [(WH, "enrolment", f"NE{p._ids}-XK7"), (WH, "enrolment", f"NE{p._ids}-XK8")],
    )
    for klass, org, platform in (("XK7", ORG_A, WH), ("XK8", ORG_C, WH), ("XK9", ORG_C, HH)):
        p.claims.append({"platform": platform, "class": klass, "organisation": org, "year": 2020})

    # CERTIFICATE_BEFORE_TRAINING
    def certificate(prefix: str, trainee: str, issued: str) -> tuple[str, str, str]:
        sid = f"{prefix}Z{trainee}"
        p.add(
            WH,
            {
                "type": "certificate",
                "source_id": sid,
                "trainee_source_id": trainee,
                "class_source_id": "XK1",
                "kind": "training_completion",
                "number": f"NO-{sid}",
                "issued_on": issued,
            },
        )
        return (WH, "certificate", sid)

    t = p.person("X")
    p.session("X", t, "2020-03-10T19:00:00", "2020-03-10T19:52:00")
    late = p.session("X", t, "2020-03-20T19:00:00", "2020-03-20T19:53:00")
    z = certificate("X", t, "2020-03-15")
    p.expect(
        "certificate before the last session", "CERTIFICATE_BEFORE_TRAINING", "high", [z, late]
    )
    t = p.person("N")
    a = p.session("N", t, "2020-03-20T19:00:00", "2020-03-20T19:54:00")
    z = certificate("N", t, "2020-03-20")
    p.near("certificate on the day of the last session", [a, z])


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def build() -> dict[str, Any]:
    p = Plan()
    _courses_and_classes(p)
    _sessions_and_days(p)
    _identities(p)
    _history_claims_certificates(p)
    base: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for platform, record in generate(BASE_PERSONS, seed=11):
        base[platform].append(record)
    base_ids = {r["id_number"] for rs in base.values() for r in rs if r["type"] == "trainee"}
    planted_ids = {r["id_number"] for rs in p.records.values() for r in rs if "id_number" in r}
    assert not base_ids & planted_ids, "a planted ID number collides with the base data"
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.ndjson"):
        old.unlink()
    for platform, records in base.items():
        _write(OUT / f"{platform}.0.ndjson", records)
    for (round_, platform), records in p.records.items():
        _write(OUT / f"{platform}.{round_}.ndjson", records)
    expected = {
        "alerts": p.expected,
        "near_misses": p.near_misses,
        "claims": p.claims,
        "approvals": p.approvals,
    }
    (OUT / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return expected


if __name__ == "__main__":
    result = build()
    print(f"{len(result['alerts'])} planted alerts, {len(result['near_misses'])} near-misses")
