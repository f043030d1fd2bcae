"""JSON built in SQL, one dialect at a time: objects, arrays and GraphQL's scalar formats.

Every value is rendered exactly as the resolvers' JSON renders it (ISO timestamps in UTC with
`+00:00`, enum names, urlsafe base64 ids), so the compiled and resolved answers are the same.
PostgreSQL builds `json`; SQLite builds text with the JSON subtype, which does not survive a
subquery, hence the `json()` around nested values there.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from sqlalchemy import Text, case, cast, func, literal_column
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql import ColumnElement

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_SAFE_TEXT = re.compile(r"^[-_:./A-Za-z0-9]*$")


def text_literal(value: str) -> ColumnElement[Any]:
    """A constant string inlined in the SQL (names and prefixes only: checked, never user text)."""
    if not _SAFE_TEXT.match(value):
        raise ValueError(f"not a safe literal: {value!r}")
    return literal_column(f"'{value}'", Text)


class JsonSql:
    """The JSON-building SQL of one dialect."""

    def __init__(self, dialect_name: str) -> None:
        self.postgres = dialect_name == "postgresql"

    # structure --------------------------------------------------------------------------------
    def obj(self, pairs: list[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        """A JSON object of (response key, value) pairs, in order."""
        args: list[Any] = []
        for key, value in pairs:
            if not _NAME.match(key):
                raise ValueError(f"not a GraphQL name: {key!r}")
            args += [literal_column(f"'{key}'", Text), value]
        return (func.json_build_object if self.postgres else func.json_object)(*args)

    def nested(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON value coming out of a subquery, kept JSON when embedded in another."""
        return value if self.postgres else func.json(value)

    def array(
        self,
        item: ColumnElement[Any],
        order_by: list[ColumnElement[Any]],
        where: ColumnElement[bool] | None = None,
    ) -> ColumnElement[Any]:
        """The JSON array of `item` over the rows, in `order_by` order ([] when there are none).

        SQLite (before 3.44) has no ORDER BY inside aggregates: its rows come from an ordered
        subquery, which it aggregates in that order.
        """
        if self.postgres:
            aggregate = func.json_agg(aggregate_order_by(item, *order_by))
            if where is not None:
                aggregate = aggregate.filter(where)
            return func.coalesce(aggregate, literal_column("'[]'::json"))
        aggregate = func.json_group_array(item)  # an object built here: still JSON
        return aggregate.filter(where) if where is not None else aggregate

    def least(self, a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.least(a, b) if self.postgres else func.min(a, b)

    def text(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """The final JSON as text (the driver returns it as is)."""
        return cast(value, Text) if self.postgres else value

    # scalars ----------------------------------------------------------------------------------
    def boolean(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.postgres:
            return value
        return case(
            (value.is_(None), None),
            (value, func.json(literal_column("'true'"))),
            else_=func.json(literal_column("'false'")),
        )

    def constant_boolean(self, value: bool) -> ColumnElement[Any]:
        word = "true" if value else "false"
        return literal_column(word) if self.postgres else func.json(literal_column(f"'{word}'"))

    def number(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A float: SQLite's JSON keeps 15 digits, so print the 17 that round-trip."""
        if self.postgres:
            return value
        printed = func.json(func.printf(literal_column("'%!.17g'"), value))
        return case((value.is_(None), None), else_=printed)

    def timestamp(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """`datetime.isoformat()` of a UTC timestamp: microseconds only when not zero."""
        if self.postgres:
            # `value` is a column (never a subquery: it is written three times); a CASE on
            # the whole second costs a third of the regexp_replace it replaces, which was most
            # of the JSON building of a roster page's sessions
            utc = func.timezone(literal_column("'UTC'"), value)
            seconds = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
            whole = func.date_trunc(literal_column("'second'"), value) == value
            fraction = case(
                (whole, literal_column("''")), else_=func.to_char(utc, literal_column("'.US'"))
            )
            return seconds.concat(fraction).concat(literal_column("'+00:00'"))
        # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; NULL stays NULL through || (and no
        # CASE: SQLite's parser stack is shallow, and deep pages nest many of these)
        space, t = literal_column("' '"), literal_column("'T'")
        iso = func.replace(
            func.replace(value, space, t), literal_column("'.000000'"), literal_column("''")
        )
        return iso.concat(literal_column("'+00:00'"))

    def date(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.postgres:
            return func.to_char(value, literal_column("'YYYY-MM-DD'"))
        return value

    def enum(self, value: ColumnElement[Any], enum: type[Enum]) -> ColumnElement[Any]:
        """An enum column (stored by value) as its GraphQL name."""
        whens = [(value == text_literal(str(m.value)), text_literal(m.name)) for m in enum]
        return case(*whens, else_=None)

    def b64(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        """urlsafe base64 with padding, as `base64.urlsafe_b64encode` writes it."""
        if self.postgres:
            utf8 = func.convert_to(text, literal_column("'UTF8'"))
            encoded = func.encode(utf8, literal_column("'base64'"))
            return func.translate(encoded, literal_column("E'+/\\n'"), literal_column("'-_'"))
        return func.hub_b64(text)

    def prefixed_id(self, prefix: str, row_id: ColumnElement[Any]) -> ColumnElement[Any]:
        """base64 of '<prefix>:<row id>': global ids and cursors."""
        return self.b64(text_literal(f"{prefix}:").concat(cast(row_id, Text)))
