"""Fault switches shared by every simulated platform, and the transport faults a gateway applies.

Data faults (malformed records, duplicated and shifted pages, records changed after serving) are
applied where each platform cuts its pages; transport faults (500s, 429 with Retry-After, slow
answers) are the same for every platform and live here.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, fields
from typing import Any


@dataclass
class Faults:
    """Fault switches; counters ("next N") count down as requests consume them."""

    seed: int = 0
    error_rate: float = 0.0  # share of API requests answered 500 (seeded, reproducible)
    fail_next: int = 0  # the next N API requests are answered 500
    rate_limit_next: int = 0  # the next N API requests are answered 429 ...
    retry_after: str = "1"  # ... carrying this Retry-After (seconds or an HTTP-date)
    slow_next: int = 0  # the next N API requests are answered only after `delay` seconds
    delay: float = 0.0
    malformed_rate: float = 0.0  # share of records (stable by id) served with a garbage field
    duplicate_items: int = 0  # pages repeat the previous page's last N and their own first N
    shift_next: int = 0  # the next N follow-up list requests first update an already-served record
    change_after_serve: int = 0  # the next N records served are changed right after serving


async def transport_fault(faults: Faults, rng: random.Random) -> tuple[int, dict[str, str]] | None:
    """The failure this request meets — (HTTP status, headers) — or None to answer it normally.

    Applied in the order a real gateway would: rate limit, then server error, then slowness.
    """
    if faults.rate_limit_next > 0:
        faults.rate_limit_next -= 1
        return 429, {"Retry-After": faults.retry_after}
    if faults.fail_next > 0 or (faults.error_rate > 0 and rng.random() < faults.error_rate):
        faults.fail_next = max(0, faults.fail_next - 1)
        return 500, {}
    if faults.slow_next > 0:
        faults.slow_next -= 1
        await asyncio.sleep(faults.delay)
    return None


def apply_faults(faults: Faults, changes: Any) -> None:
    """Set switches from a JSON object of Faults fields; ValueError naming unknown ones."""
    if not isinstance(changes, dict):
        raise ValueError("faults must be a JSON object")
    unknown = set(changes) - {f.name for f in fields(Faults)}
    if unknown:
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(faults, name, value)
