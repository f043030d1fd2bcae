"""Connector for the typical domestic training platform's bespoke paginated REST/JSON API.

The API (as the simulated platform in connectors/simulated/rest_json_app.py serves it):

    GET {base_url}/api/v1/ping                      -> {"code": 0, "msg": "ok", "data": {...}}
    GET {base_url}/api/v1/<资源>?updated_since=2020-03-01 08:00:00&page=1&page_size=200
        -> {"code": 0, "msg": "ok", "data": {"list": [...], "total": 1234, "page": 1}}
    Authorization: Bearer <token>; errors come as HTTP 401/429/5xx with {"code": n, "msg": ...}.

Field names and labels are Chinese; times are Shanghai wall-clock ("2020-03-01 08:00:00", no
offset, so +08:00 is attached here); course durations and study time are in minutes.
`updated_since` is a CLOSED lower bound on 更新时间 and lists are ordered by (更新时间, id).

Reading strategy (nothing may be lost even when pages shift while we read):
keyset on time — each request asks for `updated_since = the newest 更新时间 seen`, page 1, so a
record that moves (is updated) while we page only moves later and is met again. Only when a full
page is one single 更新时间 (a bulk import) do we page by offset inside that tie; an update of a
tied record then shifts the rest back by one, which we detect (we meet an id from the tie again
with a later time) and answer by re-reading from the tie. If it still is not clean after a few
passes, the cursor is held at the tie so the next run re-reads it.

Withdrawals: a clean read from no cursor (the first run, `hub reconcile`, or the run after a
completeness check failed) meets every record the platform held throughout it, so a record the
hub holds that it did not meet was deleted on the platform and is withdrawn in the hub. An
incremental read proves nothing about absent records and withdraws nothing; a deletion then shows
at the next full read.

Kind-specific option (a PlatformConfig extra): `lookback_seconds` (default 300), how far before
the stored cursor a run starts, for records committed late with an earlier 更新时间.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from connectors.base import Batch, Census, Connector
from connectors.errors import AuthError, ConnectorError, PlatformUnavailable, SchemaDriftError
from schema.enums import CertificateKind, CourseStandard, IdentityCategory, SessionMode

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # China keeps no DST: a fixed offset
LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"
API_PREFIX = "/api/v1"
UPDATED = "更新时间"
MAX_PASSES = 3

# Label tables: the platform's Chinese wording -> canonical value. The first label of a value is
# the one the platform writes; later ones are aliases seen in older exports.
IDENTITY_LABELS: dict[str, IdentityCategory] = {
    "企业职工": IdentityCategory.ENTERPRISE_EMPLOYEE,
    "劳务派遣工": IdentityCategory.ENTERPRISE_EMPLOYEE,
    "贫困家庭子女": IdentityCategory.POOR_FAMILY_CHILD,
    "贫困劳动力": IdentityCategory.POOR_LABOURER,
    "城乡未继续升学初高中毕业生": IdentityCategory.NON_CONTINUING_GRADUATE,
    "农村牧区转移就业劳动者": IdentityCategory.RURAL_MIGRANT_LABOURER,
    "下岗失业人员": IdentityCategory.UNEMPLOYED,
    "转岗职工": IdentityCategory.JOB_TRANSFER_EMPLOYEE,
    "退役军人": IdentityCategory.VETERAN,
    "残疾人": IdentityCategory.DISABLED,
    "高校毕业生": IdentityCategory.COLLEGE_GRADUATE,
    "其他有劳动能力且未领取养老金人员": IdentityCategory.OTHER_ELIGIBLE,
}
SKILL_LEVEL_LABELS: dict[str, int] = {
    "一级/高级技师": 1,
    "二级/技师": 2,
    "三级/高级工": 3,
    "四级/中级工": 4,
    "五级/初级工": 5,
}
STANDARD_LABELS: dict[str, CourseStandard] = {
    "国家职业技能标准": CourseStandard.NATIONAL_SKILL_STANDARD,
    "专项职业能力考核规范": CourseStandard.SPECIAL_ABILITY_SPEC,
    "国家职业技能培训课程": CourseStandard.NATIONAL_CURRICULUM,
}
CERTIFICATE_LABELS: dict[str, CertificateKind] = {
    "职业资格证书": CertificateKind.VOCATIONAL_QUALIFICATION,
    "职业技能等级证书": CertificateKind.SKILL_LEVEL,
    "专项职业能力证书": CertificateKind.SPECIAL_ABILITY,
    "特种作业操作证": CertificateKind.SPECIAL_OPERATION,
    "培训合格证书": CertificateKind.TRAINING_COMPLETION,
}
MODE_LABELS: dict[str, SessionMode] = {"线上": SessionMode.ONLINE, "线下": SessionMode.OFFLINE}
RESULT_LABELS: dict[str, bool] = {"合格": True, "不合格": False}


# Converters never raise: a value they cannot read is passed through unchanged, so the hub's
# validation rejects it and quarantines the record with what the platform really sent.


def _label(table: dict[str, Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        found = table.get(value.strip()) if isinstance(value, str) else None
        return value if found is None else (found.value if hasattr(found, "value") else found)

    return convert


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _code(value: Any) -> Any:
    """Region codes sometimes arrive as JSON numbers; the canonical form is a string."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else _text(value)


def parse_local(value: Any) -> datetime | None:
    """A platform wall-clock time as an aware datetime (Shanghai), or None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), LOCAL_FORMAT).replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


def format_local(moment: datetime) -> str:
    """An aware datetime as the platform writes it (Shanghai wall clock, no offset)."""
    return moment.astimezone(SHANGHAI).strftime(LOCAL_FORMAT)


def _time(value: Any) -> Any:
    moment = parse_local(value)
    return value if moment is None else moment.isoformat()


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _date_part(value: Any) -> Any:
    """报名时间 is a timestamp on the platform; the canonical enrolled_on is its date."""
    if isinstance(value, str) and parse_local(value) is not None:
        return value.strip()[:10]
    return value


def _minutes_to_hours(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value / 60
    return value


def _minutes_to_seconds(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(value * 60)
    return value


@dataclass(frozen=True)
class Field:
    canonical: str
    platform: str
    convert: Callable[[Any], Any] = _text
    required: bool = True


@dataclass(frozen=True)
class Resource:
    """One platform list endpoint and how its items map onto a canonical record type."""

    stream: str
    path: str  # the Chinese resource segment under /api/v1/
    id_field: str
    fields: tuple[Field, ...]


RESOURCES: tuple[Resource, ...] = (
    Resource("trainee", "学员", "学员编号", (
        Field("name", "姓名"),
        Field("id_number", "身份证号"),
        Field("identity_category", "身份类别", _label(IDENTITY_LABELS)),
        Field("region_code", "所属地区", _code),
        Field("phone", "手机号", _code, required=False),
        Field("employer_credit_code", "工作单位信用代码", required=False),
    )),
    Resource("course", "课程", "课程编号", (
        Field("title", "课程名称"),
        Field("occupation_name", "工种名称"),
        Field("skill_level", "技能等级", _label(SKILL_LEVEL_LABELS)),
        Field("total_hours", "课程总时长", _minutes_to_hours),
        Field("online_hours", "线上时长", _minutes_to_hours),
        Field("occupation_code", "工种编码", required=False),
        Field("standard", "培训标准", _label(STANDARD_LABELS), required=False),
    )),
    Resource("class", "班级", "班级编号", (
        Field("course_source_id", "课程编号", _code),
        Field("organiser_credit_code", "承训单位信用代码"),
        Field("region_code", "培训地区", _code),
        Field("starts_on", "开班日期"),
        Field("ends_on", "结业日期"),
        Field("name", "班级名称", required=False),
    )),
    Resource("enrolment", "报名", "报名编号", (
        Field("class_source_id", "班级编号", _code),
        Field("trainee_source_id", "学员编号", _code),
        Field("enrolled_on", "报名时间", _date_part, required=False),
    )),
    Resource("session", "学习记录", "记录编号", (
        Field("trainee_source_id", "学员编号", _code),
        Field("class_source_id", "班级编号", _code),
        Field("started_at", "开始时间", _time),
        Field("ended_at", "结束时间", _time),
        Field("mode", "学习方式", _label(MODE_LABELS)),
        Field("reported_seconds", "学习时长", _minutes_to_seconds, required=False),
        Field("activity", "学习内容", required=False),
    )),
    Resource("assessment", "考核", "考核编号", (
        Field("trainee_source_id", "学员编号", _code),
        Field("class_source_id", "班级编号", _code),
        Field("assessed_at", "考核时间", _time),
        Field("passed", "考核结果", _label(RESULT_LABELS)),
        Field("score", "考核成绩", required=False),
    )),
    Resource("certificate", "证书", "发证记录编号", (
        Field("trainee_source_id", "学员编号", _code),
        Field("kind", "证书类别", _label(CERTIFICATE_LABELS)),
        Field("number", "证书编号"),
        Field("issued_on", "发证日期"),
        Field("class_source_id", "班级编号", _code, required=False),
        Field("occupation_code", "工种编码", required=False),
        Field("skill_level", "技能等级", _label(SKILL_LEVEL_LABELS), required=False),
    )),
)  # fmt: skip


def map_item(resource: Resource, item: Any) -> dict:
    """Translate one platform list item into a canonical v1 dict, faithfully, without validating.

    A required field that is absent stays absent (the hub reports it); an optional one that is
    null or "" is omitted, as the platform uses both for "no value". If the item cannot be mapped
    at all, the result carries `_raw` and `_error` so the hub can quarantine the original.
    """
    if not isinstance(item, dict):
        return {"type": resource.stream, "_raw": item, "_error": "list item is not an object"}
    try:
        record: dict[str, Any] = {"type": resource.stream}
        if resource.id_field in item:
            record["source_id"] = _code(item[resource.id_field])
        for field in resource.fields:
            if field.platform not in item:
                continue
            value = item[field.platform]
            if not field.required and (value is None or value == ""):
                continue
            record[field.canonical] = None if value is None else field.convert(value)
        return record
    except Exception as exc:  # noqa: BLE001 — any mapping failure becomes a quarantinable record
        failed: dict[str, Any] = {"type": resource.stream, "_raw": item, "_error": repr(exc)}
        if isinstance(item.get(resource.id_field), str | int):
            failed["source_id"] = str(item[resource.id_field])
        return failed


class RestJsonStream:
    """One resource of the platform, read incrementally by 更新时间 (see the module docstring)."""

    def __init__(self, connector: RestJsonConnector, resource: Resource) -> None:
        self.name = resource.stream
        self.resource = resource
        self._connector = connector
        # Whether the last read proved what the platform holds: one from no cursor that ended
        # clean (no tie left broken). A record held throughout such a read is met by it, so what
        # it did not meet is gone; an incremental read proves nothing about absent records.
        self.snapshot = False

    async def census(self) -> Census | None:
        """The resource's `total` over no time bound: how many records the platform holds."""
        _, total = await self._connector.fetch_page(self.resource, None, 1, 1)
        return None if total is None else Census(total)

    async def read(self, cursor: dict | None) -> AsyncIterator[Batch]:
        """Yield one batch per page requested; each batch's cursor is safe to persist."""
        config = self._connector.config
        lookback = timedelta(seconds=float(config.option("lookback_seconds", 300)))
        previous = _cursor_time(cursor)
        start = None if previous is None else previous - lookback
        # The cursor only moves to times actually seen in yielded batches, and never past a tie
        # that may have lost records until a later pass has re-read it cleanly.
        newest = previous
        hold: datetime | None = None
        self.snapshot = False
        for _ in range(MAX_PASSES):
            unsafe: datetime | None = None
            async for records, seen, broken in self._pass(start):
                if seen is not None and (newest is None or seen > newest):
                    newest = seen
                if broken is not None:
                    unsafe = broken if unsafe is None else min(unsafe, broken)
                yield Batch(self.name, records, _cursor(_earliest(newest, unsafe, hold), cursor))
            if unsafe is None:
                if hold is not None:  # the re-read was clean: release the held cursor
                    yield Batch(self.name, [], _cursor(newest, cursor))
                self.snapshot = previous is None
                return
            start = hold = unsafe if hold is None else min(hold, unsafe)
        # Still churning after MAX_PASSES: the last cursor stays held, the next run re-reads.

    async def _pass(
        self, start: datetime | None
    ) -> AsyncIterator[tuple[list[dict], datetime | None, datetime | None]]:
        """One sweep from `start`: yields (records, newest time on page, broken tie or None)."""
        size = self._connector.config.page_size
        since, page = start, 1
        tie_of: dict[str, datetime] = {}  # source_id -> the tie time it was offset-paged in
        broken: datetime | None = None
        # Records already yielded at the newest time seen: the closed bound sends them again on
        # the next request; one met again unchanged is not passed on twice (a first sync would
        # otherwise report it "unchanged"). A record changed within the same second is.
        at_boundary: dict[str, dict] = {}
        boundary: datetime | None = None
        while True:
            items, total = await self._connector.fetch_page(self.resource, since, page, size)
            records = [map_item(self.resource, item) for item in items]
            times = [parse_local(i.get(UPDATED)) if isinstance(i, dict) else None for i in items]
            known = [t for t in times if t is not None]
            newest = max(known) if known else None
            tied = page > 1 or (since is not None and newest is not None and newest <= since)
            fresh = []
            for record, moment in zip(records, times, strict=True):
                sid = record.get("source_id")
                if moment is None or not isinstance(sid, str):
                    fresh.append(record)
                    continue
                if sid in tie_of and moment > tie_of[sid]:
                    # It left its tie after we read it, so the rest of the tie shifted back.
                    broken = tie_of[sid] if broken is None else min(broken, tie_of[sid])
                elif tied and moment == since:
                    tie_of[sid] = moment
                if moment == boundary and at_boundary.get(sid) == record:
                    continue
                fresh.append(record)
            if newest is not None and newest != boundary:
                boundary, at_boundary = newest, {}
            at_boundary.update(
                (r["source_id"], r)
                for r, m in zip(records, times, strict=True)
                if m == boundary and isinstance(r.get("source_id"), str)
            )
            yield fresh, newest, broken
            if len(items) < size or (isinstance(total, int) and total <= page * size):
                return
            if newest is None or (since is not None and newest <= since):
                page += 1  # a full page all at `since` (a bulk import): offset-page the tie
            else:
                since, page = newest, 1


def _earliest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def _cursor_time(cursor: dict | None) -> datetime | None:
    value = (cursor or {}).get("updated_since")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _cursor(moment: datetime | None, previous: dict | None) -> dict:
    if moment is None:
        return dict(previous or {})
    return {"updated_since": moment.astimezone(SHANGHAI).isoformat()}


class RestJsonConnector(Connector):
    """Pulls trainees, courses, classes, enrolments, sessions, assessments and certificates."""

    kind = "rest_json"

    def _headers(self) -> dict[str, str]:
        token = self.config.resolve_token()
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def check(self) -> None:
        """Call /ping with the token; AuthError or PlatformUnavailable with a readable message."""
        url = self.config.url(f"{API_PREFIX}/ping")
        who = f"platform {self.config.code} ({self.config.name})"
        try:
            body = await self.client.get_json(url, headers=self._headers())
        except AuthError as exc:
            raise AuthError(f"{who} rejected the token: {exc}") from exc
        except PlatformUnavailable as exc:
            raise PlatformUnavailable(f"{who} is unreachable: {exc}", exc.retry_after) from exc
        _envelope_data(body, url)

    def streams(self) -> list[RestJsonStream]:
        """All seven resources, in the order their references need them."""
        return [RestJsonStream(self, resource) for resource in RESOURCES]

    async def fetch_page(
        self, resource: Resource, since: datetime | None, page: int, size: int
    ) -> tuple[list[Any], int | None]:
        """One list request: (items, total); SchemaDriftError if the envelope changed shape."""
        url = self.config.url(f"{API_PREFIX}/{resource.path}")
        params: dict[str, Any] = {"page": page, "page_size": size}
        if since is not None:
            params["updated_since"] = format_local(since)
        data = _envelope_data(await self.client.get_json(url, params, self._headers()), url)
        if not isinstance(data, dict) or not isinstance(data.get("list"), list):
            raise SchemaDriftError(f"{url}: data.list is missing or not an array")
        total = data.get("total")
        return data["list"], total if isinstance(total, int) else None


def _envelope_data(body: Any, url: str) -> Any:
    """The `data` of a {"code", "msg", "data"} envelope; errors the platform reports in-band."""
    if not isinstance(body, dict) or "code" not in body:
        raise SchemaDriftError(f"{url}: response is not a {{code, msg, data}} envelope")
    code = body["code"]
    if code in (401, 403, 40101, 40301):  # some deployments answer auth errors with HTTP 200
        raise AuthError(f"{url}: {body.get('msg')} (code {code})")
    if code != 0:
        raise ConnectorError(f"{url}: platform error {code}: {body.get('msg')}")
    return body.get("data")
