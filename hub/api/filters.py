"""Filter conditions shared by the domains: area, platform and organisation by their codes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from schema.tables import Course, Organisation, Platform, Region


def in_region(column: Any, code: str) -> ColumnElement[bool]:
    """The column's region is `code` or, for a city, one of its districts."""
    return column.in_(
        select(Region.code).where(or_(Region.code == code, Region.parent_code == code))
    )


def platform_is(column: Any, code: str) -> ColumnElement[bool]:
    return column.in_(select(Platform.id).where(Platform.code == code))


def organisation_is(column: Any, credit_code: str) -> ColumnElement[bool]:
    return column.in_(select(Organisation.id).where(Organisation.credit_code == credit_code))


def within(
    column: Any, since: date | datetime | None, until: date | datetime | None
) -> list[ColumnElement[bool]]:
    """A half-open range [since, until) on a date or time column; either end may be open."""
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions


def occupation_is(value: str) -> ColumnElement[bool]:
    """A course of this occupation, by name (电工) or classification code (6-31-01-03)."""
    return or_(Course.occupation_name == value, Course.occupation_code == value)


def courses_matching(occupation: str | None, skill_level: int | None) -> Any | None:
    """Ids of courses of an occupation and/or skill level; None when neither is asked for."""
    conditions = []
    if occupation:
        conditions.append(occupation_is(occupation))
    if skill_level is not None:
        conditions.append(Course.skill_level == skill_level)
    return select(Course.id).where(*conditions) if conditions else None
