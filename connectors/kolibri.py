"""Kolibri (Learning Equality's offline LMS): users and classes by REST, logs by CSV export.

- Session login: POST /api/auth/session/ with a facility admin's username and password (the
  platform's `token` is that password, "env:NAME" allowed). Kolibri answers with its session
  cookie `kolibri` and a CSRF cookie `kolibri_csrftoken`; every later request sends the cookies
  explicitly (the shared client serves many platforms, so its cookie jar is not relied on) and
  every write sends the CSRF token as `X-CSRFToken`.
- Facility users (/api/auth/facilityuser/, paged), classrooms (/api/auth/classroom/) and their
  memberships (/api/auth/membership/?collection=) are read in full each run; unchanged records
  cost nothing downstream (dedup by natural key).
- Kolibri has no list endpoint for learner logs: content session and summary logs come from its
  CSV export task (POST /api/tasks/tasks/ {type: kolibri.core.logger.tasks.export…logcsv},
  poll /api/tasks/tasks/<id>/, then GET /facility/api/downloadcsvfile/<type>/<facility>/).

How changes are found, and why none is missed: the export can only filter by the day a log
STARTED, never by when it changed. Logs synced in from learners' tablets weeks later carry their
old start times, and a summary log updated later (an exercise retried and passed) keeps its first
start, so no window on the start day can be trusted, however wide. Kolibri exposes no
modification counter over its API either (morango's counters are internal). So every run exports
all logs from `logs_since` and the hub stores only what changed (records are compared by content
hash); the streams are `whole` reads, so the end-of-run reconciliation compares the ids the export
gave with the ids the hub holds. Users, classrooms and memberships are read whole too.

Keys: trainees, classes and enrolments by Kolibri's ids (UUIDs); the export carries no log ids,
so a log is keyed by what never changes for it: the learner's user id (the export names the
learner by username, which an admin may rename; it is looked up in the user list read in the
same run, and a name not found there makes the list be read again), content and channel ids and,
for a session log, its start. Logs an earlier version stored under username-based keys are
re-keyed in place by the hub (each batch names the old key of each of its logs).

Withdrawals: every stream is a snapshot (one list response per collection, a count-checked user
list, one export per log kind), so a record the hub holds that a completed read did not yield is
no longer on Kolibri (a learner moved out of a classroom, a deleted user or log) and the hub
withdraws it. An export row whose learner cannot be named makes its stream withdraw nothing.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors import kolibri_mapping as mapping
from connectors.base import Batch, Connector, PlatformConfig
from connectors.errors import AuthError, ConnectorError, PlatformUnavailable, SchemaDriftError
from connectors.http import HttpClient

SESSION_COOKIE = "kolibri"
CSRF_COOKIE = "kolibri_csrftoken"
EXPORT_TASKS = {
    "session": "kolibri.core.logger.tasks.exportsessionlogcsv",
    "summary": "kolibri.core.logger.tasks.exportsummarylogcsv",
}
TASK_DONE = {"COMPLETED"}
TASK_FAILED = {"FAILED", "CANCELED"}
MAX_PASSES = 3


class CourseOptions(BaseModel):
    """The course the platform's classrooms teach (Kolibri has no notion of one)."""

    source_id: str = "kolibri-course"
    title: str
    occupation_name: str
    skill_level: int = Field(ge=1, le=5)
    total_hours: float
    online_hours: float
    occupation_code: str | None = None
    standard: str | None = None


class KolibriOptions(BaseModel):
    """The `kind = "kolibri"` options of a platform declaration."""

    model_config = ConfigDict(extra="ignore")

    username: str
    facility: str | None = None  # default: the facility of the admin who logs in
    identity_category: str = "other_eligible"
    trainee_region: str | None = None  # default: the platform's region
    organiser: str | None = None  # default: the platform's operator
    class_starts_on: date
    class_ends_on: date
    course: CourseOptions
    logs_since: date = date(2000, 1, 1)
    export_timeout: float = Field(default=300.0, gt=0)
    poll_interval: float = Field(default=0.25, gt=0)


class KolibriConnector(Connector):
    """Trainees, the configured course, classes, enrolments, sessions and exercise results."""

    kind = "kolibri"

    def __init__(self, config: PlatformConfig, client: HttpClient) -> None:
        super().__init__(config, client)
        try:
            self.options = KolibriOptions.model_validate(config.model_extra or {})
        except ValidationError as error:
            raise ConnectorError(
                f"platform {config.code}: invalid kolibri options: {error}"
            ) from error
        self._cookies: dict[str, str] | None = None
        self._facility: str | None = None
        self._directory: mapping.Directory | None = None

    # session -----------------------------------------------------------------------------------
    async def check(self) -> None:
        """Log in as the configured facility admin; AuthError says why that failed."""
        await self._login()

    async def _login(self) -> None:
        who = f"platform {self.config.code} ({self.config.name})"
        body: dict[str, Any] = {
            "username": self.options.username,
            "password": self.config.resolve_token() or "",
        }
        if self.options.facility:
            body["facility"] = self.options.facility
        try:
            response = await self.client.send(
                "POST", self.config.url("/api/auth/session/"), json=body
            )
        except AuthError as exc:
            raise AuthError(
                f"{who} rejected the login of {self.options.username!r}: {exc}"
            ) from exc
        except PlatformUnavailable as exc:
            raise PlatformUnavailable(f"{who} is unreachable: {exc}", exc.retry_after) from exc
        cookies = dict(response.cookies)
        if SESSION_COOKIE not in cookies or CSRF_COOKIE not in cookies:
            raise SchemaDriftError(f"{who}: the login set no {SESSION_COOKIE}/{CSRF_COOKIE} cookie")
        user = response.json()
        if not {"admin", "superuser"} & set(user.get("kind") or []):
            raise AuthError(f"{who}: {self.options.username!r} is not a facility admin")
        self._cookies = cookies
        self._facility = self.options.facility or user.get("facility_id")

    async def _headers(self, write: bool = False) -> dict[str, str]:
        if self._cookies is None:
            await self._login()
        assert self._cookies is not None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self._cookies.items())}
        if write:
            headers["X-CSRFToken"] = self._cookies[CSRF_COOKIE]
        return headers

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self.client.get_json(self.config.url(path), params, await self._headers())

    # REST lists --------------------------------------------------------------------------------
    async def facility_users(self) -> list[dict[str, Any]]:
        """Every user of the facility, page by page, read again if the list moved meanwhile.

        Pages are by username: a user added, removed or renamed while we page shifts the rest,
        which could skip one. Each page tells the list's `count`; a read is kept only if the count
        held still and exactly that many distinct users were met.
        """
        for _ in range(MAX_PASSES):
            users: dict[str, dict[str, Any]] = {}
            counts: set[int] = set()
            page = 1
            while True:
                params = {
                    "member_of": self._facility,
                    "page_size": self.config.page_size,
                    "page": page,
                }
                body = await self._get("/api/auth/facilityuser/", params)
                if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise SchemaDriftError("facilityuser: expected a page with `results`")
                users.update({u["id"]: u for u in body["results"]})
                counts.add(int(body.get("count", -1)))
                if page >= int(body.get("total_pages") or 1):
                    break
                page += 1
            if counts == {-1} or counts == {len(users)}:  # no count given: nothing to check
                return list(users.values())
        raise PlatformUnavailable("Kolibri's user list kept changing while it was read")

    async def classrooms(self) -> list[dict[str, Any]]:
        await self._headers()  # logs in first, which tells the facility
        return _list(
            await self._get("/api/auth/classroom/", {"parent": self._facility}), "classroom"
        )

    async def memberships(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for classroom in await self.classrooms():
            body = await self._get("/api/auth/membership/", {"collection": classroom["id"]})
            found += _list(body, "membership")
        return found

    async def directory(self, refresh: bool = False) -> mapping.Directory:
        """Learners by (today's) username and each learner's classroom (the first one, by id)."""
        if self._directory is None or refresh:
            await self._headers()
            learners = [u for u in await self.facility_users() if mapping.is_learner(u)]
            directory = mapping.Directory(user_ids={u["username"]: u["id"] for u in learners})
            for membership in sorted(await self.memberships(), key=lambda m: m["collection"]):
                directory.classroom_of.setdefault(membership["user"], membership["collection"])
            self._directory = directory
        return self._directory

    # CSV export --------------------------------------------------------------------------------
    async def export_logs(self, log_type: str, start: date, end: date) -> list[dict[str, str]]:
        """Run Kolibri's export task for logs started from `start` to `end`; the CSV's rows."""
        await self._headers()
        task = await self.client.send(
            "POST",
            self.config.url("/api/tasks/tasks/"),
            json={
                "type": EXPORT_TASKS[log_type],
                "facility": self._facility,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "locale": "en",
            },
            headers=await self._headers(write=True),
        )
        await self._wait_for(task.json()["id"])
        response = await self.client.send(
            "GET",
            self.config.url(f"/facility/api/downloadcsvfile/{log_type}/{self._facility}/"),
            headers=await self._headers(),
        )
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        wanted = mapping.SUMMARY_HEADERS if log_type == "summary" else mapping.SESSION_HEADERS
        if rows and not set(wanted) <= set(rows[0]):
            missing = sorted(set(wanted) - set(rows[0]))
            raise SchemaDriftError(f"Kolibri's {log_type} log export lacks columns {missing}")
        return rows

    async def _wait_for(self, task_id: str) -> None:
        deadline = asyncio.get_running_loop().time() + self.options.export_timeout
        while True:
            state = await self._get(f"/api/tasks/tasks/{task_id}/")
            status = state.get("status")
            if status in TASK_DONE:
                return
            if status in TASK_FAILED:
                raise ConnectorError(
                    f"Kolibri export task {task_id} {status}: {state.get('exception')}"
                )
            if asyncio.get_running_loop().time() > deadline:
                raise PlatformUnavailable(f"Kolibri export task {task_id} still {status}")
            await asyncio.sleep(self.options.poll_interval)

    # streams -----------------------------------------------------------------------------------
    def streams(self) -> list[Any]:
        """Trainees, course, classes, enrolments (full reads), then sessions and assessments."""
        options = self.options
        region = options.trainee_region or self.config.region
        class_options = {
            "organiser_credit_code": options.organiser or self.config.operator,
            "region_code": self.config.region,
            "starts_on": options.class_starts_on.isoformat(),
            "ends_on": options.class_ends_on.isoformat(),
        }
        course = {"type": "course", **options.course.model_dump(exclude_none=True)}

        async def trainees() -> list[dict[str, Any]]:
            users = await self.facility_users()
            return [
                mapping.trainee(u, options.identity_category, region)
                for u in users
                if mapping.is_learner(u)
            ]

        async def courses() -> list[dict[str, Any]]:
            return [course]

        async def classes() -> list[dict[str, Any]]:
            return [
                mapping.training_class(c, course["source_id"], class_options)
                for c in await self.classrooms()
            ]

        async def enrolments() -> list[dict[str, Any]]:
            return [mapping.enrolment(m) for m in await self.memberships()]

        return [
            FullStream("trainee", trainees, self.config.page_size),
            FullStream("course", courses, self.config.page_size),
            FullStream("class", classes, self.config.page_size),
            FullStream("enrolment", enrolments, self.config.page_size),
            LogStream(self, "session", "session", mapping.session),
            LogStream(self, "assessment", "summary", mapping.assessment),
        ]


def _list(body: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        raise SchemaDriftError(f"{what}: expected a JSON array")
    return body


class FullStream:
    """A small list read whole every run, in batches of `size`."""

    whole = True  # what one read yields is all the platform holds
    snapshot = True  # ... and not pieced together from pages: what it lacks, the platform lacks

    def __init__(self, name: str, fetch: Callable[[], Awaitable[list[dict]]], size: int) -> None:
        self.name = name
        self._fetch = fetch
        self._size = size

    async def read(self, cursor: dict | None) -> AsyncIterator[Batch]:
        records = await self._fetch()
        for start in range(0, len(records), self._size):
            yield Batch(self.name, records[start : start + self._size], {})


class LogStream:
    """Every log of one kind from one CSV export (see the module docstring for why all)."""

    whole = True
    snapshot = True  # one export holds every log from `logs_since`

    def __init__(
        self,
        connector: KolibriConnector,
        name: str,
        log_type: str,
        to_record: Callable[[dict[str, str], mapping.Directory], dict | None],
    ) -> None:
        self.name = name
        self._connector = connector
        self._log_type = log_type
        self._to_record = to_record

    async def read(self, cursor: dict | None) -> AsyncIterator[Batch]:
        connector = self._connector
        # Kolibri includes the whole end day; one more covers clocks ahead of UTC.
        end = datetime.now(UTC).date() + timedelta(days=1)
        rows = await connector.export_logs(self._log_type, connector.options.logs_since, end)
        rows = [row for row in rows if row.get(mapping.USER_TYPE) == mapping.LEARNER]
        directory = await connector.directory()
        if any(row.get(mapping.USERNAME) not in directory.user_ids for row in rows):
            directory = await connector.directory(refresh=True)  # renamed since it was read
        mapped = [(row, self._to_record(row, directory)) for row in rows]
        records = [r for _, r in mapped if r is not None]
        # Keys of an earlier version of this connector (by username), for the hub to re-key.
        legacy = {
            r["source_id"]: mapping.legacy_source_id(self.name, row)
            for row, r in mapped
            if r is not None and r.get("source_id")
        }
        done = {"rows": len(rows)}
        size = connector.config.page_size
        # Only the last batch moves the cursor (which says how much the last whole read held).
        for first in range(0, len(records), size):
            last = first + size >= len(records)
            part = records[first : first + size]
            rekey = {legacy[r["source_id"]]: r["source_id"] for r in part if r.get("source_id")}
            yield Batch(self.name, part, done if last else {}, rekey)
        if not records:
            yield Batch(self.name, [], done)
