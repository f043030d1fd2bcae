"""The small lookup tables of a simulated run (courses, classes, employers, organisers per platform)
and the per-person plan drawn from them: home district, category, platforms and enrolments."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

from connectors.simulated.names import (
    CITIES,
    DISTRICT_WEIGHTS,
    DISTRICTS,
    LEVEL_NAMES,
    OCCUPATIONS,
    Occupation,
)
from schema.ids import credit_code_check_char

if TYPE_CHECKING:
    from connectors.simulated.dataset import PlatformSpec

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DUAL_PLATFORM_SHARE = 0.05  # persons who are trainees on a second platform too
SECOND_CLASS_SHARE = 0.1  # persons in two classes of their home platform
COMPLETION_SHARE = 0.94  # enrolments that finish their online hours and sit the assessment
MAX_DAILY_LOAD = 4 * 3600  # planned online seconds per day a person's classes may ask for
CLASS_DAILY_LOAD = 2.5 * 3600  # a class is long enough to need at most this per day


class Category(NamedTuple):
    """An identity category with the ages and circumstances that fit it."""

    value: str
    weight: int
    min_age: int
    max_age: int
    female_share: float
    employed: bool  # has an employer credit code
    daytime: bool  # often free to study on weekdays


CATEGORIES: tuple[Category, ...] = (
    Category("enterprise_employee", 38, 20, 58, 0.45, True, False),
    Category("job_transfer_employee", 6, 28, 55, 0.4, True, False),
    Category("unemployed", 12, 22, 55, 0.55, False, True),
    Category("rural_migrant_labourer", 14, 18, 55, 0.4, False, True),
    Category("college_graduate", 8, 21, 26, 0.55, False, True),
    Category("non_continuing_graduate", 4, 18, 21, 0.45, False, True),
    Category("poor_labourer", 4, 20, 59, 0.5, False, True),
    Category("poor_family_child", 3, 18, 25, 0.5, False, True),
    Category("veteran", 3, 21, 45, 0.05, False, False),
    Category("disabled", 2, 20, 55, 0.4, False, True),
    Category("other_eligible", 6, 18, 49, 0.6, False, True),
)


def pick_weighted(totals: Sequence[float], r: float) -> int:
    """Index drawn from cumulative weights with a uniform `r` in [0, 1)."""
    return bisect_right(totals, r * totals[-1])


def cumulative(weights: Sequence[float]) -> list[float]:
    """Running totals of `weights`, for `pick_weighted`."""
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def make_credit_code(prefix: str, area: str, body: str) -> str:
    """A GB 32100 credit code: 2-char registration prefix, area code, GB 11714 organisation code
    (8 characters and its check character) and the MOD 31 check character."""
    total = sum(_BODY_ALPHABET.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    org = body + ("X" if check == 10 else "0" if check == 11 else str(check))
    first17 = prefix + area + org
    return first17 + credit_code_check_char(first17)


def _random_credit_code(rng: random.Random, prefix: str, area: str) -> str:
    if rng.random() < 0.6:
        body = "MA0" + "".join(rng.choice(_BODY_ALPHABET[:31]) for _ in range(5))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    return make_credit_code(prefix, area, body)


@dataclass(frozen=True)
class CourseRow:
    """A course offered on one platform."""

    source_id: str
    occupation: Occupation
    level: int
    online_seconds: int
    record: dict

    def certificate_kind(self, r: float) -> tuple[str, str]:
        """(certificate kind, number prefix) for a uniform `r`."""
        occ = self.occupation
        if occ.standard == "special_ability_spec":
            return "special_ability", "ZX"
        if occ.standard == "national_curriculum":
            return "training_completion", "PX"
        if occ.name == "保安员" and r < 0.7:
            return "vocational_qualification", "ZG"
        if occ.name in ("电工", "焊工") and r < 0.15:
            return "special_operation", "TZ"
        return ("skill_level", "S") if r < 0.6 else ("training_completion", "PX")


class ClassRow(NamedTuple):
    """A training class on one platform; days count from the window's first day."""

    source_id: str
    course: int
    first_day: int
    last_day: int
    record: dict


class Enrolment(NamedTuple):
    platform: int
    klass: int
    online_seconds: int
    offline: int  # offline (on-site) sessions
    completes: bool


class Plan(NamedTuple):
    """What one person does, re-derived from the seed in every pass."""

    index: int
    district: str
    category: int
    female: bool
    platforms: tuple[int, ...]
    employer: str | None
    enrolments: tuple[Enrolment, ...]


def _districts(region_code: str) -> tuple[str, ...]:
    if region_code.endswith("0000"):
        return tuple(d for city in CITIES for d in DISTRICTS.get(city, (city,)))
    if region_code.endswith("00"):
        return DISTRICTS.get(region_code, (region_code,))
    return (region_code,)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class Tables:
    """Per-platform lookup tables (lists indexed by platform) and the person planner."""

    platform_cum: list[float]
    districts: list[tuple[str, ...]]
    district_cum: list[list[float]]
    platform_region: list[str]
    courses: list[list[CourseRow]]
    classes: list[list[ClassRow]]
    employers: list[list[str]]
    birth_range: list[tuple[int, int]]
    id_areas: tuple[str, ...]
    category_cum: list[float]

    def plan(self, index: int, rnd: Callable[[], float]) -> Plan:
        """Draw one person's plan from their own random stream."""
        home = pick_weighted(self.platform_cum, rnd())
        district = self.districts[home][pick_weighted(self.district_cum[home], rnd())]
        category = pick_weighted(self.category_cum, rnd())
        cat = CATEGORIES[category]
        female = rnd() < cat.female_share
        n_platforms = len(self.platform_cum)
        platforms: tuple[int, ...] = (home,)
        if n_platforms > 1 and rnd() < DUAL_PLATFORM_SHARE:
            platforms = (home, (home + 1 + int(rnd() * (n_platforms - 1))) % n_platforms)
        employers = self.employers[home]
        employer = employers[int(rnd() * len(employers))] if cat.employed else None

        picks = [(home, self._pick_class(home, female, rnd))]
        if len(self.classes[home]) > 1 and rnd() < SECOND_CLASS_SHARE:
            picks.append((home, self._pick_free_class(home, female, rnd, picks)))
        if len(platforms) > 1:
            picks.append((platforms[1], self._pick_free_class(platforms[1], female, rnd, picks)))

        planned = []
        for p, k in picks:
            klass = self.classes[p][k]
            span = klass.last_day - klass.first_day + 1
            completes = rnd() < COMPLETION_SHARE
            share = 0.92 + 0.08 * rnd() if completes else 0.15 + 0.45 * rnd()
            online = self.courses[p][klass.course].online_seconds * share
            online = min(online, span * CLASS_DAILY_LOAD)
            offline = 3 + int(rnd() * 6)
            planned.append([p, k, online, offline if completes else offline // 2, completes])
        if len(planned) > 1:  # overlapping classes must still fit in a person's evenings
            first = min(self.classes[p][k].first_day for p, k, *_ in planned)
            last = max(self.classes[p][k].last_day for p, k, *_ in planned)
            peak = 0.0
            for day in range(first, last + 1):
                load = 0.0
                for p, k, online, *_ in planned:
                    c = self.classes[p][k]
                    if c.first_day <= day <= c.last_day:
                        load += online / (c.last_day - c.first_day + 1)
                peak = max(peak, load)
            if peak > MAX_DAILY_LOAD:  # too busy: study less, and drop out if far behind
                scale = MAX_DAILY_LOAD / peak
                for entry in planned:
                    entry[2] *= scale
                    entry[4] = entry[4] and scale >= 0.85
        enrolments = tuple(Enrolment(p, k, int(o), off, c) for p, k, o, off, c in planned)
        return Plan(index, district, category, female, platforms, employer, enrolments)

    def _pick_class(self, p: int, female: bool, rnd: Callable[[], float]) -> int:
        """A class of platform `p`, leaning towards occupations that fit the person's sex."""
        classes, courses = self.classes[p], self.courses[p]
        k = 0
        for _ in range(3):
            k = int(rnd() * len(classes))
            share = courses[classes[k].course].occupation.female_share
            if rnd() < 0.15 + 0.85 * (share if female else 1 - share):
                break
        return k

    def _pick_free_class(
        self, p: int, female: bool, rnd: Callable[[], float], taken: list[tuple[int, int]]
    ) -> int:
        """A further class for a person: of a few candidates, the one overlapping least in time
        with the classes already taken (and never one of them)."""
        best, best_overlap = -1, 1 << 30
        for _ in range(4):
            k = self._pick_class(p, female, rnd)
            if (p, k) in taken:
                continue
            c = self.classes[p][k]
            overlap = 0
            for q, j in taken:
                t = self.classes[q][j]
                overlap += max(0, min(c.last_day, t.last_day) - max(c.first_day, t.first_day) + 1)
            if overlap < best_overlap:
                best, best_overlap = k, overlap
        if best < 0:  # every candidate was taken already: the next free class
            best = next(k for k in range(len(self.classes[p])) if (p, k) not in taken)
        return best


def build_tables(
    persons: int, platforms: Sequence[PlatformSpec], start: date, days: int, seed: int
) -> Tables:
    """The lookup tables of one run; sizes grow with `persons` so classes hold about 38 each."""
    rng = random.Random(seed)
    n = len(platforms)
    districts = [_districts(p.region_code) for p in platforms]
    weights = [[DISTRICT_WEIGHTS.get(d, 1) for d in ds] for ds in districts]
    platform_weights = [sum(w) for w in weights]
    total_weight = sum(platform_weights)
    occ_weights = cumulative([o.weight for o in OCCUPATIONS])

    courses: list[list[CourseRow]] = []
    classes: list[list[ClassRow]] = []
    employers: list[list[str]] = []
    for p in range(n):
        expected = persons * platform_weights[p] / total_weight
        expected_enrolments = (
            expected * (1 + SECOND_CLASS_SHARE) + persons * DUAL_PLATFORM_SHARE / n
        )
        employers.append(
            [
                _random_credit_code(rng, "91", rng.choice(districts[p]))
                for _ in range(min(3000, 40 + int(expected) // 150))
            ]
        )
        organisers = [
            _random_credit_code(rng, "52" if rng.random() < 0.7 else "91", rng.choice(districts[p]))
            for _ in range(min(60, 6 + int(expected) // 2500))
        ]
        chosen: list[int] = []
        while len(chosen) < min(len(OCCUPATIONS), 10 + rng.randrange(5)):
            o = pick_weighted(occ_weights, rng.random())
            if o not in chosen:
                chosen.append(o)
        rows = [_course(rng, p, j, OCCUPATIONS[o]) for j, o in enumerate(chosen)]
        courses.append(rows)
        issue = [0] * len(rows)
        klasses = []
        for j in range(max(2, round(expected_enrolments / 38))):
            c = rng.randrange(len(rows))
            issue[c] += 1
            need = -(-rows[c].online_seconds // CLASS_DAILY_LOAD)
            span = min(days, max(7, int(need) + rng.randrange(6)))
            first = rng.randrange(days - span + 1)
            organiser = rng.choice(organisers)
            sid = f"B{p + 1}-{j + 1:05d}"
            record = {
                "type": "class",
                "source_id": sid,
                "course_source_id": rows[c].source_id,
                "organiser_credit_code": organiser,
                "region_code": organiser[2:8],
                "starts_on": (start + timedelta(days=first)).isoformat(),
                "ends_on": (start + timedelta(days=first + span - 1)).isoformat(),
                "name": f"{rows[c].occupation.name}培训班（{start.year}年第{issue[c]}期）",
            }
            klasses.append(ClassRow(sid, c, first, first + span - 1, record))
        classes.append(klasses)

    birth_range = []
    for cat in CATEGORIES:
        lo = _years_before(start, cat.max_age + 1) + timedelta(days=1)
        hi = _years_before(start, cat.min_age)
        birth_range.append((lo.toordinal(), hi.toordinal()))
    return Tables(
        platform_cum=cumulative(platform_weights),
        districts=districts,
        district_cum=[cumulative(w) for w in weights],
        platform_region=[p.region_code for p in platforms],
        courses=courses,
        classes=classes,
        employers=employers,
        birth_range=birth_range,
        id_areas=_districts("150000"),
        category_cum=cumulative([c.weight for c in CATEGORIES]),
    )


def _course(rng: random.Random, p: int, j: int, occ: Occupation) -> CourseRow:
    if occ.standard == "national_skill_standard":
        level = rng.choices((5, 4, 3, 2), weights=(55, 30, 12, 3))[0]
        title = f"{occ.name}（{LEVEL_NAMES[level]}）线上培训"
    else:
        level = 5
        suffix = "专项职业能力培训" if occ.standard == "special_ability_spec" else "（线上课程）"
        title = occ.name + suffix
    total = rng.choice({5: (48, 56, 64, 80), 4: (80, 96, 120), 3: (120,), 2: (120,)}[level])
    online = int(total * rng.choice((0.35, 0.4, 0.4, 0.4)))
    sid = f"K{p + 1}-{j + 1:03d}"
    record = {
        "type": "course",
        "source_id": sid,
        "title": title,
        "occupation_name": occ.name,
        "skill_level": level,
        "total_hours": total,
        "online_hours": online,
        "standard": occ.standard,
    }
    if occ.code:
        record["occupation_code"] = occ.code
    return CourseRow(sid, occ, level, online * 3600, record)
