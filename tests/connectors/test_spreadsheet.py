"""The spreadsheet connector on a local folder of workbooks as enterprises really fill them in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from connectors.spreadsheet import SpreadsheetConnector
from schema.records import parse_record
from tests.records import course, resident_id


async def read_all(folder: Path, files: list[str]) -> dict[str, list[dict]]:
    config = PlatformConfig(
        code="acme",
        name="某企业",
        kind="spreadsheet",
        base_url=folder.as_uri(),
        region="150302",
        files=files,
    )
    out: dict[str, list[dict]] = {}
    async with HttpClient() as client:
        connector = SpreadsheetConnector(config, client)
        await connector.check()
        for stream in connector.streams():
            async for batch in stream.read(None):
                out.setdefault(stream.name, []).extend(batch.records)
    return out


async def test_local_folder_with_aliases_excel_dates_and_row_errors(tmp_path: Path) -> None:
    good, other = resident_id(serial="101"), resident_id(serial="102")
    book = Workbook()
    roster = book.active
    roster.title = "花名册"  # an alias of 学员; no 学员编号 column: trainees keyed by ID number
    roster.append(["姓名", "身份证号码", "身份类别", "所属地区", "联系电话"])
    roster.append(["王芳", good, "企业职工", 150302, "13800000001"])
    roster.append([None, None, None, None, None])  # blank rows are skipped, numbering is not
    roster.append(["李强", int(other), "下岗失业人员", "150302", None])  # typed in as a number
    courses = book.create_sheet("课程")
    courses.append(["课程编号", "课程名称", "工种", "技能等级", "课程总时长", "线上时长"])
    c = course("C1")
    courses.append(["C1", c["title"], "电工", "五级/初级工", 4800, 1920])
    book.save(tmp_path / "台账.xlsx")
    sessions = "记录编号,身份证号,班级编号,开始时间,结束时间,学习方式,学习时长（分钟）\n"
    sessions += f"S1,{good},K1,2020-03-02 09:00:00,2020-03-02 09:45:00,线上,44.5\n"
    (tmp_path / "签到表.csv").write_bytes(sessions.encode("utf-8-sig"))

    read = await read_all(tmp_path, ["台账.xlsx", "签到表.csv"])

    wang, li = read["trainee"]
    assert parse_record(wang).source_id == good and wang["region_code"] == "150302"
    assert wang["phone"] == "13800000001" and wang["identity_category"] == "enterprise_employee"
    assert li["_error"].startswith("台账.xlsx sheet 花名册 row 4: ") and "id_number" in li["_error"]
    assert isinstance(li["_raw"]["身份证号"], int | float)  # the cell as Excel kept it
    assert parse_record(read["course"][0]).occupation_name == "电工"
    assert read["course"][0]["total_hours"] == 80
    session = parse_record(read["session"][0])
    assert session.trainee_source_id == good and session.reported_seconds == 2670
    assert session.started_at == datetime.fromisoformat("2020-03-02T09:00:00+08:00")


async def test_unchanged_files_are_skipped_by_the_cursor(tmp_path: Path) -> None:
    (tmp_path / "学员.csv").write_bytes(
        f"学员编号,姓名,身份证号,身份类别,所属地区\nT1,赵敏,{resident_id()},退役军人,150303\n".encode(
            "gbk"
        )
    )
    config = PlatformConfig(
        code="acme", name="某企业", kind="spreadsheet", base_url=tmp_path.as_uri(),
        region="150302", files=["学员.csv"],
    )  # fmt: skip
    async with HttpClient() as client:
        stream = SpreadsheetConnector(config, client).stream("trainee")
        batches = [b async for b in stream.read(None)]
        assert [r["name"] for b in batches for r in b.records] == ["赵敏"]
        cursor = batches[-1].cursor
        again = SpreadsheetConnector(config, client).stream("trainee")
        assert [b async for b in again.read(cursor)] == []
