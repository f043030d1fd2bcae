"""What a rule is: two set-based queries (findings, and the records behind them) and a judgement.

A rule never loops over sessions in Python: `findings` returns one row per finding, already
aggregated in SQL; `records` returns, per finding key, the platform records involved; `judge`
turns one finding row into a severity and its evidence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Subquery

from hub.supervision.policy import Parameters, Thresholds
from schema.tables import LearningSession

ONLINE = "online"


@dataclass(frozen=True)
class RuleContext:
    """Thresholds and, for an incremental check, what the last sync touched.

    `persons`, `classes`, `sessions` and `versions` are the ids touched (record_version ids for
    `versions`); None means the whole dataset is checked. `changed_classes` are the classes
    whose own record, course or enrolments changed (None: all of `classes`): the classes a
    (person, class) rule must re-check whole. A touched session or certificate needs no more
    than its person's rows there (its person is touched); a group across persons in one class
    (BULK_FABRICATION) needs every touched class.
    """

    params: Parameters
    persons: Sequence[int] | None = None
    classes: Sequence[int] | None = None
    sessions: Sequence[int] | None = None
    versions: Sequence[int] | None = None
    changed_classes: Sequence[int] | None = None

    @property
    def t(self) -> Thresholds:
        return self.params.t

    @property
    def incremental(self) -> bool:
        return self.persons is not None

    def person(self, person_id: Any) -> ColumnElement[bool]:
        """Rows of the persons a sync touched (all rows when checking everything)."""
        return true() if self.persons is None else person_id.in_(self.persons)

    def within(self, scope: str | None, person_id: Any, class_id: Any) -> ColumnElement[bool]:
        """Rows inside an incremental restriction of kind `scope` (everything when full)."""
        if not self.incremental:
            return true()
        if scope == "person":
            return self.person(person_id)
        if scope == "class":
            return class_id.in_(self.classes)
        if scope == "person_or_class":
            return self.person_or_class(person_id, class_id)
        return false()

    @property
    def pair_classes(self) -> Sequence[int] | None:
        """The classes a (person, class) rule re-checks whole (None when checking everything)."""
        return self.classes if self.changed_classes is None else self.changed_classes

    def person_or_class(self, person_id: Any, class_id: Any) -> ColumnElement[bool]:
        """Rows of touched persons or of classes that changed themselves (all rows when
        checking everything)."""
        classes = self.pair_classes
        if self.persons is None or classes is None:
            return true()
        return or_(person_id.in_(self.persons), class_id.in_(classes))


Judge = Callable[[Mapping[str, Any], Thresholds], tuple[str, dict[str, Any]]]
# Adds detail to the evidence of all findings of one run at once (one query, not one per finding).
Enrich = Callable[[AsyncSession, list[tuple[Mapping[str, Any], dict[str, Any]]]], Awaitable[None]]


@dataclass(frozen=True)
class Rule:
    """One detector. `name` distinguishes variants of one alert code (e.g. two bulk patterns).

    `findings(ctx)` selects the key columns plus `person_id`, `class_id` and `region_code`
    (a fallback when there is no class) and whatever `judge` needs; `records(ctx, found)`
    selects the key columns plus `platform_id, record_type, source_id, row_id`.
    """

    code: str
    name: str
    key: tuple[str, ...]
    findings: Callable[[RuleContext], Select]
    records: Callable[[RuleContext, Subquery], Select]
    judge: Judge
    # What an incremental run restricted `findings` to, so that only open alerts inside that
    # restriction are resolved when not found again: "person", "person_or_class", "class", or
    # None (the rule restricts otherwise; its alerts are resolved only by a full check).
    scope: str | None = "person"
    enrich: Enrich | None = None

    def dedup_key(self, row: Mapping[str, Any]) -> str:
        return ":".join([self.name, *(str(row[k]) for k in self.key)])

    @property
    def key_prefix(self) -> str:
        return self.name + ":"


def session_records(found: Subquery, key: tuple[str, ...], on: ColumnElement[bool]) -> Select:
    """The sessions matching `on` for each finding, as alert records."""
    s = LearningSession
    return select(
        *(found.c[k] for k in key),
        s.platform_id,
        literal("session").label("record_type"),
        s.source_id,
        s.id.label("row_id"),
    ).join(found, on)


def records_of(table: Any, record_type: str, found: Subquery, key: tuple[str, ...]) -> Any:
    """Columns selecting `table` rows as alert records of type `record_type`."""
    return (
        *(found.c[k] for k in key),
        table.platform_id,
        literal(record_type).label("record_type"),
        table.source_id,
        table.id.label("row_id"),
    )
