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
            raise PlatformConfigError(f"{path}: platform #{index}: {error}") from error
    codes = [c.code for c in configs]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise PlatformConfigError(f"{path}: duplicate platform codes {duplicates}")
    return configs
