"""The rest_json connector against the simulated platform on a real loopback server."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from connectors.errors import AuthError, PlatformUnavailable
from connectors.rest_json import RESOURCES
from schema.records import parse_record
from tests.connectors.support import Sync, make_records, platform_view

STREAMS = [r.stream for r in RESOURCES]
PATH = {r.stream: r.path for r in RESOURCES}


def strip(store: dict) -> dict:
    return {k: {f: v for f, v in r.items() if not f.startswith("_")} for k, r in store.items()}


@pytest.mark.parametrize("spaced", [True, False], ids=["spaced-times", "one-bulk-tie"])
async def test_full_read_equals_platform_data(live, spaced):
    site = live(make_records(spaced=spaced))
    sync = Sync(site.connector())
    await sync.run()
    assert strip(sync.store) == platform_view(site.platform)
    assert [s.name for s in site.connector().streams()] == STREAMS
    for record in sync.store.values():
        parse_record(record)  # the mapping yields valid canonical records from valid data


async def test_incremental_read_returns_only_changes(live):
    site = live()
    sync = Sync(site.connector())
    await sync.run()
    # Closed lower bound minus the look-back: records stamped inside it come back once more.
    lookback = timedelta(seconds=300)
    again = {
        key
        for key in sync.store
        if site.platform.updated_at(*key)
        >= datetime.fromisoformat(sync.cursors[key[0]]["updated_since"]) - lookback
    }
    assert 0 < len(again) < 100
    changed = {("trainee", "T00003"), ("session", "S00010-1"), ("certificate", "Z00004")}
    for key in changed:
        site.platform.revise(*key)
    before = site.platform.request_count()
    returned = await sync.run()
    assert returned == changed | again
    assert strip(sync.store) == platform_view(site.platform)
    assert site.platform.request_count() - before == len(STREAMS)

    # Nothing changed: one small page per stream, and the cursors stay put.
    cursors = dict(sync.cursors)
    before = site.platform.request_count()
    await sync.run()
    assert site.platform.request_count() - before == len(STREAMS)
    assert sync.cursors == cursors


async def test_cursor_is_max_time_seen_with_offset(live):
    site = live()
    sync = Sync(site.connector())
    await sync.run()
    trainee_times = [
        site.platform.updated_at("trainee", sid) for _, sid in sync.store if _ == "trainee"
    ]
    assert sync.cursors["trainee"] == {"updated_since": max(trainee_times).isoformat()}
    assert sync.cursors["trainee"]["updated_since"].endswith("+08:00")


async def test_server_errors_are_retried(live):
    site = live()
    site.faults.error_rate = 0.3
    sync = Sync(site.connector())
    await sync.run()
    assert strip(sync.store) == platform_view(site.platform)
    failed = len(site.sleep.calls)
    assert failed > 5  # the fault really fired, and every failure was followed by a backoff


async def test_persistent_errors_raise_platform_unavailable(live):
    site = live()
    site.faults.fail_next = 100
    with pytest.raises(PlatformUnavailable, match="HTTP 500"):
        await Sync(site.connector()).run()
    assert len(site.sleep.calls) == 5  # six attempts, five waits between them


async def test_rate_limit_honours_retry_after(live):
    site = live()
    site.faults.rate_limit_next = 3
    site.faults.retry_after = "2"
    sync = Sync(site.connector())
    await sync.run()
    assert site.sleep.calls == [2.0, 2.0, 2.0]
    assert strip(sync.store) == platform_view(site.platform)


async def test_slow_responses_time_out_and_are_retried(live):
    site = live()
    site.faults.slow_next = 2
    site.faults.delay = 0.6
    sync = Sync(site.connector(timeout=0.2))
    await sync.run()
    assert len(site.sleep.calls) == 2
    assert strip(sync.store) == platform_view(site.platform)


async def test_malformed_records_pass_through_for_quarantine(live):
    site = live()
    site.faults.malformed_rate = 0.1
    sync = Sync(site.connector())
    await sync.run()
    bad = {key for key in platform_view(site.platform) if site.platform.is_malformed(*key)}
    assert len(bad) > 20 and {"trainee", "session", "assessment"} <= {k[0] for k in bad}
    assert set(sync.store) == set(platform_view(site.platform))  # nothing dropped
    for key, record in sync.store.items():
        if key in bad:
            with pytest.raises(ValidationError):
                parse_record(record)
        else:
            parse_record(record)
    assert sync.store[next(k for k in bad if k[0] == "session")]["started_at"] == "昨天上午"


@pytest.mark.parametrize("spaced", [True, False], ids=["spaced-times", "one-bulk-tie"])
async def test_duplicated_pages_lose_nothing(live, spaced):
    site = live(make_records(spaced=spaced))
    site.faults.duplicate_items = 3
    sync = Sync(site.connector())
    await sync.run()
    assert strip(sync.store) == platform_view(site.platform)


@pytest.mark.parametrize("spaced", [True, False], ids=["spaced-times", "one-bulk-tie"])
async def test_pages_shifting_while_reading_lose_nothing(live, spaced):
    site = live(make_records(spaced=spaced))
    site.faults.shift_next = 6  # six records updated mid-read, each shifting the rest back
    sync = Sync(site.connector())
    await sync.run()
    assert site.faults.shift_next == 0
    assert strip(sync.store) == platform_view(site.platform)  # complete in one run


async def test_cursor_is_held_at_a_tie_that_keeps_churning(live):
    site = live(make_records(spaced=False))
    site.faults.shift_next = 1000  # every follow-up request moves a record out of the tie
    sync = Sync(site.connector())
    first = await sync.run()
    epoch = site.platform.updated_at("trainee", "T00000")  # untouched records stay in the tie
    assert first
    held = datetime.fromisoformat(sync.cursors["trainee"]["updated_since"])
    assert held <= epoch  # not advanced past records it may have skipped
    site.faults.shift_next = 0
    await sync.run()
    assert strip(sync.store) == platform_view(site.platform)


async def test_record_changed_after_served_is_picked_up_next_time(live):
    site = live()
    sync = Sync(site.connector())
    await sync.run()
    site.faults.change_after_serve = 5  # the next records served change right after serving
    await sync.run()
    assert site.faults.change_after_serve == 0
    assert strip(sync.store) != platform_view(site.platform)  # this run saw the old versions
    await sync.run()
    assert strip(sync.store) == platform_view(site.platform)


async def test_check_passes_with_good_token(live):
    site = live()
    await site.connector().check()
    assert site.platform.requests[-1][0] == "ping"


async def test_bad_token_raises_auth_error(live):
    site = live()
    connector = site.connector(token="wrong")
    with pytest.raises(AuthError, match=r"sim-1 \(模拟培训平台\) rejected the token.*401"):
        await connector.check()
    with pytest.raises(AuthError, match="401"):
        await Sync(connector).run()
    assert site.sleep.calls == []  # auth failures are not retried


async def test_token_from_environment(live, monkeypatch):
    site = live()
    monkeypatch.setenv("SIM_PLATFORM_TOKEN", "s3cret-token")
    await site.connector(token="env:SIM_PLATFORM_TOKEN").check()
    monkeypatch.delenv("SIM_PLATFORM_TOKEN")
    with pytest.raises(AuthError, match="SIM_PLATFORM_TOKEN is not set"):
        await site.connector(token="env:SIM_PLATFORM_TOKEN").check()


async def test_check_reports_unreachable_platform(live):
    site = live()
    site.faults.fail_next = 100
    with pytest.raises(PlatformUnavailable, match=r"sim-1 \(模拟培训平台\) is unreachable.*500"):
        await site.connector().check()


async def test_each_stream_uses_its_chinese_resource(live):
    site = live()
    await Sync(site.connector()).run()
    assert {path for path, _ in site.platform.requests} == set(PATH.values())
    query = site.platform.requests[-1][1]
    assert query["page_size"] == "25" and "updated_since" in query


@pytest.mark.parametrize("spaced", [True, False], ids=["spaced-times", "one-bulk-tie"])
async def test_first_run_passes_each_record_once(live, spaced):
    """The closed lower bound re-reads the newest 更新时间; those records are not passed twice
    (a first sync of an empty hub would report them "unchanged")."""
    site = live(make_records(spaced=spaced))
    sync = Sync(site.connector())
    await sync.run()
    passed = [(r["type"], r["source_id"]) for b in sync.batches for r in b.records]
    assert len(passed) == len(set(passed)) == len(platform_view(site.platform))
