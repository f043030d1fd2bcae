"""Counts an ingest reports per record type."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class StreamStats:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0

    def add(self, other: StreamStats) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class IngestStats:
    by_type: dict[str, StreamStats] = field(default_factory=dict)

    def of(self, record_type: str) -> StreamStats:
        return self.by_type.setdefault(record_type, StreamStats())

    def add(self, other: IngestStats) -> None:
        for record_type, stats in other.by_type.items():
            self.of(record_type).add(stats)

    @property
    def total(self) -> StreamStats:
        total = StreamStats()
        for stats in self.by_type.values():
            total.add(stats)
        return total

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {name: asdict(stats) for name, stats in sorted(self.by_type.items())}
