"""Why records of one run went to quarantine, grouped, for the operator who ran it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import QuarantinedRecord

_LINE_PREFIX = re.compile(r"^line (\d+): ")
SHOWN_SOURCES = 3


@dataclass
class ReasonGroup:
    """One reason, how many records it stopped and the first few of them."""

    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


async def quarantine_reasons(session: AsyncSession, run_id: int) -> list[ReasonGroup]:
    """The run's quarantined records grouped by reason, most frequent first.

    Reasons that differ only by the file line they name ("line 7: invalid JSON …") form one
    group; the line then stands in for the missing source id among the examples.
    """
    rows = await session.execute(
        select(QuarantinedRecord.reason, QuarantinedRecord.source_id)
        .where(QuarantinedRecord.sync_run_id == run_id)
        .order_by(QuarantinedRecord.id)
    )
    groups: dict[str, ReasonGroup] = {}
    for reason, source_id in rows:
        line = _LINE_PREFIX.match(reason)
        key = _LINE_PREFIX.sub("", reason)
        group = groups.setdefault(key, ReasonGroup(key))
        group.count += 1
        example = source_id or (f"line {line.group(1)}" if line else None)
        if example and len(group.examples) < SHOWN_SOURCES:
            group.examples.append(example)
    return sorted(groups.values(), key=lambda g: -g.count)
