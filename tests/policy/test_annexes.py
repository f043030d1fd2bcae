"""The annex forms as paper: every label of the notice's form, the names (not codes) of the
organisation, platform and bureaus, the platform's address, and the signature, seal and date
blocks — filled with the handlers' names where the hub knows them, blank otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from tests.api.conftest import Api
from tests.policy.flow import (
    FILE_PLATFORM,
    Token,
    WuhaiClass,
    filing_input,
    prepare_class,
    step,
    submitted_claim,
)
from tests.policy.pdfs import first_page_png, flat_text, ink_ratio, qr_codes
from tests.policy.registry_flow import ORG_NAME, register
from tests.records import ORG

# Every label of Annex 1 as 乌人社发〔2020〕26号 prints it.
ANNEX1_LABELS = (
    "附件1：",
    "疫情防控期间线上职业技能补贴性培训平台（网站）审核备案表",
    "申请备案单位名称（企业、培训机构）",
    "法人代表",
    "统一社会信用代码",
    "线上培训平台类型",
    "企业自有网站",
    "自有线上培训平台",
    "委托第三方线上培训平台",
    "线上培训平台（网站）名称及网址",
    "平台功能",
    "①是否具备安全稳定的线上培训技术条件",
    "②是否具有符合国家职业技能标准、专项能力规范或国家职业技能培训课程的线上数字培训资源",
    "③是否具备建立劳动者线上实名制培训台账（包括学员注册信息、身份类别、培训课程、"
    "培训时长管控、培训效果考评）的技术手段",
    "④是否具备培训过程可记录等相关技术手段",
    "⑤是否能够按劳动者实际培训情况出具线上培训证明",
    "经办人员（签名）",
    "联系方式",
    "申请单位（企业、培训机构）签字盖章",
    "法人签字：",
    "（盖章）",
    "所在区人社部门审核意见",
    "审核意见：",
    "经办人员签字：",
    "领导签字：",
    "市人社部门审核意见",
    "年",
    "月",
    "日",
    "注：本表一式两份。",
)
NAMED_PLATFORM = "海勃湾技能云平台"
URL = "https://skills.example.cn/"


def _keep(pdf: bytes, name: str, folder: Path) -> None:
    """Render the first page to PNG; HUB_FORMS_DIR keeps it for a reviewer to look at."""
    keep = os.environ.get("HUB_FORMS_DIR")
    png = first_page_png(pdf, (Path(keep) if keep else folder) / name)
    assert png.stat().st_size > 10_000


async def _filing(api: Api, token: Token) -> str:
    await register(api, token)
    data = filing_input(platformName=NAMED_PLATFORM, platformUrl=URL)
    filed = await api.data(token("org", org=ORG, name="钱敏"), FILE_PLATFORM, {"input": data})
    return filed["filePlatform"]["id"]


async def test_annex1_of_a_registered_organisation_is_the_paper_form_filled(
    api: Api, token: Token, wuhai: WuhaiClass, tmp_path: Path
) -> None:
    filing_id = await _filing(api, token)
    district = token("district", region="150302", name="孙丽")
    path = f"/documents/filings/{filing_id}/annex1.pdf"

    # Filed only: every bureau block blank, to sign by hand.
    pending = (await api.client.get(path, headers={"Authorization": f"Bearer {district}"})).content
    text = flat_text(pending, tmp_path)
    for label in ANNEX1_LABELS:
        assert label in text, label
    assert "经办人员签字：领导签字：" in text  # no handler named in the district's block
    assert "孙丽" not in text and "周洁" not in text

    await step(api, district, "reviewPlatformFiling", filing_id, "资料齐全")
    city = token("city", region="150300", name="周洁")
    await step(api, city, "approvePlatformFiling", filing_id, "同意备案")
    annex = (await api.client.get(path, headers={"Authorization": f"Bearer {district}"})).content
    assert ink_ratio(annex, tmp_path) > 0.002
    text = flat_text(annex, tmp_path)
    for label in ANNEX1_LABELS:
        assert label in text, label
    for value in (
        ORG_NAME,  # the organisation's registered name where its name belongs
        ORG,
        "赵强",
        f"{NAMED_PLATFORM}{URL}",  # the platform's name and address, not its code
        "■委托第三方线上培训平台",
        "□企业自有网站",
        "钱敏",
        "0473-1234567",
        "海勃湾区人力资源和社会保障局",
        "乌海市人力资源和社会保障局",
        "审核意见：资料齐全",
        "经办人员签字：孙丽",
        "同意备案",
        "经办人员签字：周洁",
        "平台功能说明.pdf",
    ):
        assert value in text, value
    assert "wh-3p" not in text  # no platform code on the paper
    assert text.count("■是") == 5
    _keep(annex, "annex1", tmp_path)


ANNEX2_LABELS = (
    "附件2：",
    "疫情防控期间开展线上职业技能补贴性培训申请表",
    "申请单位",
    "法定代表人",
    "统一社会信用代码",
    "线上培训平台名称及网址",
    "培训班级",
    "补贴标准（元/人）",
    "申请单位签字盖章",
    "法定代表人（签字）：",
    "（盖章）",
    "所在区人社部门或行业主管部门审核意见",
    "经办人员签字：",
    "领导签字：",
    "市人社部门审核意见",
)
ANNEX3_LABELS = (
    "附件3：",
    "疫情防控期间开展线上职业技能补贴性培训提交材料真实性承诺书",
    "受新冠肺炎疫情影响，本企业（培训机构）",
    "我们承诺：",
    "1.备案及申领过程中所提交的一切材料真实、准确、完整",
    "6.做好培训档案的留存归档工作，主动接受监督审计。",
    "我单位所作以上承诺是真实意思表示，并愿意承担违反承诺的一切法律责任及退还不当所得。",
    "承诺单位（盖章）:",
    "法定代表人（签字）:",
    "年",
    "月",
    "日",
)


async def test_annex2_and_annex3_carry_names_and_signature_blocks(
    api: Api, token: Token, wuhai: WuhaiClass, tmp_path: Path
) -> None:
    await register(api, token)
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    district = token("district", region="150302", name="孙丽")
    await step(api, district, "reviewSubsidyClaim", claim["id"], "材料齐全")
    auth = {"Authorization": f"Bearer {district}"}

    annex2 = await api.client.get(f"/documents/claims/{claim['id']}/annex2.pdf", headers=auth)
    text = flat_text(annex2.content, tmp_path)
    for label in ANNEX2_LABELS:
        assert label in text, label
    for value in (
        ORG_NAME,
        "赵强",
        "钱敏",
        "乌海职业技能云课堂https://wh-3p.example",
        "电工（五级）线上班",
        f"{wuhai.starts_on}至{wuhai.ends_on}",
        "电工（6-31-01-03）/5级",
        "80/32",
        "1000.00",
        "3/2/0",
        "3000.00",
        "600.00（按实名注册人数）",
        "150.00",
        "海勃湾区人力资源和社会保障局",
        "审核意见：材料齐全",
        "经办人员签字：孙丽",
        "乌海市人力资源和社会保障局",
    ):
        assert value in text, value
    assert "wh-3p" not in text.replace("wh-3p.example", "")
    _keep(annex2.content, "annex2", tmp_path)

    annex3 = await api.client.get(f"/documents/claims/{claim['id']}/annex3.pdf", headers=auth)
    text = flat_text(annex3.content, tmp_path)
    for label in ANNEX3_LABELS:
        assert label in text, label
    assert ORG_NAME in text and "已于" in text  # accepted online, dated
    _keep(annex3.content, "annex3", tmp_path)


ISSUE = """mutation($c: ID!, $t: ID!) {
  issueTrainingProof(trainingClass: $c, trainee: $t) { code issuer issuingBureau documentPath } }"""


async def test_the_training_proof_names_organisation_and_bureau_and_carries_a_qr_code(
    api: Api, token: Token, wuhai: WuhaiClass, tmp_path: Path
) -> None:
    await register(api, token)
    await prepare_class(api, token, wuhai)
    district = token("district", region="150302", name="孙丽")
    proof = (await api.data(district, ISSUE, {"c": wuhai.class_id, "t": wuhai.trainees["A"]}))[
        "issueTrainingProof"
    ]
    assert proof["issuer"] == ORG_NAME and proof["issuingBureau"] == "海勃湾区人力资源和社会保障局"
    body = (
        await api.client.get(proof["documentPath"], headers={"Authorization": f"Bearer {district}"})
    ).content
    text = flat_text(body, tmp_path)
    verify_url = f"http://hub.test/verify/{proof['code']}"
    for value in (
        "线上培训证明",
        "培训组织单位",
        ORG_NAME,
        "出具部门",
        "海勃湾区人力资源和社会保障局",
        proof["code"],
        verify_url,
    ):
        assert value in text, value
    png = first_page_png(body, tmp_path / "proof")
    assert qr_codes(png) == [verify_url]
    _keep(body, "proof", tmp_path)
    # An organisation's own proof names the bureau supervising the class's district.
    org_proof = await api.data(
        token("org", org=ORG), ISSUE, {"c": wuhai.class_id, "t": wuhai.trainees["B"]}
    )
    assert org_proof["issueTrainingProof"]["issuingBureau"] == "海勃湾区人力资源和社会保障局"
    public = (await api.client.get(f"/verify/{proof['code']}")).json()
    assert public["issuingBureau"] == "海勃湾区人力资源和社会保障局"
