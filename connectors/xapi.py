"""Connector for any xAPI Learning Record Store (xAPI 1.0.3), plus the platform's roster workbook.

Statements come from `GET {base_url}/statements?since=…&limit=…&ascending=true` with the header
`X-Experience-API-Version: 1.0.3` and HTTP Basic auth (option `username`, the token is the
password), following each response's `more` URL until it is empty. What becomes what:

- `initialized` + `terminated` of one cmi5 session (context extension
  `https://w3id.org/xapi/cmi5/context/extensions/sessionid`, which is the session's source_id)
  become one online session: start and end from the two timestamps, `result.duration` of
  `terminated` as the platform's reported duration. A `terminated` whose `initialized` lies before
  this read is found with `GET /statements?registration=…&verb=…initialized`.
- `attended` becomes an offline session from `timestamp` for `result.duration`.
- `passed` / `failed` — and `completed` when it carries `result.success` — become the assessment
  of their `context.registration` (one learner in one class; its source_id), `result.score.raw`
  as the score. A later result for the registration (a retake, a correction) updates it, and the
  hub keeps the earlier one as a previous version.

The learner is `actor.account.name` (the platform's user id); the class is the last path segment
of the first `context.contextActivities.parent` activity id (`…/classes/<class id>`).

An LRS holds no real-name roster, so trainees, courses, classes, enrolments and certificates come
from the platform's roster files (option `roster`: file names under base_url, read exactly like
the `spreadsheet` kind; statements' sessions and assessments sheets are not read from it).

Incremental: statements are immutable and ordered by `stored`; the cursor is the newest `stored`
seen, and each run asks from `lookback_seconds` (default 300) before it — `since` is exclusive in
xAPI, so the look-back is what makes the bound safe against statements committed late; records
seen twice are the same record to the hub.

Withdrawals: the roster streams list their ids each run, so a roster record deleted from the
files is withdrawn in the hub. Statements are never withdrawn: xAPI statements are immutable (an
LRS voids them with another statement, which this connector does not read).
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

from connectors.base import Batch, Connector, Stream
from connectors.errors import AuthError, PlatformUnavailable, SchemaDriftError
from connectors.spreadsheet import SpreadsheetConnector

XAPI_VERSION = "1.0.3"
VERBS = "http://adlnet.gov/expapi/verbs/"
INITIALIZED, TERMINATED, ATTENDED = VERBS + "initialized", VERBS + "terminated", VERBS + "attended"
PASSED, FAILED, COMPLETED = VERBS + "passed", VERBS + "failed", VERBS + "completed"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: Any) -> float | None:
    """Seconds of an ISO 8601 duration as xAPI writes it (`PT1H2M3.5S`), or None."""
    match = _DURATION.match(value) if isinstance(value, str) and value != "P" else None
    if match is None:
        return None
    d, h, m, s = (float(match[g] or 0) for g in "dhms")
    return d * 86400 + h * 3600 + m * 60 + s


def format_duration(seconds: float) -> str:
    """An ISO 8601 duration for `seconds` (what the simulated LRS writes)."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"PT{h}H{m}M{s}S"


def parse_stored(value: Any) -> datetime | None:
    """An xAPI timestamp as an aware datetime, or None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def learner(statement: dict) -> Any:
    """The platform's user id of the statement's actor."""
    return _get(statement, "actor", "account", "name")


def class_of(statement: dict) -> Any:
    """The class source id: the last path segment of the first parent activity."""
    parents = _get(statement, "context", "contextActivities", "parent")
    first = parents[0] if isinstance(parents, list) and parents else parents
    activity = _get(first, "id")
    if not isinstance(activity, str):
        return None
    return unquote(urlparse(activity).path.rstrip("/").rpartition("/")[2]) or None


def _activity_name(statement: dict) -> str | None:
    names = _get(statement, "object", "definition", "name")
    if not isinstance(names, dict) or not names:
        return None
    return names.get("zh-CN") or next(iter(names.values()))


def _failed(kind: str, statement: Any, why: str, source_id: Any = None) -> dict:
    record = {"type": kind, "_raw": statement, "_error": why}
    if isinstance(source_id, str) and source_id:
        record["source_id"] = source_id
    return record


def session_record(start: dict | None, end: dict) -> dict:
    """A canonical session from `initialized` (or None for `attended`) and `terminated`/`attended`."""
    sid = _get(end, "context", "extensions", SESSION_ID)
    if not isinstance(sid, str) or not sid:
        return _failed("session", end, "statement has no cmi5 session id")
    if learner(end) is None or class_of(end) is None:
        return _failed("session", end, "statement has no actor account or parent class", sid)
    seconds = parse_duration(_get(end, "result", "duration"))
    record: dict[str, Any] = {
        "type": "session",
        "source_id": sid,
        "trainee_source_id": learner(end),
        "class_source_id": class_of(end),
    }
    if start is None:  # attended: an offline session of the stated length
        moment = parse_stored(end.get("timestamp"))
        if moment is None or seconds is None:
            return _failed("session", end, "attended needs a timestamp and result.duration", sid)
        record |= {
            "started_at": end["timestamp"],
            "ended_at": (moment + timedelta(seconds=seconds)).isoformat(),
            "mode": "offline",
        }
    else:
        record |= {"started_at": start.get("timestamp"), "ended_at": end.get("timestamp")}
        record["mode"] = "online"
        if seconds is not None:
            record["reported_seconds"] = round(seconds)
    activity = _activity_name(end) or (start and _activity_name(start))
    if activity:
        record["activity"] = activity
    return record


def assessment_record(statement: dict) -> dict | None:
    """A canonical assessment from passed/failed/completed (None if it is not one)."""
    verb = _get(statement, "verb", "id")
    success = _get(statement, "result", "success")
    if verb in (PASSED, FAILED):
        passed = verb == PASSED
    elif verb == COMPLETED and isinstance(success, bool):
        passed = success
    else:
        return None
    sid = _get(statement, "context", "registration")
    if not isinstance(sid, str) or learner(statement) is None or class_of(statement) is None:
        why = "statement has no registration, actor account or parent class"
        return _failed("assessment", statement, why, sid)
    record = {
        "type": "assessment",
        "source_id": sid,
        "trainee_source_id": learner(statement),
        "class_source_id": class_of(statement),
        "assessed_at": statement.get("timestamp"),
        "passed": passed,
    }
    score = _get(statement, "result", "score", "raw")
    if score is not None:
        record["score"] = score
    return record


ASSESSMENT_VERBS = (PASSED, FAILED, COMPLETED)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None or (b is not None and b > a) else a


class StatementStream:
    """Sessions or assessments, read from the LRS's statements in `stored` order."""

    def __init__(self, connector: XapiConnector, name: str) -> None:
        self.name = name
        self._connector = connector

    async def read(self, cursor: dict | None) -> AsyncIterator[Batch]:
        """Sessions: one batch per page of all statements, each with the newest `stored` seen.

        Assessments: only passed/failed/completed statements are asked for, one verb after the
        other, so the cursor is saved once all three are read.
        """
        config = self._connector.config
        lookback = timedelta(seconds=float(config.option("lookback_seconds", 300)))
        newest = parse_stored((cursor or {}).get("since"))
        params: dict[str, Any] = {"ascending": "true", "limit": config.page_size}
        if newest is not None:
            params["since"] = (newest - lookback).isoformat()
        held = dict(cursor or {})
        if self.name == "assessment":
            for verb in ASSESSMENT_VERBS:
                async for records, seen in self._pages(params | {"verb": verb}):
                    newest = _later(newest, seen)
                    yield Batch(self.name, records, held)
            yield Batch(self.name, [], {"since": newest.isoformat()} if newest else held)
            return
        async for records, seen in self._pages(params):
            newest = _later(newest, seen)
            yield Batch(self.name, records, {"since": newest.isoformat()} if newest else held)

    async def _pages(self, params: dict[str, Any]) -> AsyncIterator[tuple[list[dict], Any]]:
        """(records, newest `stored` on the page) per page, following `more`."""
        opened: dict[str, dict] = {}  # cmi5 session id -> its initialized statement
        url: str | None = self._connector.config.url("statements")
        query: dict[str, Any] | None = params
        while url:
            body = await self._connector.get(url, query)
            records: list[dict] = []
            newest = None
            for statement in body["statements"]:
                if not isinstance(statement, dict):
                    records.append(_failed(self.name, statement, "statement is not an object"))
                    continue
                newest = _later(newest, parse_stored(statement.get("stored")))
                record = await self._map(statement, opened)
                if record is not None:
                    records.append(record)
            yield records, newest
            more = body.get("more")
            base = self._connector.config.base_url
            url, query = (urljoin(base, more), None) if more else (None, None)

    async def _map(self, statement: dict, opened: dict[str, dict]) -> dict | None:
        verb = _get(statement, "verb", "id")
        if self.name == "assessment":
            return assessment_record(statement)
        sid = _get(statement, "context", "extensions", SESSION_ID)
        if verb == INITIALIZED:
            if isinstance(sid, str):
                opened[sid] = statement
            return None
        if verb == ATTENDED:
            return session_record(None, statement)
        if verb != TERMINATED:
            return None
        start = opened.pop(sid, None) if isinstance(sid, str) else None
        if start is None and isinstance(sid, str):
            start = await self._connector.find_initialized(statement, sid)
        if start is None:
            return _failed("session", statement, "terminated without its initialized", sid)
        return session_record(start, statement)


class _Roster(SpreadsheetConnector):
    """The roster files, fetched from the LRS host with the same Basic credentials."""

    def __init__(self, owner: XapiConnector) -> None:
        files = owner.config.option("roster", [])
        config = type(owner.config).model_validate(owner.config.model_dump() | {"files": files})
        super().__init__(config, owner.client)
        self._owner = owner

    def headers(self) -> dict[str, str]:
        return {"Authorization": self._owner.basic_auth()}


class XapiConnector(Connector):
    """Sessions and assessments from an LRS; the rest from the roster workbook."""

    kind = "xapi"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roster = _Roster(self) if self.config.option("roster", None) else None

    def basic_auth(self) -> str:
        """The HTTP Basic Authorization value: option `username`, the token as password."""
        pair = f"{self.config.option('username', '')}:{self.config.resolve_token() or ''}"
        return "Basic " + base64.b64encode(pair.encode()).decode()

    async def get(self, url: str, params: dict[str, Any] | None) -> dict:
        """One statements request; SchemaDriftError if the answer is not a StatementResult."""
        headers = {"X-Experience-API-Version": XAPI_VERSION, "Authorization": self.basic_auth()}
        body = await self.client.get_json(url, params, headers)
        if not isinstance(body, dict) or not isinstance(body.get("statements"), list):
            raise SchemaDriftError(f"{url}: not an xAPI StatementResult")
        return body

    async def find_initialized(self, terminated: dict, session_id: str) -> dict | None:
        """The `initialized` of a session whose `terminated` came without it in this read."""
        registration = _get(terminated, "context", "registration")
        if not isinstance(registration, str):
            return None
        params: dict[str, Any] | None = {"registration": registration, "verb": INITIALIZED}
        url: str | None = self.config.url("statements")
        while url:
            body = await self.get(url, params)
            for statement in body["statements"]:
                if _get(statement, "context", "extensions", SESSION_ID) == session_id:
                    return statement
            more = body.get("more")
            url, params = (urljoin(self.config.base_url, more), None) if more else (None, None)
        return None

    async def check(self) -> None:
        """Ask the LRS for one statement and open the roster files."""
        who = f"platform {self.config.code} ({self.config.name})"
        try:
            await self.get(self.config.url("statements"), {"limit": 1})
        except AuthError as exc:
            raise AuthError(f"{who} rejected the credentials: {exc}") from exc
        except PlatformUnavailable as exc:
            raise PlatformUnavailable(f"{who} is unreachable: {exc}", exc.retry_after) from exc
        if self.roster is not None:
            await self.roster.check()

    def streams(self) -> list[Stream]:
        """Roster streams and the two statement streams, in the order references need them."""
        lrs: list[Stream] = [StatementStream(self, "session"), StatementStream(self, "assessment")]
        if self.roster is None:
            return lrs
        from_lrs = {s.name: s for s in lrs}
        return [from_lrs.get(s.name, s) for s in self.roster.streams()]
