"""One person's learning timeline: sessions across all their classes, on every platform, that never
overlap, stay inside each class's dates, keep to evenings and weekends, and cap online study at six
hours a day (the supervision rules flag more than eight).

Times are local (+08:00); each day is laid out as a few windows of study time in seconds since
midnight and sessions are placed one after another with short breaks, so a person's sessions are
ordered and disjoint by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from connectors.simulated.names import OFFLINE_ACTIVITIES, ONLINE_ACTIVITIES

DAILY_ONLINE_CAP = 6 * 3600  # seconds of online study one person may do in a day here
MIN_SESSION = 30 * 60
MAX_EXTRA = 89 * 60  # with up to a minute more, a session lasts 30 to 120 minutes
STUDY_DAY_SHARE = 0.72  # about this share of a class's days see some online study
BEHIND = 1.5 * 3600  # needing more than this a day, a person studies every day to catch up

Window = tuple[int, int]
_H = 3600
_M = 60
WEEKDAY_EVENING: tuple[Window, ...] = ((18 * _H + 40 * _M, 23 * _H + 20 * _M),)
WEEKDAY_LUNCH_EVENING: tuple[Window, ...] = (
    (12 * _H + 5 * _M, 13 * _H + 25 * _M),
    (18 * _H + 40 * _M, 23 * _H + 20 * _M),
)
DAYTIME: tuple[Window, ...] = (
    (9 * _H, 11 * _H + 45 * _M),
    (14 * _H, 17 * _H + 30 * _M),
    (19 * _H + 30 * _M, 22 * _H + 30 * _M),
)
WEEKEND: tuple[Window, ...] = (
    (8 * _H + 30 * _M, 11 * _H + 50 * _M),
    (14 * _H, 17 * _H + 50 * _M),
    (19 * _H, 22 * _H + 40 * _M),
)
OFFLINE_DAY: tuple[Window, ...] = (
    (8 * _H + 50 * _M, 11 * _H + 50 * _M),
    (14 * _H, 17 * _H + 40 * _M),
    (19 * _H, 23 * _H),
)


def _clock_table() -> tuple[str, ...]:
    return tuple(
        f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08:00" for s in range(24 * 3600)
    )


_CLOCK: tuple[str, ...] = _clock_table()


def _place(
    windows: tuple[Window, ...], w: int, t_now: int, dur: int, rnd: Callable[[], float]
) -> tuple[int, int]:
    """The first start at or after `t_now` (window `w` onwards) where `dur` seconds fit, or -1."""
    start = t_now
    while w < len(windows):
        if start < windows[w][0]:
            start = windows[w][0] + int(rnd() * 900)
        if start + dur <= windows[w][1]:
            return w, start
        w += 1
    return w, -1


def _last_day(track: Track) -> int:
    return track.last_day


@dataclass(slots=True)
class Track:
    """One enrolment as the scheduler sees it; `remaining` counts down as sessions are placed."""

    platform: int
    trainee_sid: str
    class_sid: str
    first_day: int
    last_day: int
    remaining: int  # online seconds still to study
    offline_days: tuple[int, ...]
    lecture: int = 0


def schedule(
    tracks: list[Track],
    rnd: Callable[[], float],
    day_names: list[str],
    weekend: list[bool],
    daytime: bool,
    next_id: Callable[[int], str],
) -> Iterator[tuple[int, dict]]:
    """Yield (platform index, session record) for one person, in time order.

    `day_names[d]` is the ISO date of window day d, `weekend[d]` whether it is a Saturday or Sunday,
    `daytime` whether the person is free on weekdays, `next_id(platform)` the next session source_id.
    """
    first = min(t.first_day for t in tracks)
    last = max(t.last_day for t in tracks)
    clock = _CLOCK
    for day in range(first, last + 1):
        active = [t for t in tracks if t.first_day <= day <= t.last_day]
        if len(active) > 1:
            active.sort(key=_last_day)
        if not active:
            continue
        offline_today = [t for t in active if day in t.offline_days]
        if offline_today:
            windows = OFFLINE_DAY
        elif weekend[day]:
            windows = WEEKEND
        elif daytime and rnd() < 0.6:
            windows = DAYTIME
        else:
            windows = WEEKDAY_LUNCH_EVENING if rnd() < 0.15 else WEEKDAY_EVENING
        w = 0
        if not offline_today and len(windows) > 1 and rnd() < 0.35:
            w = 1
        t_now = windows[w][0] + int(rnd() * 1500)
        day_name = day_names[day]
        online_today = 0

        for track in offline_today:
            dur = 3600 + int(rnd() * 3600)
            w, start = _place(windows, w, t_now, dur, rnd)
            if start < 0:
                break
            end = start + dur
            track.lecture += 1
            yield (
                track.platform,
                {
                    "type": "session",
                    "source_id": next_id(track.platform),
                    "trainee_source_id": track.trainee_sid,
                    "class_source_id": track.class_sid,
                    "started_at": day_name + clock[start],
                    "ended_at": day_name + clock[end],
                    "mode": "offline",
                    "activity": OFFLINE_ACTIVITIES[int(rnd() * len(OFFLINE_ACTIVITIES))],
                },
            )
            t_now = end + 300 + int(rnd() * 1200)

        for track in active:  # the class ending first comes first
            remaining = track.remaining
            if remaining < MIN_SESSION:
                continue
            days_left = track.last_day - day + 1
            need = remaining / days_left
            if days_left > 2 and need < BEHIND:
                if rnd() > STUDY_DAY_SHARE + (0.15 if windows is WEEKEND else 0.0):
                    continue
                target = need / STUDY_DAY_SHARE * (0.55 + 0.9 * rnd())
            else:  # catching up
                target = need * 1.3
            while target > 600 and remaining >= MIN_SESSION:
                dur = MIN_SESSION + int(MAX_EXTRA * rnd() ** 4) + int(rnd() * 60)
                if dur > remaining:
                    dur = remaining
                if dur > DAILY_ONLINE_CAP - online_today:
                    break
                w, start = _place(windows, w, t_now, dur, rnd)
                if start < 0:
                    break
                end = start + dur
                track.lecture += 1
                yield (
                    track.platform,
                    {
                        "type": "session",
                        "source_id": next_id(track.platform),
                        "trainee_source_id": track.trainee_sid,
                        "class_source_id": track.class_sid,
                        "started_at": day_name + clock[start],
                        "ended_at": day_name + clock[end],
                        "mode": "online",
                        "reported_seconds": dur - int(dur * 0.03 * rnd()),
                        "activity": f"第{track.lecture}讲 "
                        + ONLINE_ACTIVITIES[int(rnd() ** 2 * len(ONLINE_ACTIVITIES))],
                    },
                )
                remaining -= dur
                target -= dur
                online_today += dur
                t_now = end + 120 + int(rnd() * 900)
            track.remaining = remaining
