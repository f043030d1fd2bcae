"""Chinese labels the console shows for the API's codes, and formatting in Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from schema.labels import IDENTITY_CATEGORY_NAMES

BEIJING = timezone(timedelta(hours=8), "北京时间")

ROLES = {
    "region": "自治区人社厅",
    "city": "盟市人社局",
    "district": "旗县区人社局",
    "finance": "财政局",
    "org": "企业/培训机构",
    "auditor": "审计",
    "connector": "平台服务账户",
}
IDENTITY_CATEGORIES = IDENTITY_CATEGORY_NAMES
STATUSES = {
    # claims (补贴申请)
    "draft": "草稿",
    "submitted": "已提交",
    "district_reviewed": "区县已审核",
    "city_approved": "盟市已审批",
    "pre_disbursed": "已预拨",
    "settled": "已清算",
    "returned": "已退回",
    "rejected": "已驳回",
    # filings (平台备案) and openings (开班)
    "unfiled": "未备案",
    "filed": "已备案待审",
    "approved": "已批准",
    # alerts (预警)
    "open": "待处理",
    "confirmed": "已确认",
    "dismissed": "已排除",
    "resolved": "已消除",
    # sync runs
    "running": "运行中",
    "succeeded": "成功",
    "failed": "失败",
    "incomplete": "不完整（下次重读）",
    "abandoned": "已中断",
}
RULES = {
    "BULK_FABRICATION": "批量编造学时",
    "RETROACTIVE_CHANGE": "事后篡改记录",
    "IDENTITY_MISMATCH": "身份信息不一致",
    "DOUBLE_CLAIM": "重复申领补贴",
    "CERTIFICATE_BEFORE_TRAINING": "培训前取证",
    "OVERLAPPING_SESSIONS": "学习时段重叠",
    "DAILY_HOURS_EXCEEDED": "单日学时超限",
    "ONLINE_SHARE_EXCEEDED": "线上学时超过40%",
    "SESSION_OUTSIDE_CLASS": "培训期外学习",
    "NOT_ON_ROSTER": "非花名册人员学习",
    "DURATION_MISMATCH": "时长与平台上报不符",
}
SEVERITIES = {"high": "高", "medium": "中", "low": "低"}
MODES = {"ONLINE": "线上", "OFFLINE": "线下", "online": "线上", "offline": "线下"}
FILING_STATUSES = {
    "UNFILED": "未备案",
    "FILED": "已备案待审",
    "DISTRICT_REVIEWED": "区县已审核",
    "APPROVED": "已批准",
    "RETURNED": "已退回",
}
PLATFORM_TYPES = {
    "catalogue": "目录内平台",
    "own_website": "自有网站",
    "own_platform": "自建平台",
    "third_party": "第三方平台",
}
CERTIFICATE_KINDS = {
    "VOCATIONAL_QUALIFICATION": "职业资格证书",
    "SKILL_LEVEL": "职业技能等级证书",
    "SPECIAL_ABILITY": "专项职业能力证书",
    "SPECIAL_OPERATION": "特种作业操作证",
    "TRAINING_COMPLETION": "培训合格证书",
}
# Keys of alert evidence, so that evidence reads as sentences, not JSON.
EVIDENCE_KEYS = {
    "sessions": "学习记录",
    "overlap_seconds": "重叠时长",
    "cross_platform": "跨平台",
    "course_total_hours": "课程总学时",
    "share_max": "线上占比上限",
    "allowed_seconds": "可计入线上时长",
    "actual_seconds": "实际时长",
    "tolerance_seconds": "允许误差",
    "pattern": "特征",
    "started_at": "开始",
    "ended_at": "结束",
    "persons": "人数",
    "limit_persons": "人数阈值",
    "person": "人员",
    "platform": "平台",
    "seconds": "时长",
    "duration_seconds": "时长",
    "reported_seconds": "平台上报时长",
    "online_seconds": "线上时长",
    "offline_seconds": "线下时长",
    "total_seconds": "总时长",
    "limit_seconds": "上限",
    "share": "线上占比",
    "cap": "上限比例",
    "day": "日期",
    "start": "开始",
    "end": "结束",
    "first": "第一条",
    "second": "第二条",
    "names": "姓名",
    "categories": "身份类别",
    "category": "身份类别",
    "trainees": "学员",
    "platforms": "平台",
    "claims": "补贴申请",
    "first_claim": "第一笔申请",
    "second_claim": "第二笔申请",
    "issued_on": "发证日期",
    "starts_on": "开班日期",
    "ends_on": "结班日期",
    "record_type": "记录类型",
    "source_id": "记录编号",
    "changed_fields": "被修改字段",
    "changed_at": "修改时间",
    "field": "字段",
    "before": "修改前",
    "after": "修改后",
    "hours": "学时",
    "count": "数量",
    "difference_seconds": "相差",
    "classes": "培训班",
    "class": "培训班",
}

PATTERNS = {
    "identical_times": "多人起止时间完全相同",
    "identical_durations": "多人时长完全相同",
}


def label(table: dict[str, str], code: Any) -> str:
    """The Chinese label of `code`, or the code itself when none is known."""
    if code is None:
        return "—"
    return table.get(str(code), str(code))


def beijing(value: Any, with_time: bool = True) -> str:
    """An ISO date-time (or datetime) shown in Beijing time: 2020-03-09 08:00."""
    if value in (None, ""):
        return "—"
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(moment, datetime):
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(BEIJING)
    return local.strftime("%Y-%m-%d %H:%M") if with_time else local.strftime("%Y-%m-%d")


def organisation(value: Any) -> str:
    """An organisation's name; one the hub knows only by its credit code (met as an employer or
    operator, not in the register, so its stored name is that code) is said to be unregistered."""
    if not value:
        return "—"
    name = value.get("name") or "—"
    return name if value.get("registered", True) else f"未登记单位（{name}）"


def money(value: Any) -> str:
    """An amount in yuan: ¥1,250.00."""
    if value is None:
        return "—"
    return f"¥{float(value):,.2f}"


def hours(value: Any) -> str:
    """Hours with one decimal: 32.0 学时."""
    if value is None:
        return "—"
    return f"{float(value):,.1f}"


RECORD_TYPES = {
    "trainee": "学员",
    "session": "学习记录",
    "class": "培训班",
    "enrolment": "报名",
    "assessment": "考核",
    "certificate": "证书",
    "course": "课程",
    "claim": "补贴申请",
}
SHOWN_RECORDS = 12


def involved_records(records: list[dict[str, Any]]) -> str:
    """The records an alert involves, readably: 学习记录 S1（平台）、学员 T2 等 30 条. One string
    for the template to escape once, instead of three escapes per record."""
    shown = "、".join(
        f"{RECORD_TYPES.get(r['type'], r['type'])} {r['sourceId']}"
        + (f"（{r['platform']['name']}）" if r.get("platform") else "")
        for r in records[:SHOWN_RECORDS]
    )
    return f"{shown} 等 {len(records)} 条" if len(records) > SHOWN_RECORDS else shown


def evidence_items(evidence: Any) -> list[tuple[str, str]]:
    """Alert evidence as (label, readable value) pairs."""
    if not isinstance(evidence, dict):
        return [("说明", str(evidence))]
    return [(label(EVIDENCE_KEYS, key), _readable(key, value)) for key, value in evidence.items()]


def _readable(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and key.endswith("seconds") or key == "seconds":
        return f"{float(value) / 3600:,.1f} 小时"
    if key in PATTERNS and isinstance(value, str):
        return PATTERNS[value]
    if isinstance(value, str) and value in PATTERNS:
        return PATTERNS[value]
    if key in ("share", "cap", "share_max") and isinstance(value, int | float):
        return f"{float(value) * 100:.0f}%"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return beijing(value)
    if isinstance(value, list):
        return "、".join(_readable(key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{label(EVIDENCE_KEYS, k)}：{_readable(k, v)}" for k, v in value.items())
    return str(value)
