"""A real Starlette app imitating a typical domestic training platform's REST/JSON API.

It is fed canonical v1 records, keeps them with an update time, and serves them in the platform's
Chinese format (see connectors/rest_json.py for the API). Tests and demos change its data at
runtime through `app.state.platform` and switch faults on through `app.state.faults` or
`POST /_faults` with a JSON object of Faults fields.
"""

from __future__ import annotations

import random
import threading
import zlib
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.rest_json import (
    CERTIFICATE_LABELS,
    IDENTITY_LABELS,
    MODE_LABELS,
    RESULT_LABELS,
    SHANGHAI,
    SKILL_LEVEL_LABELS,
    STANDARD_LABELS,
    format_local,
    parse_local,
)
from connectors.simulated.faults import Faults, apply_faults, transport_fault

__all__ = ["Faults", "SimulatedPlatform", "create_app", "revise"]

EPOCH = datetime(2020, 3, 1, tzinfo=SHANGHAI)  # update time of records that bring none
MAX_PAGE_SIZE = 1000


def _inverse(table: dict[str, Any]) -> dict[Any, str]:
    out: dict[Any, str] = {}
    for label, value in table.items():
        out.setdefault(value, label)  # the first label is the one the platform writes
    return out


_IDENTITY, _LEVEL, _STANDARD = (
    _inverse(IDENTITY_LABELS),
    _inverse(SKILL_LEVEL_LABELS),
    _inverse(STANDARD_LABELS),
)
_CERT, _MODE, _RESULT = _inverse(CERTIFICATE_LABELS), _inverse(MODE_LABELS), _inverse(RESULT_LABELS)


def _lab(table: dict[Any, str], value: Any) -> Any:
    return table.get(value, value) if value is not None else None


def _local(value: Any) -> Any:
    try:
        return format_local(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return value


def _minutes(hours: Any) -> Any:
    if not isinstance(hours, int | float):
        return hours
    minutes = hours * 60
    return int(minutes) if float(minutes).is_integer() else minutes


def _trainee(r: dict) -> dict:
    return {
        "学员编号": r["source_id"],
        "姓名": r.get("name"),
        "身份证号": r.get("id_number"),
        "身份类别": _lab(_IDENTITY, r.get("identity_category")),
        "所属地区": r.get("region_code"),
        "手机号": r.get("phone") or "",  # the platform writes "" for "no phone"
        "工作单位信用代码": r.get("employer_credit_code"),
    }


def _course(r: dict) -> dict:
    return {
        "课程编号": r["source_id"],
        "课程名称": r.get("title"),
        "工种名称": r.get("occupation_name"),
        "工种编码": r.get("occupation_code"),
        "技能等级": _lab(_LEVEL, r.get("skill_level")),
        "课程总时长": _minutes(r.get("total_hours")),
        "线上时长": _minutes(r.get("online_hours")),
        "培训标准": _lab(_STANDARD, r.get("standard")),
    }


def _class(r: dict) -> dict:
    return {
        "班级编号": r["source_id"],
        "班级名称": r.get("name") or "",
        "课程编号": r.get("course_source_id"),
        "承训单位信用代码": r.get("organiser_credit_code"),
        "培训地区": r.get("region_code"),
        "开班日期": r.get("starts_on"),
        "结业日期": r.get("ends_on"),
    }


def _enrolment(r: dict) -> dict:
    on = r.get("enrolled_on")
    return {
        "报名编号": r["source_id"],
        "班级编号": r.get("class_source_id"),
        "学员编号": r.get("trainee_source_id"),
        "报名时间": f"{on} 00:00:00" if on else None,
    }


def _session(r: dict) -> dict:
    seconds = r.get("reported_seconds")
    return {
        "记录编号": r["source_id"],
        "学员编号": r.get("trainee_source_id"),
        "班级编号": r.get("class_source_id"),
        "开始时间": _local(r.get("started_at")),
        "结束时间": _local(r.get("ended_at")),
        "学习方式": _lab(_MODE, r.get("mode")),
        "学习时长": seconds / 60 if isinstance(seconds, int | float) else seconds,  # minutes
        "学习内容": r.get("activity") or "",
    }


def _assessment(r: dict) -> dict:
    return {
        "考核编号": r["source_id"],
        "学员编号": r.get("trainee_source_id"),
        "班级编号": r.get("class_source_id"),
        "考核时间": _local(r.get("assessed_at")),
        "考核结果": _lab(_RESULT, r.get("passed")),
        "考核成绩": r.get("score"),
    }


def _certificate(r: dict) -> dict:
    return {
        "发证记录编号": r["source_id"],
        "学员编号": r.get("trainee_source_id"),
        "证书类别": _lab(_CERT, r.get("kind")),
        "证书编号": r.get("number"),
        "发证日期": r.get("issued_on"),
        "班级编号": r.get("class_source_id"),
        "工种编码": r.get("occupation_code"),
        "技能等级": _lab(_LEVEL, r.get("skill_level")),
    }


# resource path -> (record type, canonical -> platform item)
RESOURCES: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "学员": ("trainee", _trainee),
    "课程": ("course", _course),
    "班级": ("class", _class),
    "报名": ("enrolment", _enrolment),
    "学习记录": ("session", _session),
    "考核": ("assessment", _assessment),
    "证书": ("certificate", _certificate),
}

# The garbage a malformed record carries, per type: (platform field, value).
GARBAGE: dict[str, tuple[str, Any]] = {
    "trainee": ("身份证号", "15030219900101001?"),
    "course": ("课程总时长", "四十学时"),
    "class": ("开班日期", "2020-13-45"),
    "enrolment": ("报名时间", "去年三月"),
    "session": ("开始时间", "昨天上午"),
    "assessment": ("考核结果", "待定"),
    "certificate": ("证书类别", "荣誉证书"),
}


def spaced(records: list[dict], step: timedelta = timedelta(seconds=10)) -> list[dict]:
    """Records without an update time stamped `step` apart from EPOCH, as if they came over time."""
    return [
        r if "_updated_at" in r else r | {"_updated_at": EPOCH + step * n}
        for n, r in enumerate(records)
    ]


def revise(record: dict) -> dict:
    """A visibly changed copy of `record`, as a platform operator's correction would make."""
    r = dict(record)
    kind = r["type"]
    if kind == "trainee":
        r["name"] = r["name"][:190] + "（更正）"
    elif kind == "course":
        r["title"] = r["title"][:190] + "（修订）"
    elif kind == "class":
        r["name"] = (r.get("name") or "培训班")[:190] + "（调整）"
    elif kind == "enrolment":
        on = date.fromisoformat(r["enrolled_on"]) if r.get("enrolled_on") else date(2020, 3, 1)
        r["enrolled_on"] = (on + timedelta(days=1)).isoformat()
    elif kind == "session":
        r["activity"] = ((r.get("activity") or "") + "·补录")[-200:]
    elif kind == "assessment":
        score = float(r.get("score") or 60)
        r["score"] = score - 1 if score >= 1 else score + 1
    else:
        r["number"] = r["number"][:60] + "-补"
    return r


class SimulatedPlatform:
    """The platform's data: canonical records with update times, shared between threads."""

    def __init__(
        self,
        records: list[dict],
        faults: Faults | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.faults = faults or Faults()
        self.rng = random.Random(self.faults.seed)
        self.requests: list[tuple[str, dict[str, str]]] = []  # (resource, query) per API call
        self._clock = clock or (lambda: datetime.now(SHANGHAI))
        self._lock = threading.Lock()  # the server thread reads while a test thread writes
        self._rows: dict[str, dict[str, tuple[datetime, dict]]] = {
            t: {} for t, _ in RESOURCES.values()
        }
        self._last = EPOCH
        self.version = 0  # bumped by every upsert, so views derived from the data can be cached
        for record in records:
            stamp = record.get("_updated_at")
            when = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
            self.upsert(record, when or EPOCH)

    def _now(self) -> datetime:
        # Platforms stamp whole seconds and their clock never runs backwards.
        return max(self._clock().replace(microsecond=0), self._last)

    def upsert(self, record: dict, updated_at: datetime | None = None) -> datetime:
        """Insert or replace `record` (canonical v1) and stamp it updated now (or `updated_at`)."""
        clean = {k: v for k, v in record.items() if not k.startswith("_")}
        with self._lock:
            when = (updated_at or self._now()).astimezone(SHANGHAI).replace(microsecond=0)
            self._last = max(self._last, when)
            self._rows[clean["type"]][clean["source_id"]] = (when, clean)
            self.version += 1
        return when

    def withdraw(self, kind: str, source_id: str) -> dict:
        """Take one record off the platform (it comes back with `upsert`); returns it."""
        with self._lock:
            _, record = self._rows[kind].pop(source_id)
            self.version += 1
        return dict(record)

    def revise(self, kind: str, source_id: str) -> dict:
        """Change one stored record visibly and bump its update time; returns the new version."""
        changed = revise(self.get(kind, source_id))
        self.upsert(changed)
        return changed

    def get(self, kind: str, source_id: str) -> dict:
        """The current canonical version of one record."""
        with self._lock:
            return dict(self._rows[kind][source_id][1])

    def updated_at(self, kind: str, source_id: str) -> datetime:
        """When one record was last stamped."""
        with self._lock:
            return self._rows[kind][source_id][0]

    def canonical(self) -> dict[tuple[str, str], dict]:
        """Everything the platform holds now, keyed like the hub keys it: (type, source_id)."""
        with self._lock:
            return {
                (k, sid): dict(r) for k, rows in self._rows.items() for sid, (_, r) in rows.items()
            }

    def is_malformed(self, kind: str, source_id: str) -> bool:
        """Whether the malformed-records fault garbles this record (stable per record)."""
        rate = self.faults.malformed_rate
        token = f"{self.faults.seed}:{kind}:{source_id}".encode()
        return rate > 0 and zlib.crc32(token) / 2**32 < rate

    def serve_rows(
        self, kind: str, since: datetime | None, offset: int, size: int
    ) -> tuple[list[tuple[datetime, dict, bool]], int]:
        """One page of `kind` from `since` in (update time, id) order, applying the data faults.

        Returns ((update time, canonical record, malformed?) per row, rows in the whole window).
        The shift fault updates an already-served record first; the change fault updates served
        records right after this page was cut, so the page still holds their old versions.
        """
        faults = self.faults
        window = self.window(kind, since)
        if faults.shift_next > 0 and (offset > 0 or since is not None) and window:
            faults.shift_next -= 1
            self.revise(kind, window[0][1]["source_id"])  # the rest of the window shifts back
            window = self.window(kind, since)
        rows = window[offset : offset + size]
        if faults.duplicate_items > 0:
            n = faults.duplicate_items
            rows = window[max(0, offset - n) : offset] + rows + rows[:n]
        out = [(when, r, self.is_malformed(kind, r["source_id"])) for when, r in rows]
        served = list(dict.fromkeys(r["source_id"] for _, r in rows))
        for source_id in served[: max(0, faults.change_after_serve)]:
            faults.change_after_serve -= 1
            self.revise(kind, source_id)
        return out, len(window)

    def list_page(self, path: str, since: datetime | None, page: int, size: int) -> dict:
        """The `data` of one list response in the platform's Chinese format."""
        kind, to_platform = RESOURCES[path]
        rows, total = self.serve_rows(kind, since, (page - 1) * size, size)
        items = []
        for when, record, malformed in rows:
            item = to_platform(record) | {"更新时间": format_local(when)}
            if malformed:
                field, garbage = GARBAGE[kind]
                item[field] = garbage
            items.append(item)
        return {"list": items, "total": total, "page": page, "page_size": size}

    def window(self, kind: str, since: datetime | None) -> list[tuple[datetime, dict]]:
        """(update time, record) of `kind` updated at or after `since`, oldest first."""
        with self._lock:
            rows = [row for row in self._rows[kind].values() if since is None or row[0] >= since]
        return sorted(rows, key=lambda row: (row[0], row[1]["source_id"]))

    def request_count(self, path: str | None = None) -> int:
        """How many API requests were made (for one resource path, or all)."""
        return sum(1 for p, _ in self.requests if path is None or p == path)


def _error(status: int, code: int, msg: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "data": None}, status, headers=headers)


def create_app(
    records: list[dict], token: str | None = None, faults: Faults | None = None
) -> Starlette:
    """The simulated platform serving `records`; `token` (if set) is required as a Bearer."""
    platform = SimulatedPlatform(records, faults)

    async def gate(request: Request, resource: str) -> JSONResponse | None:
        """Auth and the transport faults, in the order a real gateway applies them."""
        platform.requests.append((resource, dict(request.query_params)))
        if token is not None and request.headers.get("authorization") != f"Bearer {token}":
            return _error(401, 40101, "令牌无效或已过期")
        failure = await transport_fault(platform.faults, platform.rng)
        if failure is not None:
            status, headers = failure
            if status == 429:
                return _error(429, 42900, "请求过于频繁", headers)
            return _error(500, 50000, "系统繁忙，请稍后再试")
        return None

    async def ping(request: Request) -> JSONResponse:
        refused = await gate(request, "ping")
        if refused is not None:
            return refused
        now = format_local(datetime.now(SHANGHAI))
        return JSONResponse({"code": 0, "msg": "ok", "data": {"服务器时间": now}})

    async def listing(request: Request) -> JSONResponse:
        path = request.path_params["resource"]
        if path not in RESOURCES:
            return _error(404, 40400, f"资源不存在：{path}")
        refused = await gate(request, path)
        if refused is not None:
            return refused
        query = request.query_params
        try:
            page = int(query.get("page", "1"))
            size = int(query.get("page_size", "20"))
        except ValueError:
            return _error(400, 40000, "分页参数错误")
        raw_since = query.get("updated_since")
        since = parse_local(raw_since) if raw_since else None
        if page < 1 or not 0 < size <= MAX_PAGE_SIZE or (raw_since and since is None):
            return _error(400, 40000, "参数错误")
        data = platform.list_page(path, since, page, size)
        return JSONResponse({"code": 0, "msg": "ok", "data": data})

    async def fault_switches(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                apply_faults(platform.faults, await request.json())
            except ValueError as error:
                return _error(400, 40000, str(error))
            platform.rng.seed(platform.faults.seed)
        return JSONResponse(asdict(platform.faults))

    app = Starlette(
        routes=[
            Route("/api/v1/ping", ping),
            Route("/api/v1/{resource}", listing),
            Route("/_faults", fault_switches, methods=["GET", "POST"]),
        ]
    )
    app.state.platform = platform
    app.state.faults = platform.faults
    return app
