"""Open alerts per statistics group — the seam to the supervision domain's `alert` table.

The alert table is built on another branch. Until it exists, every group has 0 open alerts; when
it lands, this function counts its open rows grouped by the same key columns (the alert's class
region → city/district, platform, organiser, trainee category, course occupation, month raised),
under the same scope predicate, and nothing else in the statistics needs to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.stats.query import ScopeFor, StatDimension, StatFilterValues
from schema.tables import metadata


async def open_alerts(
    session: AsyncSession,
    dimensions: Sequence[StatDimension],
    scope: ScopeFor,
    given: StatFilterValues | None = None,
) -> dict[tuple[Any, ...], int]:
    """Open alerts per group key; empty (every group 0) while no `alert` table exists."""
    if "alert" not in metadata.tables:
        return {}
    raise NotImplementedError("wire the alert table into hub/stats/alerts.py at merge")
