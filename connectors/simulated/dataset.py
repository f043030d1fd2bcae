"""Deterministic, streaming generator of realistic canonical records (format v1).

`generate(persons, seed)` yields `(platform_code, record)` pairs: per platform, all trainees, then
courses, classes, enrolments, sessions, assessments and certificates, so every reference points at
a record already sent. The data is clean on purpose — no overlapping sessions for one person across
platforms, at most six online hours a day, a trainee's online hours in a class within the course's
online hours (≤ 40% of its total), sessions only inside class dates and only for enrolled trainees,
certificates only after training — so planted fraud patterns are the only ones a detector finds.

Memory stays flat in the number of persons: each person is re-derived from `(seed, person index)`
by a private `random.Random` in every pass instead of being kept; only the small tables (platforms,
courses, classes, employers, organisers) live for the whole run. Resident ID numbers and phone
numbers are unique by construction (see `_person_identity`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from connectors.simulated.names import (
    FEMALE_GIVEN,
    MALE_GIVEN,
    MONGOLIAN_FEMALE,
    MONGOLIAN_MALE,
    SURNAMES,
)
from connectors.simulated.schedule import Track, schedule
from connectors.simulated.tables import (
    CATEGORIES,
    CourseRow,
    Plan,
    Tables,
    build_tables,
    cumulative,
    make_credit_code,
    pick_weighted,
)
from schema.ids import resident_id_check_char


@dataclass(frozen=True)
class PlatformSpec:
    """A training platform the simulated data lives on."""

    code: str
    name: str
    region_code: str
    operator_credit_code: str


def default_platforms() -> list[PlatformSpec]:
    """Three city platforms: Wuhai (150300), Hohhot (150100) and Baotou (150200)."""
    return [
        PlatformSpec(
            "wuhai-skills",
            "乌海市职业技能线上培训平台",
            "150300",
            make_credit_code("91", "150302", "MA0N4K7B"),
        ),
        PlatformSpec(
            "hohhot-online",
            "呼和浩特市职业技能提升在线学习平台",
            "150100",
            make_credit_code("91", "150105", "MA0MW3E2"),
        ),
        PlatformSpec(
            "baotou-cloud",
            "包头市技能云课堂",
            "150200",
            make_credit_code("91", "150203", "MA0Q8HT5"),
        ),
    ]


_PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip
_SURNAME_CUM = cumulative([w for w, _ in SURNAMES])
_SEQ_PER_DAY = 500  # 3-digit sequence codes per sex


def _seed(seed: int, index: int, stream: int) -> int:
    return ((seed * 0x9E3779B1 + index) << 3) + stream


class _Generator:
    """One run: the tables, and the passes that re-derive each person from the seed."""

    def __init__(
        self, persons: int, seed: int, platforms: list[PlatformSpec], start: date, weeks: int
    ) -> None:
        if persons < 0:
            raise ValueError("persons must not be negative")
        if weeks < 1:
            raise ValueError("weeks must be at least 1")
        if not platforms or len({p.code for p in platforms}) != len(platforms):
            raise ValueError("platforms must be a non-empty list with unique codes")
        self.persons = persons
        self.seed = seed
        self.codes = [p.code for p in platforms]
        self.start = start
        self.days = weeks * 7
        self.tables: Tables = build_tables(persons, platforms, start, self.days, _seed(seed, 0, 7))
        self.day_names = [(start + timedelta(days=d)).isoformat() for d in range(self.days)]
        self.weekend = [(start.weekday() + d) % 7 >= 5 for d in range(self.days)]
        self.id_days = max(1, -(-persons // _SEQ_PER_DAY))
        self.phone_step = 7_654_321
        self.phone_offset = (seed * 977 + 12_345) % 100_000_000
        self._rng = _Rng()

    # -- passes ------------------------------------------------------------------------------

    def run(self) -> Iterator[tuple[str, dict]]:
        """All records: one pass over the persons per record type, tables in between."""
        codes = self.codes
        yield from self._trainees()
        for p, rows in enumerate(self.tables.courses):
            for course in rows:
                yield codes[p], course.record
        for p, rows in enumerate(self.tables.classes):
            for klass in rows:
                yield codes[p], klass.record
        yield from self._enrolments()
        yield from self._sessions()
        yield from self._outcomes(certificates=False)
        yield from self._outcomes(certificates=True)

    def _people(self) -> Iterator[tuple[Plan, list[str]]]:
        """Every person's plan with their trainee source_id on each of their platforms."""
        counters = [0] * len(self.codes)
        for i in range(self.persons):
            plan = self.tables.plan(i, self._rng.at(_seed(self.seed, i, 0)))
            sids = []
            for p in plan.platforms:
                counters[p] += 1
                sids.append(f"T{p + 1}-{counters[p]:06d}")
            yield plan, sids

    def _trainees(self) -> Iterator[tuple[str, dict]]:
        for plan, sids in self._people():
            identity = self._person_identity(plan)
            for p, sid in zip(plan.platforms, sids, strict=True):
                yield self.codes[p], {"type": "trainee", "source_id": sid, **identity}

    def _enrolments(self) -> Iterator[tuple[str, dict]]:
        counters = [0] * len(self.codes)
        classes = self.tables.classes
        for plan, sids in self._people():
            for e in plan.enrolments:
                counters[e.platform] += 1
                klass = classes[e.platform][e.klass]
                enrolled = klass.first_day - 1 - (plan.index * 7 + e.klass) % 10
                yield (
                    self.codes[e.platform],
                    {
                        "type": "enrolment",
                        "source_id": f"E{e.platform + 1}-{counters[e.platform]:07d}",
                        "class_source_id": klass.source_id,
                        "trainee_source_id": sids[plan.platforms.index(e.platform)],
                        "enrolled_on": (self.start + timedelta(days=enrolled)).isoformat(),
                    },
                )

    def _sessions(self) -> Iterator[tuple[str, dict]]:
        counters = [0] * len(self.codes)

        def next_id(p: int) -> str:
            counters[p] += 1
            return f"S{p + 1}-{counters[p]:08d}"

        classes = self.tables.classes
        codes = self.codes
        for plan, sids in self._people():
            rnd = self._rng.at(_seed(self.seed, plan.index, 1))
            tracks = []
            for e in plan.enrolments:
                klass = classes[e.platform][e.klass]
                span = klass.last_day - klass.first_day + 1
                offline = sorted({klass.first_day + int(rnd() * span) for _ in range(e.offline)})
                tracks.append(
                    Track(
                        e.platform,
                        sids[plan.platforms.index(e.platform)],
                        klass.source_id,
                        klass.first_day,
                        klass.last_day,
                        e.online_seconds,
                        tuple(offline),
                    )
                )
            daytime = CATEGORIES[plan.category].daytime
            for p, record in schedule(tracks, rnd, self.day_names, self.weekend, daytime, next_id):
                yield codes[p], record

    def _outcomes(self, certificates: bool) -> Iterator[tuple[str, dict]]:
        """Assessments (or, with `certificates`, the certificates) of those who finished."""
        counters = [0] * len(self.codes)
        classes = self.tables.classes
        courses = self.tables.courses
        for plan, sids in self._people():
            rnd = self._rng.at(_seed(self.seed, plan.index, 2))
            for e in plan.enrolments:
                if not e.completes:
                    continue
                p = e.platform
                klass = classes[p][e.klass]
                course = courses[p][klass.course]
                day = klass.last_day + 1 + int(rnd() * 3)
                second = 9 * 3600 + int(rnd() * 7 * 3600)
                passed = rnd() < 0.95
                score = round(60 + 39.5 * rnd(), 1) if passed else round(30 + 29.5 * rnd(), 1)
                certified = passed and rnd() < 0.85
                kind_r = rnd()
                issued = klass.last_day + 5 + int(rnd() * 20)
                if certified or not certificates:
                    counters[p] += 1
                trainee = sids[plan.platforms.index(p)]
                if not certificates:
                    when = self.start + timedelta(days=day)
                    yield (
                        self.codes[p],
                        {
                            "type": "assessment",
                            "source_id": f"A{p + 1}-{counters[p]:07d}",
                            "trainee_source_id": trainee,
                            "class_source_id": klass.source_id,
                            "assessed_at": f"{when.isoformat()}T{second // 3600:02d}:"
                            f"{second // 60 % 60:02d}:{second % 60:02d}+08:00",
                            "passed": passed,
                            "score": score,
                        },
                    )
                elif certified:
                    yield (
                        self.codes[p],
                        self._certificate(
                            p, counters[p], trainee, klass.source_id, course, kind_r, issued
                        ),
                    )

    def _certificate(
        self, p: int, n: int, trainee: str, klass: str, course: CourseRow, kind_r: float, day: int
    ) -> dict:
        issued = self.start + timedelta(days=day)
        kind, prefix = course.certificate_kind(kind_r)
        region = self.tables.platform_region[p]
        record = {
            "type": "certificate",
            "source_id": f"Z{p + 1}-{n:07d}",
            "trainee_source_id": trainee,
            "kind": kind,
            "number": f"{prefix}{region}{issued.year}{p + 1:02d}{n:07d}",
            "issued_on": issued.isoformat(),
            "class_source_id": klass,
        }
        if course.occupation.code:
            record["occupation_code"] = course.occupation.code
        if kind in ("skill_level", "vocational_qualification"):
            record["skill_level"] = course.level
        return record

    # -- identity ----------------------------------------------------------------------------

    def _person_identity(self, plan: Plan) -> dict:
        """Name, resident ID, phone and employer of one person (the trainee fields but source_id).

        Uniqueness by construction: the ID's sequence code carries `index mod 500` (permuted) and
        the sex, and the birth date is chosen so that its day number is `index // 500` modulo
        `id_days`; two persons thus never share (birth date, sequence code).
        """
        i = plan.index
        rnd = self._rng.at(_seed(self.seed, i, 3))
        cat = CATEGORIES[plan.category]
        female = plan.female
        if rnd() < 0.085:
            mongolian = MONGOLIAN_FEMALE if female else MONGOLIAN_MALE
            name = mongolian[int(rnd() * len(mongolian))]
        else:
            given = FEMALE_GIVEN if female else MALE_GIVEN
            name = SURNAMES[pick_weighted(_SURNAME_CUM, rnd())][1] + given[int(rnd() * len(given))]
            if len(name) == 2 and rnd() < 0.45:  # most given names have two characters
                name += given[int(rnd() * 30)]
        lo, hi = self.tables.birth_range[plan.category]
        q = i // _SEQ_PER_DAY
        born = lo + int(rnd() * (hi - lo + 1))
        born -= (born - q) % self.id_days
        if born < lo:
            born += self.id_days
        if born > hi:
            born -= self.id_days
        seq = ((i * 7919) % _SEQ_PER_DAY) * 2 + (0 if female else 1)
        area = (
            plan.district
            if rnd() < 0.85
            else self.tables.id_areas[int(rnd() * len(self.tables.id_areas))]
        )
        first17 = f"{area}{date.fromordinal(born):%Y%m%d}{seq:03d}"
        identity = {
            "name": name,
            "id_number": first17 + resident_id_check_char(first17),
            "identity_category": cat.value,
            "region_code": plan.district,
        }
        if rnd() < 0.98:
            prefix = _PHONE_PREFIXES[int(rnd() * len(_PHONE_PREFIXES))]
            body = (i * self.phone_step + self.phone_offset) % 100_000_000
            identity["phone"] = f"{prefix}{body:08d}"
        if plan.employer is not None:
            identity["employer_credit_code"] = plan.employer
        return identity


class _Rng:
    """A reusable `random.Random` re-seeded per person and stream."""

    def __init__(self) -> None:
        self._random = random.Random(0)

    def at(self, seed: int) -> Callable[[], float]:
        """Re-seed and return the bound `random()` method."""
        self._random.seed(seed)
        return self._random.random


def generate(
    persons: int,
    seed: int,
    platforms: list[PlatformSpec] | None = None,
    start: date = date(2020, 3, 2),
    weeks: int = 4,
) -> Iterator[tuple[str, dict]]:
    """Stream `(platform_code, canonical record dict)` for `persons` people, deterministically.

    Per platform the records come in dependency order: trainees, courses, classes, enrolments,
    sessions, assessments, certificates. About 5% of persons are trainees on two platforms (same
    ID number and name, different source_id). Training happens in the `weeks` weeks from `start`.
    The same arguments always give the same records in the same order.
    """
    generator = _Generator(persons, seed, platforms or default_platforms(), start, weeks)
    return generator.run()


def generate_by_platform(
    persons: int,
    seed: int,
    platforms: list[PlatformSpec] | None = None,
    start: date = date(2020, 3, 2),
    weeks: int = 4,
) -> dict[str, list[dict]]:
    """All records of a small run grouped by platform code, each list in dependency order."""
    chosen = platforms or default_platforms()
    grouped: dict[str, list[dict]] = {p.code: [] for p in chosen}
    for code, record in generate(persons, seed, chosen, start, weeks):
        grouped[code].append(record)
    return grouped
