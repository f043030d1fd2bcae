"""Scalars the API reads more strictly than strawberry's defaults.

`DateTime` must carry a time zone offset (a naive time is ambiguous: UTC+8 or UTC?) and must
stay a valid time once converted to UTC (`9999-12-31T23:30-01:00` does not): both used to
reach the database and come back as INTERNAL; now they are refused as bad input.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser

from hub.api.time_zone import serialize_datetime


def _aware_datetime(text: str) -> datetime:
    value = DateTimeDefinition.parse_value(text)  # type: ignore[misc]
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a time zone offset is required, e.g. 2020-03-09T08:00:00+08:00")
    try:
        value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("out of range once converted to UTC") from error
    return value


AWARE_DATETIME = dataclasses.replace(
    DateTimeDefinition,
    description=(
        "Date and time, ISO 8601 with offset: UTC unless the request's Time-Zone header asks "
        "for another zone (e.g. Asia/Shanghai → +08:00). Sent values must carry an offset."
    ),
    serialize=serialize_datetime,
    parse_value=wrap_parser(_aware_datetime, "DateTime", exceptions=(ValueError, OverflowError)),
)

SCALAR_OVERRIDES = {datetime: AWARE_DATETIME}
