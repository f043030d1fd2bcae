"""Splitting a streamed NDJSON body into batches of parsed records, line by line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hub.ingest.files import parse_ndjson_line
from hub.push.errors import InvalidPush

MAX_LINE_BYTES = 1 << 20  # one record; a longer line is refused rather than buffered


async def parse_lines(chunks: AsyncIterator[bytes], batch_size: int) -> AsyncIterator[list[Any]]:
    """Batches of at most `batch_size` records; blank lines are skipped, bad lines quarantined."""
    pending = b""
    number = 0
    batch: list[Any] = []
    async for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        if len(pending) > MAX_LINE_BYTES:
            raise InvalidPush(
                f"line {number + len(lines) + 1} is longer than {MAX_LINE_BYTES} bytes"
            )
        for line in lines:
            number += 1
            record = _decode(line, number)
            if record is not None:
                batch.append(record)
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if pending:
        record = _decode(pending, number + 1)
        if record is not None:
            batch.append(record)
    if batch:
        yield batch


def _decode(line: bytes, number: int) -> Any:
    if number == 1:
        line = line.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
    if not line.strip():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return {"_raw": line.decode("utf-8", "replace"), "_error": f"line {number}: {error}"}
    return parse_ndjson_line(text, number)
