"""Mapping platform items to canonical records, configuration, registry and envelope drift."""

from __future__ import annotations

import httpx
import pytest

from connectors.base import PlatformConfig
from connectors.errors import ConnectorError, SchemaDriftError
from connectors.http import HttpClient
from connectors.registry import KINDS, connector_for
from connectors.rest_json import (
    CERTIFICATE_LABELS,
    IDENTITY_LABELS,
    MODE_LABELS,
    RESOURCES,
    SKILL_LEVEL_LABELS,
    STANDARD_LABELS,
    RestJsonConnector,
    map_item,
)
from schema.enums import CertificateKind, CourseStandard, IdentityCategory, SessionMode, SkillLevel
from schema.records import parse_record
from tests.connectors.support import FakeSleep, resident_id

RES = {r.stream: r for r in RESOURCES}


def config(**extra) -> PlatformConfig:
    base = {"code": "p1", "name": "平台", "kind": "rest_json", "region": "150302"}
    return PlatformConfig(base_url="http://platform.test/", **{**base, **extra})


@pytest.mark.parametrize(
    ("table", "enum"),
    [
        (IDENTITY_LABELS, IdentityCategory),
        (CERTIFICATE_LABELS, CertificateKind),
        (STANDARD_LABELS, CourseStandard),
        (MODE_LABELS, SessionMode),
        (SKILL_LEVEL_LABELS, SkillLevel),
    ],
)
def test_label_tables_cover_every_value(table, enum):
    assert set(table.values()) == set(enum)


def test_trainee_maps_labels_and_drops_empty_optionals():
    item = {
        "学员编号": 1001,
        "姓名": " 张三 ",
        "身份证号": resident_id(5),
        "身份类别": "劳务派遣工",
        "所属地区": 150302,
        "手机号": "",
        "工作单位信用代码": None,
        "更新时间": "2020-03-01 08:00:00",
    }
    record = map_item(RES["trainee"], item)
    assert record == {
        "type": "trainee",
        "source_id": "1001",
        "name": "张三",
        "id_number": resident_id(5),
        "identity_category": "enterprise_employee",
        "region_code": "150302",
    }
    parse_record(record)


def test_session_times_get_the_shanghai_offset_and_minutes_become_seconds():
    item = {
        "记录编号": "S1",
        "学员编号": "T1",
        "班级编号": "K1",
        "开始时间": "2020-03-02 09:00:00",
        "结束时间": "2020-03-02 09:45:00",
        "学习方式": "线上",
        "学习时长": 44.5,
        "学习内容": "",
    }
    record = map_item(RES["session"], item)
    assert record["started_at"] == "2020-03-02T09:00:00+08:00"
    assert record["ended_at"] == "2020-03-02T09:45:00+08:00"
    assert record["mode"] == "online"
    assert record["reported_seconds"] == 2670
    assert "activity" not in record
    parse_record(record)


def test_course_minutes_become_hours():
    item = {"课程编号": "C1", "课程名称": "电工", "工种名称": "电工", "技能等级": "四级/中级工"}
    record = map_item(RES["course"], item | {"课程总时长": 2400, "线上时长": 960})
    assert (record["skill_level"], record["total_hours"], record["online_hours"]) == (4, 40, 16)


def test_garbage_passes_through_unchanged():
    item = {
        "考核编号": "A1",
        "学员编号": "T1",
        "班级编号": "K1",
        "考核时间": "下周一",
        "考核结果": "待定",
        "考核成绩": "优",
    }
    record = map_item(RES["assessment"], item)
    assert (record["assessed_at"], record["passed"], record["score"]) == ("下周一", "待定", "优")
    assert map_item(RES["trainee"], {"学员编号": "T9", "身份类别": "外星人"}) == {
        "type": "trainee",
        "source_id": "T9",
        "identity_category": "外星人",
    }


def test_required_null_stays_null_and_unmappable_items_keep_the_raw_payload():
    assert map_item(RES["class"], {"班级编号": "K1", "开班日期": None})["starts_on"] is None
    broken = map_item(RES["enrolment"], "<html>")
    assert broken == {"type": "enrolment", "_raw": "<html>", "_error": "list item is not an object"}


def test_platform_config_token_and_options(monkeypatch):
    monkeypatch.delenv("P1_TOKEN", raising=False)
    cfg = config(token="env:P1_TOKEN", lookback_seconds=60)  # not read at construction
    monkeypatch.setenv("P1_TOKEN", "abc")
    assert cfg.resolve_token() == "abc"
    assert cfg.option("lookback_seconds", 300) == 60
    assert cfg.option("missing", 7) == 7
    assert (cfg.page_size, cfg.schedule_minutes) == (200, 60)
    assert cfg.url("/api/v1/ping") == "http://platform.test/api/v1/ping"
    assert config(token="plain").resolve_token() == "plain"


def test_registry():
    assert connector_for("rest_json") is RestJsonConnector
    assert KINDS["rest_json"].kind == "rest_json"
    with pytest.raises(ConnectorError, match="unknown connector kind 'ftp'.*rest_json"):
        connector_for("ftp")


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        ({"code": 0, "data": {"rows": []}}, SchemaDriftError, "data.list"),
        ({"status": "ok", "list": []}, SchemaDriftError, "envelope"),
        ({"code": 50001, "msg": "参数错误", "data": None}, ConnectorError, "50001.*参数错误"),
    ],
)
async def test_envelope_changes_raise(body, error, message):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    async with httpx.AsyncClient(transport=transport) as raw:
        connector = RestJsonConnector(config(), HttpClient(raw, sleep=FakeSleep()))
        with pytest.raises(error, match=message):
            async for _ in connector.stream("trainee").read(None):
                pass
