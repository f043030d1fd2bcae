"""Platform filing (审核备案, Annex 1): the organisation files, the district reviews, the city approves.

Only online hours on a platform approved for the organisation (or listed in the catalogue) count
toward its subsidies (see hub/policy/hours.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.policy.errors import NotInScope, PolicyViolation
from hub.policy.transitions import advance, record, require_reason, require_role
from hub.registry.bureaus import registered_district
from hub.registry.platforms import check_url, require_trustworthy_operator
from schema.enums import FilingStatus, PlatformType, RegionLevel
from schema.tables import Organisation, Platform, PlatformFiling, Region
from schema.types import utcnow

ENTITY = "platform_filing"

# The five capability questions of Annex 1, in the form's order.
CAPABILITIES: tuple[tuple[str, str], ...] = (
    ("stable_technical_conditions", "是否具备安全稳定的线上培训技术条件"),
    (
        "standard_digital_resources",
        "是否具有符合国家职业技能标准、专项能力规范或国家职业技能培训课程的线上数字培训资源",
    ),
    (
        "real_name_ledger",
        "是否具备建立劳动者线上实名制培训台账（包括学员注册信息、身份类别、培训课程、"
        "培训时长管控、培训效果考评）的技术手段",
    ),
    ("recordable_process", "是否具备培训过程可记录等相关技术手段"),
    ("issues_training_proofs", "是否能够按劳动者实际培训情况出具线上培训证明"),
)
# Annex 1 offers three platform types; catalogue platforms need no filing.
FILABLE_TYPES = (PlatformType.OWN_WEBSITE, PlatformType.OWN_PLATFORM, PlatformType.THIRD_PARTY)


@dataclass(frozen=True)
class FilingInput:
    platform_code: str
    platform_type: str
    district: str | None  # defaults to the organisation's registered district
    # Each defaults to the organisation's register entry when not given.
    legal_representative: str | None
    contact_person: str | None
    contact_phone: str | None
    capabilities: dict[str, bool]
    attachments: list[dict[str, Any]]
    platform_name: str | None = None  # 线上培训平台（网站）名称
    platform_url: str | None = None  # 网址


async def _own_organisation(session: AsyncSession, principal: Principal) -> Organisation:
    organisation = (
        await session.execute(
            select(Organisation).where(Organisation.credit_code == principal.org_credit_code)
        )
    ).scalar_one_or_none()
    if organisation is None:
        raise NotInScope(f"organisation {principal.org_credit_code} is not known to the hub")
    return organisation


async def file_platform(
    session: AsyncSession, principal: Principal, data: FilingInput
) -> PlatformFiling:
    """An organisation files a platform it trains on, answering the five capability questions."""
    require_role(principal, Role.ORG)
    scope = Scope(principal)
    platform = (
        await session.execute(
            select(Platform).where(Platform.code == data.platform_code, scope.platforms())
        )
    ).scalar_one_or_none()
    if platform is None:
        raise NotInScope(f"platform {data.platform_code} not found")
    if data.platform_type not in {t.value for t in FILABLE_TYPES}:
        raise PolicyViolation("platform type must be own_website, own_platform or third_party")
    missing = [key for key, _ in CAPABILITIES if key not in data.capabilities]
    unknown = set(data.capabilities) - {key for key, _ in CAPABILITIES}
    if missing or unknown:
        raise PolicyViolation(
            f"all five capability answers are required (missing: {', '.join(missing) or '-'};"
            f" unknown: {', '.join(sorted(unknown)) or '-'})"
        )
    organisation = await _own_organisation(session, principal)
    registered = await registered_district(session, organisation)
    district = data.district or registered
    if district is None:
        raise PolicyViolation(
            "the organisation has no registered district: name the reviewing district"
        )
    level = (
        await session.execute(select(Region.level).where(Region.code == district))
    ).scalar_one_or_none()
    if level is not RegionLevel.DISTRICT:
        raise PolicyViolation(f"{district} is not a district bureau's code")
    if registered is not None and district != registered:
        raise PolicyViolation(
            f"the filing goes to the bureau of the organisation's registered district"
            f" ({registered}), not {district}"
        )
    _apply_platform_details(platform, data)
    if data.platform_type == PlatformType.THIRD_PARTY:
        await require_trustworthy_operator(session, platform)
    people = {}
    for field in ("legal_representative", "contact_person", "contact_phone"):
        value = (getattr(data, field) or getattr(organisation, field) or "").strip()
        if not value:
            raise PolicyViolation(f"the {field.replace('_', ' ')} is required")
        people[field] = value
    filing = PlatformFiling(
        platform_id=platform.id,
        organisation_id=organisation.id,
        region_code=district,
        status=FilingStatus.FILED.value,
        platform_type=data.platform_type,
        **people,
        capabilities={key: bool(data.capabilities[key]) for key, _ in CAPABILITIES},
        attachments=data.attachments,
    )
    session.add(filing)
    await session.flush()
    await record(session, principal, ENTITY, filing.id, None, filing.status)  # type: ignore[arg-type]
    if platform.filing_status in (FilingStatus.UNFILED, FilingStatus.RETURNED):
        platform.filing_status = FilingStatus.FILED
    return filing


def _apply_platform_details(platform: Platform, data: FilingInput) -> None:
    """The filing form names the platform and its address: they become the platform's."""
    if data.platform_name is not None:
        if not data.platform_name.strip():
            raise PolicyViolation("the platform name may not be blank")
        platform.name = data.platform_name.strip()[:200]
    if data.platform_url is not None:
        platform.url = check_url(data.platform_url)


async def review_filing(
    session: AsyncSession, principal: Principal, filing_id: int, reason: str | None
) -> None:
    """The district bureau's first-level review (所在区人社部门审核), or the industry authority's."""
    require_role(principal, Role.DISTRICT, Role.INDUSTRY)
    await advance(
        session,
        principal,
        table=PlatformFiling,
        entity=ENTITY,
        row_id=filing_id,
        scope=Scope(principal).platform_filings(),
        from_statuses=[FilingStatus.FILED.value],
        to_status=FilingStatus.DISTRICT_REVIEWED.value,
        reason=reason,
    )


async def approve_filing(
    session: AsyncSession, principal: Principal, filing_id: int, reason: str | None
) -> None:
    """The city bureau's approval; a platform lacking any of the five capabilities cannot pass."""
    require_role(principal, Role.CITY)
    scope = Scope(principal).platform_filings()
    filing = (
        await session.execute(select(PlatformFiling).where(PlatformFiling.id == filing_id, scope))
    ).scalar_one_or_none()
    if filing is None:
        raise NotInScope(f"{ENTITY} {filing_id} not found")
    lacking = [key for key, _ in CAPABILITIES if not filing.capabilities.get(key)]
    if lacking:
        raise PolicyViolation(f"the platform lacks required capabilities: {', '.join(lacking)}")
    await advance(
        session,
        principal,
        table=PlatformFiling,
        entity=ENTITY,
        row_id=filing_id,
        scope=scope,
        from_statuses=[FilingStatus.DISTRICT_REVIEWED.value],
        to_status=FilingStatus.APPROVED.value,
        reason=reason,
        values={"approved_at": utcnow()},
    )
    # The approved filing says what the platform is to the organisation (Annex 1: own website,
    # own platform or commissioned third party); the agreement rule for third parties rests on it.
    await session.execute(
        update(Platform)
        .where(Platform.id == filing.platform_id)
        .values(
            filing_status=FilingStatus.APPROVED,
            platform_type=PlatformType(filing.platform_type),
        )
        .execution_options(synchronize_session=False)
    )


async def return_filing(
    session: AsyncSession, principal: Principal, filing_id: int, reason: str | None
) -> None:
    """Send a filing back: the district at its review, the city at its approval."""
    require_role(principal, Role.DISTRICT, Role.INDUSTRY, Role.CITY)
    step = FilingStatus.DISTRICT_REVIEWED if principal.role is Role.CITY else FilingStatus.FILED
    await advance(
        session,
        principal,
        table=PlatformFiling,
        entity=ENTITY,
        row_id=filing_id,
        scope=Scope(principal).platform_filings(),
        from_statuses=[step.value],
        to_status=FilingStatus.RETURNED.value,
        reason=require_reason(reason),
    )
