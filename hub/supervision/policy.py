"""The thresholds the supervision rules apply, per jurisdiction.

Every threshold has a regional default; a city or district may override any of them. Rules turn
a threshold into a SQL expression over the region code of the class a row belongs to (a district
override beats its city's, which beats the default), so one query serves every jurisdiction.
This module is the one place the values live, so it can later read versioned policy parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, case, literal


@dataclass(frozen=True)
class Thresholds:
    """The numbers the rules compare against."""

    utc_offset_hours: int = 8  # local days (Asia/Shanghai) for daily totals
    daily_max_seconds: int = 8 * 3600  # DAILY_HOURS_EXCEEDED
    online_share_max: float = 0.4  # ONLINE_SHARE_EXCEEDED: of the course's total hours
    duration_tolerance_seconds: int = 300  # DURATION_MISMATCH: allowed |reported - actual| ...
    duration_tolerance_ratio: float = 0.1  # ... or this share of the actual, whichever is larger
    bulk_identical_times: int = 5  # BULK_FABRICATION: persons with the same start and end
    bulk_identical_durations: int = 8  # ... persons in one class with the same duration in a day
    min_age: int = 16  # IDENTITY_MISMATCH: nobody younger trains on a subsidy
    max_working_age_male: int = 60  # ... older in a category that presumes working age
    max_working_age_female: int = 55  # (retirement: men 60, women 50 or 55)
    working_age_categories: tuple[str, ...] = (
        "unemployed",
        "job_transfer_employee",
        "other_eligible",
    )
    category_max_age: tuple[tuple[str, int], ...] = (
        ("non_continuing_graduate", 25),
        ("college_graduate", 30),
        ("poor_family_child", 30),
    )
    retroactive_fields: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("session", ("started_at", "ended_at", "reported_seconds", "trainee_source_id")),
        ("trainee", ("name", "id_number", "identity_category")),
        ("course", ("total_hours", "online_hours")),
        ("class", ("starts_on", "ends_on")),
    )
    inactive_claim_statuses: tuple[str, ...] = ("rejected", "withdrawn")


# Thresholds a rule may vary by the jurisdiction of the class (numbers only).
LOCAL = (
    "daily_max_seconds",
    "online_share_max",
    "duration_tolerance_seconds",
    "duration_tolerance_ratio",
    "bulk_identical_times",
    "bulk_identical_durations",
)


@dataclass(frozen=True)
class Policy:
    """Regional defaults plus per-region overrides of the LOCAL thresholds."""

    defaults: Thresholds = field(default_factory=Thresholds)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def value_by_region(self, name: str, parents: dict[str, str | None]) -> dict[str, Any]:
        """Region code -> value of `name`, for the codes where it differs from the default."""
        default = getattr(self.defaults, name)
        found: dict[str, Any] = {}
        for code, parent in parents.items():
            own = self.overrides.get(code, {})
            inherited = self.overrides.get(parent or "", {})
            value = own.get(name, inherited.get(name, default))
            if value != default:
                found[code] = value
        return found

    def with_override(self, region_code: str, **values: Any) -> Policy:
        """A copy with `values` overriding the defaults in `region_code` (and its districts)."""
        unknown = set(values) - set(LOCAL)
        if unknown:
            raise ValueError(f"not a per-jurisdiction threshold: {sorted(unknown)}")
        merged = {**self.overrides, region_code: {**self.overrides.get(region_code, {}), **values}}
        return replace(self, overrides=merged)


DEFAULT_POLICY = Policy()


class Parameters:
    """A policy bound to the region hierarchy: thresholds as SQL expressions."""

    def __init__(self, policy: Policy, parents: dict[str, str | None]) -> None:
        self.policy = policy
        self.t = policy.defaults
        self._parents = parents

    def at(self, name: str, region_code: Any) -> ColumnElement[Any]:
        """Threshold `name` in force where `region_code` (a SQL column) is."""
        default = getattr(self.t, name)
        differing = self.policy.value_by_region(name, self._parents)
        if not differing:
            return literal(default)
        return case(differing, value=region_code, else_=literal(default))
