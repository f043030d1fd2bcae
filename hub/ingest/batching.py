"""Splitting long key lists so IN clauses stay within every engine's parameter limits."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_CLAUSE_LIMIT = 900


def chunks(items: Sequence[T], size: int = IN_CLAUSE_LIMIT) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
