"""Streaming XLSX writing: rows from partitioned query results into write-only worksheets.

openpyxl's write-only worksheets spool each sheet to a temporary file as rows are appended, and
rows are fetched from the database `BATCH` at a time, so memory stays flat whatever the row count.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

BATCH = 1000


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: AsyncIterator[Sequence[Any]]


async def stream_rows(session: AsyncSession, query: Select) -> AsyncIterator[Any]:
    """Rows of `query` fetched in partitions, never all at once."""
    result = await session.stream(query.execution_options(yield_per=BATCH))
    async for partition in result.partitions(BATCH):
        for row in partition:
            yield row


async def write_workbook(sheets: list[Sheet]) -> Path:
    """Write the sheets to a temporary XLSX file and return its path (the caller deletes it)."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.append(list(sheet.headers))
        async for row in sheet.rows:
            worksheet.append(list(row))
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    workbook.save(handle.name)
    return Path(handle.name)
