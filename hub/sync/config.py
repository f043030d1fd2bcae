"""Platform declarations (`platforms.toml`): one `[[platform]]` table per platform."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from connectors.base import PlatformConfig


class PlatformConfigError(ValueError):
    """The platforms file is missing, not TOML, or declares an invalid platform."""


def load_platforms(path: Path) -> list[PlatformConfig]:
    """Every platform declared in `path`, validated; codes must be unique."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PlatformConfigError(f"{path}: {error}") from error
    configs = []
    for index, entry in enumerate(document.get("platform", []), start=1):
        try:
            configs.append(PlatformConfig.model_validate(entry))
        except ValidationError as error:
            raise PlatformConfigError(_field_error(path, index, entry, error)) from error
    codes = [c.code for c in configs]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise PlatformConfigError(f"{path}: duplicate platform codes {duplicates}")
    return configs


def _field_error(path: Path, index: int, entry: dict, error: ValidationError) -> str:  # type: ignore[type-arg]
    """`file:line: platform "code": field: problem` for the first invalid field."""
    problems = error.errors()
    fields = [".".join(str(part) for part in p["loc"]) or "?" for p in problems]
    lines = path.read_text(encoding="utf-8").splitlines()
    line = _line_of(lines, index, fields[0])
    code = entry.get("code", f"#{index}")
    described = [
        f"field {field!r}: " + ("missing (required)" if p["type"] == "missing" else p["msg"])
        for field, p in zip(fields, problems, strict=True)
    ]
    return f"{path}:{line}: platform {code!r}: " + "; ".join(described)


def _line_of(lines: list[str], index: int, field: str) -> int:
    """The line of `field` in the index-th [[platform]] table, else of the table's header."""
    headers = [n for n, text in enumerate(lines, start=1) if text.strip() == "[[platform]]"]
    start = headers[index - 1] if index <= len(headers) else 1
    end = headers[index] if index < len(headers) else len(lines) + 1
    key = field.split(".")[0]
    for number in range(start, end):
        if lines[number - 1].split("=")[0].strip() == key:
            return number
    return start
