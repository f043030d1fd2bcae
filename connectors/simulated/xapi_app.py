"""A real Starlette app imitating an xAPI 1.0.3 Learning Record Store and the platform's roster.

- `GET /xapi/about` — `{"version": ["1.0.3"]}` (no auth, as the spec allows).
- `GET /xapi/statements` — HTTP Basic auth and the `X-Experience-API-Version` header required;
  `since` (exclusive), `limit`, `ascending`, `registration`, `verb`; the answer is a
  StatementResult `{"statements": [...], "more": "/xapi/statements?…"}` (`more` is "" at the end),
  with the `X-Experience-API-Consistent-Through` header.
- `GET /xapi/roster/培训台账.xlsx` — trainees, courses, classes, enrolments, certificates.

Statements are derived from the canonical session and assessment records the platform holds: an
online session is a cmi5 `initialized` + `terminated` pair (`result.duration` = the reported
seconds), an offline one an `attended` statement, an assessment `passed` or `failed`. A record's
statements are stored when the record was last updated; changing a record (the change and shift
faults) stores new statements for it, as a platform re-sending a corrected session would.
`expected()` is the platform's data as the connector must deliver it (assessments are keyed by
their registration).
"""

from __future__ import annotations

import base64
import bisect
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.simulated.faults import Faults, transport_fault
from connectors.simulated.rest_json_app import SimulatedPlatform, spaced
from connectors.simulated.spreadsheet_app import WORKBOOK, XLSX_TYPE, SpreadsheetFiles
from connectors.xapi import (
    ATTENDED,
    FAILED,
    INITIALIZED,
    PASSED,
    SESSION_ID,
    TERMINATED,
    XAPI_VERSION,
    format_duration,
)

Row = tuple[tuple[str, str], dict, str, str]
NAMESPACE = uuid.UUID("6f1c2a52-9b1e-4c53-9d0e-1f3a4b5c6d7e")
ROSTER_SHEETS = {"学员名册": "学员", "课程": "课程", "班级": "班级", "报名": "报名", "证书": "证书"}
STATEMENT_TYPES = ("session", "assessment")
MAX_LIMIT = 1000


def registration(trainee: Any, klass: Any) -> str:
    """The cmi5 registration of one learner in one class (stable)."""
    return str(uuid.uuid5(NAMESPACE, f"registration|{trainee}|{klass}"))


def _stored(when: datetime, n: int = 0) -> str:
    moment = when.astimezone(UTC) + timedelta(milliseconds=n)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Lrs:
    """Statements derived from the platform's records, paged and filtered as an LRS does."""

    def __init__(self, platform: SimulatedPlatform, home: str) -> None:
        self.platform = platform
        self.home = home
        self._made: dict[tuple[str, str, datetime, bool], list[dict]] = {}
        self._sorted: tuple[tuple[int, float, int], list[Row]] | None = None

    def _base(self, record: dict, verb: str, when: datetime, n: int) -> dict:
        klass = record.get("class_source_id")
        stored = _stored(when, n)
        return {
            "id": str(uuid.uuid5(NAMESPACE, f"{record['source_id']}|{verb}|{stored}")),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": self.home, "name": record.get("trainee_source_id")},
            },
            "verb": {"id": verb, "display": {"en-US": verb.rpartition("/")[2]}},
            "object": {
                "objectType": "Activity",
                "id": f"{self.home}/classes/{klass}/au/{record['source_id']}",
                "definition": {"name": {"zh-CN": record.get("activity") or "课程考核"}},
            },
            "context": {
                "registration": registration(record.get("trainee_source_id"), klass),
                "contextActivities": {"parent": [{"id": f"{self.home}/classes/{klass}"}]},
                "extensions": {SESSION_ID: record["source_id"]},
            },
            "stored": stored,
            "authority": {"objectType": "Agent", "account": {"homePage": self.home, "name": "lrs"}},
            "version": XAPI_VERSION,
        }

    def statements_of(self, kind: str, record: dict, when: datetime) -> list[dict]:
        """The statements one canonical record was sent as."""
        malformed = self.platform.is_malformed(kind, record["source_id"])
        if kind == "assessment":
            s = self._base(record, PASSED if record.get("passed") else FAILED, when, 0)
            del s["context"]["extensions"]
            s["object"]["definition"]["name"] = {"zh-CN": "结业考核"}
            s["timestamp"] = record.get("assessed_at")
            s["result"] = {"success": bool(record.get("passed")), "completion": True}
            if record.get("score") is not None or malformed:
                s["result"]["score"] = {"raw": "九十" if malformed else record["score"]}
            return [s]
        if record.get("mode") == "offline":
            s = self._base(record, ATTENDED, when, 0)
            seconds = (
                datetime.fromisoformat(record["ended_at"])
                - datetime.fromisoformat(record["started_at"])
            ).total_seconds()
            s["timestamp"] = "昨天上午" if malformed else record["started_at"]
            s["result"] = {"duration": format_duration(seconds)}
            if not record.get("activity"):
                del s["object"]["definition"]
            return [s]
        start = self._base(record, INITIALIZED, when, 0)
        end = self._base(record, TERMINATED, when, 1)
        start["timestamp"] = record.get("started_at")
        end["timestamp"] = "昨天上午" if malformed else record.get("ended_at")
        if record.get("reported_seconds") is not None:
            end["result"] = {"duration": format_duration(record["reported_seconds"])}
        if not record.get("activity"):
            del start["object"]["definition"], end["object"]["definition"]
        return [start, end]

    def all_statements(self) -> list[Row]:
        """((stored, id), statement, record type, record source_id), in stored order."""
        faults = self.platform.faults
        version = (self.platform.version, faults.malformed_rate, faults.seed)
        if self._sorted is None or self._sorted[0] != version:
            self._sorted = version, self._derive()
        return self._sorted[1]

    def _derive(self) -> list[Row]:
        out = []
        for kind in STATEMENT_TYPES:
            for when, record in self.platform.window(kind, None):
                sid = record["source_id"]
                key = (kind, sid, when, self.platform.is_malformed(kind, sid))
                if key not in self._made:  # a record's statements change only with the record
                    self._made[key] = self.statements_of(kind, record, when)
                for s in self._made[key]:
                    out.append(((s["stored"], s["id"]), s, kind, record["source_id"]))
        return sorted(out, key=lambda row: row[0])

    def page(self, query: dict[str, str]) -> dict:
        """A StatementResult for the query, applying the data faults."""
        faults = self.platform.faults
        since = query.get("since")
        since_key = _stored(datetime.fromisoformat(since.replace("Z", "+00:00"))) if since else ""
        limit = min(int(query.get("limit") or MAX_LIMIT) or MAX_LIMIT, MAX_LIMIT)
        after = query.get("after")
        if faults.shift_next > 0 and after:
            faults.shift_next -= 1
            kind, sid = self._first_record()
            if sid is not None:
                self.platform.revise(kind, sid)
        verb, reg = query.get("verb"), query.get("registration")
        rows = self.all_statements()
        if verb or reg:
            rows = [
                row
                for row in rows
                if (not verb or row[1]["verb"]["id"] == verb)
                and (not reg or row[1]["context"].get("registration") == reg)
            ]
        # Rows are sorted by (stored, id): both bounds are found by bisection.
        rows = rows[bisect.bisect_right(rows, (since_key, "\uffff"), key=lambda r: r[0]) :]
        start = 0
        if after:
            key = tuple(after.split("|", 1))
            start = bisect.bisect_right(rows, key, key=lambda r: r[0])
        chunk = rows[start : start + limit]
        if faults.duplicate_items > 0:
            n = faults.duplicate_items
            chunk = rows[max(0, start - n) : start] + chunk + chunk[:n]
        more = ""
        if start + limit < len(rows):
            stored, last_id = rows[start + limit - 1][0]
            params = {k: v for k, v in query.items() if k != "after"}
            more = "/xapi/statements?" + urlencode(params | {"after": f"{stored}|{last_id}"})
        served = list(dict.fromkeys((kind, sid) for _, _, kind, sid in chunk))
        for kind, sid in served[: max(0, faults.change_after_serve)]:
            faults.change_after_serve -= 1
            self.platform.revise(kind, sid)
        return {"statements": [s for _, s, _, _ in chunk], "more": more}

    def _first_record(self) -> tuple[str, str | None]:
        for kind in STATEMENT_TYPES:
            rows = self.platform.window(kind, None)
            if rows:
                return kind, rows[0][1]["source_id"]
        return "session", None

    def expected(self) -> dict[tuple[str, str], dict]:
        """The platform's data as the hub must hold it: assessments keyed by registration."""
        return {key_of(k, r): r | {"source_id": key_of(k, r)[1]} for (k, _), r in self._all()}

    def malformed(self) -> set[tuple[str, str]]:
        """Keys (as in expected()) of the records served malformed."""
        return {key_of(k, r) for (k, sid), r in self._all() if self.platform.is_malformed(k, sid)}

    def _all(self) -> list[tuple[tuple[str, str], dict]]:
        return list(self.platform.canonical().items())


def key_of(kind: str, record: dict) -> tuple[str, str]:
    """The key the connector gives a record: assessments are keyed by their registration."""
    if kind == "assessment":
        return kind, registration(record["trainee_source_id"], record["class_source_id"])
    return kind, record["source_id"]


def create_app(
    records: list[dict],
    username: str = "lrs-key",
    password: str | None = None,
    faults: Faults | None = None,
    home: str = "https://lms.example.cn",
) -> Starlette:
    """The LRS serving `records`; Basic `username`:`password` is required if `password` is set."""
    platform = SimulatedPlatform(spaced(records), faults)
    lrs = Lrs(platform, home)
    files = SpreadsheetFiles(platform)
    version = {"X-Experience-API-Version": XAPI_VERSION}

    async def gate(request: Request, what: str) -> Response | None:
        platform.requests.append((what, dict(request.query_params)))
        if password is not None:
            expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
            if request.headers.get("authorization") != expected:
                return JSONResponse({"error": "Unauthorized"}, 401, headers=version)
        failure = await transport_fault(platform.faults, platform.rng)
        if failure is not None:
            status, headers = failure
            return JSONResponse({"error": f"HTTP {status}"}, status, headers=headers | version)
        return None

    async def about(request: Request) -> JSONResponse:
        return JSONResponse({"version": [XAPI_VERSION]}, headers=version)

    async def statements(request: Request) -> JSONResponse:
        refused = await gate(request, "statements")
        if refused is not None:
            return refused
        if not request.headers.get("x-experience-api-version", "").startswith("1.0"):
            return JSONResponse({"error": "X-Experience-API-Version header missing"}, 400)
        query = dict(request.query_params)
        try:
            body = lrs.page(query)
        except ValueError as error:
            return JSONResponse({"error": f"bad parameter: {error}"}, 400, headers=version)
        consistent = _stored(datetime.now(UTC))
        headers = version | {"X-Experience-API-Consistent-Through": consistent}
        return JSONResponse(body, headers=headers)

    async def roster(request: Request) -> Response:
        refused = await gate(request, "roster")
        if refused is not None:
            return refused
        if request.path_params["name"] != WORKBOOK:
            return JSONResponse({"error": "Not Found"}, 404)
        return Response(files.workbook(ROSTER_SHEETS), media_type=XLSX_TYPE)

    app = Starlette(
        routes=[
            Route("/xapi/about", about),
            Route("/xapi/statements", statements),
            Route("/xapi/roster/{name}", roster),
        ]
    )
    app.state.platform = platform
    app.state.faults = platform.faults
    app.state.lrs = lrs
    return app
