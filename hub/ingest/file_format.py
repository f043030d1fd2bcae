"""What `hub import` accepts as a file, checked before the first record is read.

Canonical records come one JSON object per line (NDJSON) in UTF-8. Files exported on Chinese
Windows desktops are often GBK (GB18030 is its superset); those are read as such, as the
spreadsheet connector does, and said so. A binary file or a JSON array is refused with a line
saying what was found and how to convert it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

_SAMPLE_BYTES = 1 << 20  # enough to decide; the whole file is decoded strictly as it is read


class UnreadableFile(ValueError):
    """The file is not NDJSON text in an encoding the hub reads."""


@dataclass(frozen=True)
class TextFormat:
    """How to open an import file: its encoding, and a note for the operator when not UTF-8."""

    encoding: str
    note: str | None = None


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(sample, final=False)  # a multi-byte character cut at the end is fine
    except UnicodeDecodeError:
        return False
    return True


def detect_format(path: Path) -> TextFormat:
    """The encoding to read `path` with, or UnreadableFile saying why it cannot be imported."""
    with path.open("rb") as file:
        sample = file.read(_SAMPLE_BYTES)
    if b"\x00" in sample:
        offset = sample.index(b"\x00")
        raise UnreadableFile(
            f"{path} is a binary file (a NUL byte at offset {offset}), not NDJSON text: "
            "export the records as one JSON object per line in UTF-8"
        )
    if _decodes(sample, "utf-8-sig"):
        text_format = TextFormat("utf-8-sig")
    elif _decodes(sample, "gb18030"):
        text_format = TextFormat(
            "gb18030",
            note=f"{path} is not UTF-8; read it as GBK/GB18030 "
            f"(to convert: iconv -f GB18030 -t UTF-8 {path} > {path.stem}.utf8{path.suffix})",
        )
    else:
        raise UnreadableFile(
            f"{path} is neither UTF-8 nor GBK text: convert it to UTF-8 "
            f"(iconv -f <its encoding> -t UTF-8 {path} > {path.stem}.utf8{path.suffix})"
        )
    head = sample.decode(text_format.encoding, errors="ignore").lstrip("\ufeff \t\r\n")
    if head.startswith("["):
        raise UnreadableFile(
            f"{path} holds a JSON array; `hub import` reads NDJSON, one JSON object per line: "
            f"convert it with  jq -c '.[]' {path} > {path.stem}.lines.ndjson"
        )
    return text_format
