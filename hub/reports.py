"""Terminal reports: the summary table `hub import` and `hub sync` print."""

from __future__ import annotations

from rich.table import Table

from hub.ingest.stats import IngestStats

COLUMNS = ("read", "inserted", "updated", "unchanged", "quarantined")


def stats_table(title: str, stats: IngestStats) -> Table:
    """One row per record type and a total row."""
    table = Table(title=title)
    table.add_column("type")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    for name, s in [*stats.by_type.items(), ("total", stats.total)]:
        values = (s.received, s.inserted, s.updated, s.unchanged, s.quarantined)
        table.add_row(name, *(str(v) for v in values))
    return table
