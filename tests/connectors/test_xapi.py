"""The xapi connector's statement handling against the simulated LRS."""

from __future__ import annotations

from contextlib import ExitStack

from connectors.simulated.dataset import generate_by_platform
from connectors.xapi import INITIALIZED, XapiConnector, format_duration, parse_duration
from tests.sync.kinds import fast_client, start


def test_durations() -> None:
    assert parse_duration("PT1H2M3.5S") == 3723.5
    assert parse_duration("P1DT1S") == 86401
    assert parse_duration("PT4288S") == 4288
    assert parse_duration("1 hour") is None and parse_duration("P") is None
    assert parse_duration(format_duration(4288)) == 4288


async def test_terminated_whose_initialized_is_before_the_window_is_paired() -> None:
    records = generate_by_platform(6, seed=2)["baotou-cloud"]
    with ExitStack() as stack:
        sim = start(stack, "xapi", records)
        lrs = sim.expected.__self__  # the simulated LRS
        first = next(s for _, s, _, _ in lrs.all_statements() if s["verb"]["id"] == INITIALIZED)
        sid = first["context"]["extensions"][
            "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
        ]
        # `since` is exclusive: starting exactly at the initialized leaves it out of the read.
        config = sim.config.model_copy(update={"lookback_seconds": 0})
        async with fast_client() as client:
            stream = XapiConnector(config, client).stream("session")
            read = [r async for b in stream.read({"since": first["stored"]}) for r in b.records]
    session = next(r for r in read if r.get("source_id") == sid)
    assert "_error" not in session
    assert session == sim.expected()[("session", sid)]
