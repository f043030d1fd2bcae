"""`hub sync`'s plain progress (a log, a pipe): a line per batch that changed the figures."""

from __future__ import annotations

import io

from rich.console import Console

from hub.ingest.stats import StreamStats
from hub.sync.runner import log_lines


def test_a_batch_that_only_moves_the_cursor_repeats_no_line() -> None:
    out = io.StringIO()
    report = log_lines(Console(file=out, force_terminal=False, width=200), "wuhai-skills")
    report("sessions", StreamStats(received=1000, inserted=1000))
    report("sessions", StreamStats(received=1000, inserted=1000))  # empty batch: cursor released
    report("trainees", StreamStats(received=1000, inserted=1000))
    report("sessions", StreamStats(received=1500, inserted=1200, updated=300))
    lines = [line.split(" ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines == [
        "wuhai-skills · sessions: 1000 read, 1000 new, 0 changed, 0 quarantined",
        "wuhai-skills · trainees: 1000 read, 1000 new, 0 changed, 0 quarantined",
        "wuhai-skills · sessions: 1500 read, 1200 new, 300 changed, 0 quarantined",
    ]
