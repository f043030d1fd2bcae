"""Connector for Moodle through its Web Services REST protocol.

Every call is `GET {base_url}/webservice/rest/server.php?wstoken=…&wsfunction=…&
moodlewsrestformat=json` with the function's arguments in PHP's nested form
(`options[0][name]=limitfrom`, `values[0]=42`). Moodle reports errors with HTTP 200 and a body
`{"exception": …, "errorcode": …, "message": …}`: `invalidtoken` and access errors become
AuthError, others ConnectorError. Functions used (all documented Moodle web services):

- `core_webservice_get_site_info` — check(): the token works, the site answers.
- `core_course_get_courses` — every Moodle course (but the front page) is one training class
  (开班: dates, organiser, region); its course custom fields name the curriculum it teaches, from
  which the canonical course is built (option `course_fields`, canonical field -> shortname).
- `core_enrol_get_enrolled_users` (paged with `limitfrom`/`limitnumber`) — enrolments, keyed
  `<courseid>-<userid>`; each next page starts one row early and must begin with the last user
  seen, otherwise the list shifted under us and the course is read again.
- `core_user_get_users_by_field` (`field=id`) — the trainees enrolled anywhere, with the custom
  profile fields holding the real-name data (option `user_fields`).
- `gradereport_user_get_grade_items` — the final assessment's grade item (`idnumber` given by the
  option `exam_idnumber`, default `final_exam`): score and time graded; and
  `core_completion_get_activities_completion_status` — its completion state says passed (2) or
  failed (3). Keyed `<courseid>-<userid>`.
- `core_reportbuilder_retrieve_report` (paged with `page`/`perpage`) — Moodle has no core
  function for time spent, so study sessions come from a custom report set up on the platform
  (option `session_report_id`) with the columns named in `session_columns` (defaults below),
  sorted by its modification-time column ascending. Times are Shanghai wall clock
  `YYYY-MM-DD HH:MM:SS` (or Unix timestamps), durations in seconds.

Incremental reading: courses, enrolments, users and grades have no "changed since" argument, so
those streams read everything each run (the hub stores only what changed). Sessions — the big
stream — are read newest first, from the report's last page back to the first page whose oldest
row was modified before the cursor minus `lookback_seconds` (default 300). Rows changed during the
read move to the end, behind us: a second pass reads the tail again, down to the newest row the
first pass met first, so they are read in the same run; the cursor (the newest modification time
seen) is saved once the read is complete. A row stamped with
an old modification time (a late import) lands before the window: the report's `totalrowcount`
against the hub's count at the end of the run shows it (the run is `incomplete` and the next one
reads the report whole). Certificates are not read: Moodle has
no core function for them.

Withdrawals: the streams read whole (courses, classes, enrolments, trainees, assessments) are
complete answers, so what the hub holds beyond them was removed on Moodle (an unenrolled user) and
is withdrawn. The session report is read by pages from a cursor and withdraws nothing; its total
row count shows a difference, and sessions deleted on Moodle stay in the hub (reported by `hub
reconcile` as only in the hub).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from connectors.base import Batch, Census, Connector, Stream
from connectors.errors import AuthError, ConnectorError, PlatformUnavailable, SchemaDriftError
from connectors.moodle_mapping import (
    COURSE_FIELDS,
    SESSION_COLUMNS,
    USER_FIELDS,
    assessment_record,
    class_record,
    course_record,
    moodle_time,
    session_record,
    trainee_record,
    ws_params,
)

ENDPOINT = "webservice/rest/server.php"
AUTH_ERRORS = frozenset({"invalidtoken", "accessexception", "invalidlogin", "usernotfullysetup"})
COMPLETE_PASS, COMPLETE_FAIL = 2, 3
MAX_PASSES = 3


class _Stream:
    """A stream whose read() is one of the connector's methods; `whole` if it reads everything."""

    def __init__(self, name: str, read: Any, whole: bool = True) -> None:
        self.name = name
        self.read = read
        self.whole = whole
        # A whole read is one answer per course (enrolments paged with a shift check, or not
        # at all): what it lacks is gone from Moodle, and the hub withdraws it.
        self.snapshot = whole


class _SessionStream(_Stream):
    """The session report: read newest first, counted by the report's `totalrowcount`."""

    def __init__(self, connector: MoodleConnector) -> None:
        super().__init__("session", connector._sessions, whole=False)
        self._connector = connector

    async def census(self) -> Census:
        _, total = await self._connector.report_page(0)
        return Census(total)


class MoodleConnector(Connector):
    """Trainees, courses, classes, enrolments, sessions and assessments from Moodle."""

    kind = "moodle"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._courses: list[dict] | None = None  # one run reads the course list once

    # -- protocol ------------------------------------------------------------------------------

    async def call(self, function: str, **args: Any) -> Any:
        """Call one web-service function; Moodle's in-band errors become connector errors."""
        token = self.config.resolve_token()
        if not token:
            raise AuthError(f"platform {self.config.code}: a Moodle web-service token is needed")
        params = {"wstoken": token, "wsfunction": function, "moodlewsrestformat": "json"}
        body = await self.client.get_json(self.config.url(ENDPOINT), params | ws_params(args))
        if isinstance(body, dict) and "exception" in body:
            code, message = body.get("errorcode"), body.get("message")
            text = f"{function}: {body['exception']} {code}: {message}"
            raise (AuthError if code in AUTH_ERRORS else ConnectorError)(text)
        return body

    def _option(self, name: str, default: dict[str, Any]) -> dict[str, Any]:
        return default | dict(self.config.option(name, {}) or {})

    async def check(self) -> None:
        """core_webservice_get_site_info with the token; a clear error if it fails."""
        who = f"platform {self.config.code} ({self.config.name})"
        try:
            info = await self.call("core_webservice_get_site_info")
        except AuthError as exc:
            raise AuthError(f"{who} rejected the token: {exc}") from exc
        except PlatformUnavailable as exc:
            raise PlatformUnavailable(f"{who} is unreachable: {exc}", exc.retry_after) from exc
        if not isinstance(info, dict) or "sitename" not in info:
            raise SchemaDriftError(f"{who}: core_webservice_get_site_info answered {info!r:.200}")

    def streams(self) -> list[Stream]:
        """All but certificates, in the order their references need them."""
        streams = [
            _Stream("trainee", self._trainees),
            _Stream("course", self._curricula),
            _Stream("class", self._classes),
            _Stream("enrolment", self._enrolments),
        ]
        if self.config.option("session_report_id", None) is not None:
            streams.append(_SessionStream(self))
        streams.append(_Stream("assessment", self._assessments))
        return streams

    # -- courses and classes -------------------------------------------------------------------

    async def courses(self) -> list[dict]:
        """Every course but the site front page (format "site")."""
        if self._courses is None:
            found = await self.call("core_course_get_courses")
            if not isinstance(found, list):
                raise SchemaDriftError("core_course_get_courses did not answer a list")
            self._courses = [c for c in found if isinstance(c, dict) and c.get("format") != "site"]
        return self._courses

    async def _curricula(self, cursor: dict | None) -> AsyncIterator[Batch]:
        names = self._option("course_fields", COURSE_FIELDS)
        # Several classes teach one curriculum: one record per curriculum (or per bad course).
        records = {
            r.get("source_id") or f"#{c.get('id')}": r
            for c in await self.courses()
            for r in [course_record(c, names)]
        }
        yield Batch("course", list(records.values()), {})

    async def _classes(self, cursor: dict | None) -> AsyncIterator[Batch]:
        names = self._option("course_fields", COURSE_FIELDS)
        yield Batch("class", [class_record(c, names) for c in await self.courses()], {})

    # -- enrolments and trainees ---------------------------------------------------------------

    async def enrolled(self, course_id: int) -> list[dict]:
        """The users enrolled in one course, paged; re-read if the list shifts while paging."""
        size = self.config.page_size
        for _ in range(MAX_PASSES):
            users: dict[Any, dict] = {}
            last: Any = None
            offset, clean = 0, True
            while True:
                start = max(0, offset - 1)  # one row of overlap proves nothing shifted
                page = await self.call(
                    "core_enrol_get_enrolled_users",
                    courseid=course_id,
                    options=[
                        {"name": "limitfrom", "value": start},
                        {"name": "limitnumber", "value": size + (offset - start)},
                    ],
                )
                if not isinstance(page, list):
                    raise SchemaDriftError("core_enrol_get_enrolled_users did not answer a list")
                if offset > 0 and (not page or page[0].get("id") != last):
                    clean = False
                    break
                for user in page:
                    users[user.get("id")] = user
                if len(page) < size + (offset - start):
                    break
                last, offset = page[-1].get("id"), offset + size
            if clean:
                return list(users.values())
        raise PlatformUnavailable(f"enrolments of course {course_id} kept shifting while read")

    async def _enrolments(self, cursor: dict | None) -> AsyncIterator[Batch]:
        for course in await self.courses():
            cid = course.get("id")
            records = [
                {
                    "type": "enrolment",
                    "source_id": f"{cid}-{user.get('id')}",
                    "class_source_id": str(cid),
                    "trainee_source_id": str(user.get("id")),
                }
                for user in await self.enrolled(cid)
            ]
            yield Batch("enrolment", records, {})

    async def _trainees(self, cursor: dict | None) -> AsyncIterator[Batch]:
        ids: dict[Any, None] = {}
        for course in await self.courses():
            for user in await self.enrolled(course.get("id")):
                ids[user.get("id")] = None
        wanted = list(ids)
        size = self.config.page_size
        for start in range(0, len(wanted), size):
            users = await self.call(
                "core_user_get_users_by_field", field="id", values=wanted[start : start + size]
            )
            if not isinstance(users, list):
                raise SchemaDriftError("core_user_get_users_by_field did not answer a list")
            names = self._option("user_fields", USER_FIELDS)
            yield Batch("trainee", [trainee_record(u, names) for u in users], {})

    # -- assessments ---------------------------------------------------------------------------

    async def _assessments(self, cursor: dict | None) -> AsyncIterator[Batch]:
        exam = str(self.config.option("exam_idnumber", "final_exam"))
        for course in await self.courses():
            cid = course.get("id")
            report = await self.call("gradereport_user_get_grade_items", courseid=cid)
            if not isinstance(report, dict) or not isinstance(report.get("usergrades"), list):
                raise SchemaDriftError("gradereport_user_get_grade_items lacks usergrades")
            records = []
            for grades in report["usergrades"]:
                item = next(
                    (g for g in grades.get("gradeitems", []) if g.get("idnumber") == exam), None
                )
                if item is None or item.get("graderaw") is None:
                    continue  # not assessed yet
                uid = grades.get("userid")
                passed = await self._exam_passed(cid, uid, item.get("cmid"))
                records.append(assessment_record(cid, uid, item, passed))
            yield Batch("assessment", records, {})

    async def _exam_passed(self, course_id: Any, user_id: Any, cmid: Any) -> bool | None:
        status = await self.call(
            "core_completion_get_activities_completion_status", courseid=course_id, userid=user_id
        )
        for activity in (status or {}).get("statuses", []):
            if activity.get("cmid") == cmid:
                state = activity.get("state")
                return True if state == COMPLETE_PASS else False if state == COMPLETE_FAIL else None
        return None

    # -- sessions (custom report) --------------------------------------------------------------

    async def report_page(self, page: int) -> tuple[list[dict[str, Any]], int]:
        """One page of the session report: rows by header, and the report's total row count."""
        body = await self.call(
            "core_reportbuilder_retrieve_report",
            reportid=self.config.option("session_report_id", 0),
            page=page,
            perpage=self.config.page_size,
        )
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise SchemaDriftError("core_reportbuilder_retrieve_report lacks data.rows")
        headers = data.get("headers") or []
        missing = set(self._option("session_columns", SESSION_COLUMNS).values()) - set(headers)
        if missing:
            raise SchemaDriftError(f"session report lacks the columns {sorted(missing)}")
        rows = [dict(zip(headers, r.get("columns", []), strict=False)) for r in data["rows"]]
        return rows, int(data.get("totalrowcount") or 0)

    async def _sessions(self, cursor: dict | None) -> AsyncIterator[Batch]:
        lookback = timedelta(seconds=float(self.config.option("lookback_seconds", 300)))
        # The cursor is ISO 8601 (with its offset), not the report's wall-clock text.
        saved = (cursor or {}).get("modified_since")
        previous = datetime.fromisoformat(saved) if isinstance(saved, str) else None
        newest = previous
        held = dict(cursor or {})
        cutoff = None if previous is None else previous - lookback
        # A row modified while we read jumps to the end, behind us: a second pass over the tail
        # (rows modified since the newest one the first pass met first) picks such rows up.
        # Rows of the tail the first pass already passed on are not passed on again unless they
        # changed (a first sync would otherwise report them "unchanged"); the tail is the newest
        # page, so this remembers one page at most.
        tail: dict[str, dict] = {}
        for second in (False, True):
            mark = None
            async for records, times in self._report_backwards(cutoff):
                if mark is None and not second:
                    tail = {
                        r["source_id"]: r for r in records if isinstance(r.get("source_id"), str)
                    }
                mark = mark or (max(times) if times else None)
                if times and (newest is None or max(times) > newest):
                    newest = max(times)
                if second:
                    records = [r for r in records if tail.get(r.get("source_id")) != r]
                yield Batch("session", records, held)
            if mark is None or second:
                break
            cutoff = mark
        if newest is not None:
            yield Batch("session", [], {"modified_since": newest.isoformat()})

    async def _report_backwards(
        self, cutoff: datetime | None
    ) -> AsyncIterator[tuple[list[dict], list[datetime]]]:
        """(records, modification times) per page, from the last page back to `cutoff`."""
        columns = self._option("session_columns", SESSION_COLUMNS)
        _, total = await self.report_page(0)
        size = self.config.page_size
        for page in range((max(total, 1) - 1) // size, -1, -1):  # newest rows first
            rows, _ = await self.report_page(page)
            times = [t for t in (moodle_time(r.get(columns["modified"])) for r in rows) if t]
            yield [session_record(r, columns) for r in rows], times
            if cutoff is not None and times and min(times) < cutoff:
                return  # everything before this page was modified before the cutoff
