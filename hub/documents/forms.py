"""The notices' annex forms filled from the hub's data, as PDF, laid out as on paper.

- Annex 1 (平台（网站）审核备案表): field by field as 乌人社发〔2020〕26号 prints it — the
  organisation's and platform's names, the platform's address, the five capability answers, the
  applicant's signature and seal block and each reviewing bureau's block;
- Annex 2 (补贴性培训申请表): the claim's class, platforms, counts, amounts and material
  checklist, with the same applicant and bureau blocks (the notice's text does not reproduce
  this annex, so it follows Annex 1's pattern);
- Annex 3 (真实性承诺书): the six commitments with the seal, signature and date lines.

Signature blocks carry the handler's display name (the token's `name` claim, recorded with each
workflow step) and the date where the hub knows them, and are left blank to sign otherwise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.auth.scopes import Scope
from hub.documents import pdf
from hub.documents.signoff import Signoff, applicant_block, bureau_block, paper_date
from hub.policy.calendar import CHINA
from hub.policy.checklist import claim_checklist
from hub.policy.errors import NotInScope
from hub.policy.filing import CAPABILITIES
from hub.registry.bureaus import bureau_name, city_of, region_names
from schema.tables import (
    ClassOpening,
    Course,
    Organisation,
    Platform,
    PlatformFiling,
    SubsidyClaim,
    TrainingClass,
    WorkflowTransition,
)

PLATFORM_TYPES = {
    "own_website": "企业自有网站",
    "own_platform": "自有线上培训平台",
    "third_party": "委托第三方线上培训平台",
}
COMMITMENTS = (
    "备案及申领过程中所提交的一切材料真实、准确、完整，备案材料真实、有效；",
    "严格按照培训方案认真组织开展，培训对象及过程符合自治区、市在疫情防控期间支持企业（培训机构）"
    "开展线上职业技能培训工作相关文件要求；",
    "积极履行主体责任，确保培训过程真实合规；",
    "培训台账完整齐备，有签到、有记录、有学时；",
    "不私自组织或借机组织线下培训、实训或评价活动；",
    "做好培训档案的留存归档工作，主动接受监督审计。",
)
MARKS = "①②③④⑤"


async def _trail(session: AsyncSession, entity: str, entity_id: int) -> list[WorkflowTransition]:
    rows = await session.execute(
        select(WorkflowTransition)
        .where(WorkflowTransition.entity == entity, WorkflowTransition.entity_id == entity_id)
        .order_by(WorkflowTransition.id)
    )
    return list(rows.scalars())


def _step(trail: list[WorkflowTransition], to_status: str) -> WorkflowTransition | None:
    return next((t for t in reversed(trail) if t.to_status == to_status), None)


async def _bureaus(
    session: AsyncSession, district: str, first: WorkflowTransition | None
) -> tuple[str, str]:
    """Names of the first-level reviewer (district bureau or industry authority) and the city's."""
    city = await city_of(session, district)
    names = await region_names(session, district, city)
    first_name = bureau_name(names.get(district, district))
    if first is not None and first.actor_role == "industry":
        first_name = "行业主管部门"
    return first_name, bureau_name(names.get(city or "", city or ""))


def _name(organisation: Organisation) -> str:
    """The organisation's name; one known only from platform data has none yet (its stored
    name is its credit code), which the form says rather than print a code as a name."""
    return organisation.name if organisation.registered else "（单位名称未登记）"


def _type_boxes(chosen: str) -> str:
    return "　".join(
        ("■ " if key == chosen else "□ ") + label for key, label in PLATFORM_TYPES.items()
    )


async def annex1(session: AsyncSession, principal: Principal, filing_id: int) -> bytes:
    """Annex 1 for one filing the caller may see."""
    row = (
        await session.execute(
            select(PlatformFiling, Organisation, Platform)
            .join(Organisation, Organisation.id == PlatformFiling.organisation_id)
            .join(Platform, Platform.id == PlatformFiling.platform_id)
            .where(PlatformFiling.id == filing_id, Scope(principal).platform_filings())
        )
    ).one_or_none()
    if row is None:
        raise NotInScope(f"platform filing {filing_id} not found")
    filing, organisation, platform = row
    trail = await _trail(session, "platform_filing", filing_id)
    first, city = _step(trail, "district_reviewed"), _step(trail, "approved")
    first_bureau, city_bureau = await _bureaus(session, filing.region_code, first)
    rows: list[list[str]] = [
        ["申请备案单位名称<br/>（企业、培训机构）", _name(organisation), "", ""],
        ["法人代表", filing.legal_representative, "统一社会信用代码", organisation.credit_code],
        ["线上培训平台类型", _type_boxes(filing.platform_type), "", ""],
        [
            "线上培训平台（网站）<br/>名称及网址",
            f"{platform.name}<br/>{platform.url or ''}",
            "",
            "",
        ],
    ]
    for number, (key, question) in enumerate(CAPABILITIES):
        answer = "■ 是　□ 否" if filing.capabilities.get(key) else "□ 是　■ 否"
        rows.append(["平台功能" if number == 0 else "", f"{MARKS[number]}{question}", "", answer])
    rows.append(["经办人员（签名）", filing.contact_person, "联系方式", filing.contact_phone])
    filed = _step(trail, "filed")
    rows.append(applicant_block("申请单位<br/>（企业、培训机构）<br/>签字盖章", filed))
    rows.append(
        bureau_block(
            f"所在区人社部门审核意见<br/>（{first_bureau}）",
            Signoff.of(first),
            opinion="审核意见：" + ((first.reason or "审核通过") if first else ""),
        )
    )
    rows.append(
        bureau_block(
            f"市人社部门审核意见<br/>（{city_bureau}）",
            Signoff.of(city),
            opinion=(city.reason or "同意备案") if city else "",
        )
    )
    last = len(rows) - 1
    spans: list[pdf.Span] = [((1, 0), (3, 0)), ((1, 2), (3, 2)), ((1, 3), (3, 3))]
    spans += [((0, 4), (0, 8))] + [((1, r), (2, r)) for r in range(4, 9)]
    flowables = [
        pdf.paragraph("附件 1："),
        pdf.title("疫情防控期间线上职业技能补贴性培训<br/>平台（网站）审核备案表"),
        pdf.spacer(5),
        pdf.grid(
            rows,
            [40, 54, 34, 46],
            spans=spans,
            heights_mm={last - 2: 24, last - 1: 30, last: 30},
        ),
        pdf.spacer(3),
        pdf.paragraph("注：本表一式两份。", 9),
    ]
    if filing.attachments:
        names = "；".join(a.get("name", "") for a in filing.attachments)
        flowables.append(pdf.paragraph(f"附：{names}", 9))
    return pdf.render(flowables, "附件1 平台审核备案表")


async def _claim_row(
    session: AsyncSession, principal: Principal, claim_id: int
) -> tuple[SubsidyClaim, TrainingClass, Course, Organisation]:
    row = (
        await session.execute(
            select(SubsidyClaim, TrainingClass, Course, Organisation)
            .join(TrainingClass, TrainingClass.id == SubsidyClaim.class_id)
            .join(Course, Course.id == TrainingClass.course_id)
            .join(Organisation, Organisation.id == SubsidyClaim.organisation_id)
            .where(SubsidyClaim.id == claim_id, Scope(principal).subsidy_claims())
        )
    ).one_or_none()
    if row is None:
        raise NotInScope(f"subsidy claim {claim_id} not found")
    return row  # type: ignore[return-value]


async def _class_platforms(session: AsyncSession, training_class: TrainingClass) -> str:
    """Names and addresses of the class's platform and those its approved opening names."""
    ids = {training_class.platform_id}
    opening = (
        await session.execute(
            select(ClassOpening.platform_ids).where(
                ClassOpening.class_id == training_class.id, ClassOpening.status == "approved"
            )
        )
    ).scalar_one_or_none()
    ids |= set(opening or [])
    platforms = (
        await session.execute(select(Platform).where(Platform.id.in_(ids)).order_by(Platform.id))
    ).scalars()
    return "<br/>".join(f"{p.name}　{p.url or ''}" for p in platforms)


async def annex2(session: AsyncSession, principal: Principal, claim_id: int) -> bytes:
    """Annex 2 for one claim the caller may see: class, amounts and the material checklist."""
    claim, training_class, course, organisation = await _claim_row(session, principal, claim_id)
    trail = await _trail(session, "subsidy_claim", claim_id)
    first, city = _step(trail, "district_reviewed"), _step(trail, "city_approved")
    first_bureau, city_bureau = await _bureaus(session, claim.region_code, first)
    basis = claim.parameters.get("values", {}).get("pre_disbursement_basis", "")
    legal = organisation.legal_representative or ""
    rows = [
        ["申请单位", _name(organisation), "", ""],
        ["法定代表人", legal, "统一社会信用代码", organisation.credit_code],
        ["联系人", organisation.contact_person or "", "联系方式", organisation.contact_phone or ""],
        ["培训班级", training_class.name or training_class.source_id, "", ""],
        ["培训时间", f"{training_class.starts_on} 至 {training_class.ends_on}", "", ""],
        ["线上培训平台<br/>名称及网址", await _class_platforms(session, training_class), "", ""],
        [
            "职业（工种）/ 等级",
            f"{course.occupation_name}（{course.occupation_code or '-'}）/ {course.skill_level}级",
            "课程总学时 / 线上学时",
            f"{course.total_hours:g} / {course.online_hours:g}",
        ],
        [
            "补贴标准（元/人）",
            f"{claim.standard_amount:.2f}",
            "符合条件 / 合格 / 取证人数",
            f"{claim.eligible_trainees}/{claim.qualified_trainees}/{claim.certified_trainees}",
        ],
        [
            "培训补贴资金（元）",
            f"{claim.subsidy_amount:.2f}",
            "重复申领剔除人数",
            str(claim.excluded_trainees),
        ],
        [
            "预拨金额（元）",
            f"{claim.pre_disbursed_amount:.2f}（按{'合格人数' if basis == 'qualified' else '实名注册人数'}）",
            "结算金额（元）",
            f"{claim.settled_amount:.2f}",
        ],
        ["第三方平台费用（元）", f"{claim.platform_fee:.2f}", "审核单位", first_bureau],
    ]
    submitted = _step(trail, "submitted")
    rows.append(applicant_block("申请单位<br/>签字盖章", submitted, signer="法定代表人（签字）："))
    rows.append(
        bureau_block(
            f"所在区人社部门或行业主管部门审核意见<br/>（{first_bureau}）",
            Signoff.of(first),
            opinion="审核意见：" + ((first.reason or "审核通过") if first else ""),
        )
    )
    rows.append(
        bureau_block(
            f"市人社部门审核意见<br/>（{city_bureau}）",
            Signoff.of(city),
            opinion=(city.reason or "同意") if city else "",
        )
    )
    last = len(rows) - 1
    spans: list[pdf.Span] = [((1, r), (3, r)) for r in (0, 3, 4, 5)]
    checklist = [["申领材料", "来源", "状态"]] + [
        [
            item.title,
            {"hub": "系统生成", "attachment": "上传附件", "commitment": "在线承诺"}[item.source],
            ("齐全" if item.complete else "缺") + f"（{item.detail}）",
        ]
        for item in await claim_checklist(session, claim)
    ]
    return pdf.render(
        [
            pdf.paragraph("附件 2："),
            pdf.title("疫情防控期间开展线上职业技能补贴性培训申请表"),
            pdf.spacer(5),
            pdf.grid(
                rows,
                [40, 54, 34, 46],
                spans=spans,
                heights_mm={last - 2: 24, last - 1: 30, last: 30},
            ),
            pdf.spacer(5),
            pdf.table(checklist, [80, 30, 64]),
        ],
        "附件2 补贴性培训申请表",
    )


async def annex3(session: AsyncSession, principal: Principal, claim_id: int) -> bytes:
    """Annex 3 for one claim: the commitments, the seal, signature and date lines."""
    claim, _, _, organisation = await _claim_row(session, principal, claim_id)
    accepted_on = paper_date(claim.commitment_accepted_at)
    flowables = [
        pdf.paragraph("附件 3："),
        pdf.title("疫情防控期间开展线上职业技能补贴性<br/>培训提交材料真实性承诺书"),
        pdf.spacer(5),
        pdf.paragraph(
            f"受新冠肺炎疫情影响，本企业（培训机构）{_name(organisation)}疫情防控期间，拟组织本企业"
            "（培训机构）职工开展线上职业技能培训，我们承诺："
        ),
    ]
    flowables += [pdf.paragraph(f"{i}. {text}") for i, text in enumerate(COMMITMENTS, start=1)]
    flowables += [
        pdf.paragraph(
            "我单位所作以上承诺是真实意思表示，并愿意承担违反承诺的一切法律责任及退还不当所得。"
        ),
        pdf.spacer(8),
        pdf.grid(
            [
                [
                    "承诺单位（盖章）:",
                    f"{_name(organisation)}<br/>统一社会信用代码：{organisation.credit_code}",
                ],
                ["法定代表人（签字）:", ""],
                ["", accepted_on],
            ],
            [50, 124],
            heights_mm={0: 26, 1: 18},
        ),
        pdf.spacer(4),
        pdf.paragraph(
            _accepted_note(claim.commitment_accepted_by, claim.commitment_accepted_at), 9
        ),
    ]
    return pdf.render(flowables, "附件3 真实性承诺书")


def _accepted_note(by: str | None, at: datetime | None) -> str:
    if at is None:
        return "尚未在线承诺。"
    return f"已于 {at.astimezone(CHINA):%Y-%m-%d %H:%M} 在线承诺（{by or ''}）。"
