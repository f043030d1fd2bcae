"""The organisation register: bureaus create and complete organisations, an organisation keeps
its own contact details, and every change is kept as a version.

Organisations first seen in a platform's records exist already, marked unregistered; a bureau
registering that credit code completes the same row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.policy.errors import NotInScope, PolicyViolation, StepForbidden
from hub.policy.transitions import require_role
from hub.registry.bureaus import INDUSTRY_SECTIONS
from schema.enums import CreditStanding, OrganisationKind, RegionLevel
from schema.ids import InvalidIdentifier, validate_credit_code
from schema.tables import Organisation, OrganisationVersion, Region
from schema.types import utcnow

BUREAU_ROLES = (Role.REGION, Role.CITY, Role.DISTRICT)
# Fields a bureau sets; an organisation itself may set only CONTACT_FIELDS.
FIELDS = (
    "name",
    "kind",
    "region_code",
    "legal_representative",
    "contact_person",
    "contact_phone",
    "address",
    "industry_code",
    "designated_city_code",
    "credit_standing",
    "credit_source",
    "credit_checked_on",
)
CONTACT_FIELDS = ("contact_person", "contact_phone", "address")
_LENGTHS = {
    "name": 200,
    "legal_representative": 100,
    "contact_person": 100,
    "contact_phone": 40,
    "address": 300,
    "credit_source": 200,
}


def _text(field: str, value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > _LENGTHS.get(field, 200):
        raise PolicyViolation(f"{field} is longer than {_LENGTHS.get(field, 200)} characters")
    return text or None


def normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Field values checked and normalised (no database needed); PolicyViolation on bad input."""
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field not in FIELDS:
            raise PolicyViolation(f"unknown organisation field {field!r}")
        if field == "kind":
            try:
                out[field] = OrganisationKind(value)
            except ValueError as error:
                kinds = ", ".join(k.value for k in OrganisationKind)
                raise PolicyViolation(f"kind must be one of {kinds}") from error
        elif field == "credit_standing":
            try:
                out[field] = None if value is None else CreditStanding(value)
            except ValueError as error:
                raise PolicyViolation("credit standing must be good or untrustworthy") from error
        elif field == "credit_checked_on":
            if value is not None and not isinstance(value, date):
                try:
                    value = date.fromisoformat(str(value)[:10])
                except ValueError as error:
                    raise PolicyViolation(f"credit date {value!r} is not a date") from error
            out[field] = value
        elif field == "industry_code":
            code = _text(field, value)
            if code is not None and code.upper() not in INDUSTRY_SECTIONS:
                raise PolicyViolation(f"industry {code!r} is not a GB/T 4754 section (A–T)")
            out[field] = code.upper() if code else None
        else:
            out[field] = _text(field, value)
    if "name" in out and not out["name"]:
        raise PolicyViolation("the organisation's name is required")
    return out


async def _check_consistency(session: AsyncSession, row: dict[str, Any]) -> None:
    """Cross-field rules on the organisation as it will be stored."""
    levels = dict(
        (
            await session.execute(
                select(Region.code, Region.level).where(
                    Region.code.in_(
                        [c for c in (row.get("region_code"), row.get("designated_city_code")) if c]
                    )
                )
            )
        ).all()
    )
    if row.get("region_code") and levels.get(row["region_code"]) is not RegionLevel.DISTRICT:
        raise PolicyViolation(f"registered district {row['region_code']} is not a district code")
    designated = row.get("designated_city_code")
    if row.get("kind") is OrganisationKind.DESIGNATED_INSTITUTION:
        if not designated or levels.get(designated) is not RegionLevel.CITY:
            raise PolicyViolation("a designated training institution names the city designating it")
    elif designated:
        raise PolicyViolation("only a designated training institution has a designating city")
    if row.get("credit_standing") and not (
        row.get("credit_source") and row.get("credit_checked_on")
    ):
        raise PolicyViolation("a credit standing needs its source and date")


def _area_codes(principal: Principal) -> Any:
    code = principal.region_code
    return select(Region.code).where(or_(Region.code == code, Region.parent_code == code))


async def _in_area(session: AsyncSession, principal: Principal, region_code: str | None) -> bool:
    if principal.role is Role.REGION:
        return True
    if region_code is None:
        return False
    found = (
        await session.execute(
            select(Region.code).where(
                Region.code == region_code, Region.code.in_(_area_codes(principal))
            )
        )
    ).scalar_one_or_none()
    return found is not None


def snapshot(organisation: Organisation) -> dict[str, Any]:
    """The register's view of an organisation, as JSON, for its history."""
    data = {"credit_code": organisation.credit_code, "registered": organisation.registered}
    for field in FIELDS:
        value = getattr(organisation, field)
        data[field] = (
            value.isoformat()
            if isinstance(value, date)
            else (value.value if hasattr(value, "value") else value)
        )
    return data


async def _keep_version(
    session: AsyncSession,
    principal: Principal,
    organisation: Organisation,
    changed: list[str],
    source: str,
) -> None:
    session.add(
        OrganisationVersion(
            organisation_id=organisation.id,  # type: ignore[arg-type]
            snapshot=snapshot(organisation),
            changed_fields=changed,
            changed_by=principal.name or principal.subject,
            changed_role=principal.role.value,
            source=source,
        )
    )
    await session.flush()


async def register_organisation(
    session: AsyncSession,
    principal: Principal,
    credit_code: str,
    values: dict[str, Any],
    *,
    source: str = "mutation",
) -> Organisation:
    """Create or complete (and mark registered) an organisation; bureaus only, in their area."""
    require_role(principal, *BUREAU_ROLES)
    try:
        code = validate_credit_code(credit_code)
    except InvalidIdentifier as error:
        raise PolicyViolation(f"credit code {credit_code!r}: {error}") from error
    given = normalise(values)
    organisation = (
        await session.execute(select(Organisation).where(Organisation.credit_code == code))
    ).scalar_one_or_none()
    registered_elsewhere = (
        organisation is not None
        and organisation.registered
        and not await _in_area(session, principal, organisation.region_code)
    )
    if registered_elsewhere:
        raise NotInScope(f"organisation {code} is registered outside your area")
    merged = {field: getattr(organisation, field, None) for field in FIELDS} if organisation else {}
    merged.update(given)
    if organisation is None or not organisation.registered:
        # Completing a row known only from platform data: its name there is the credit code.
        needed = (
            ("name", "kind", "region_code") if organisation is None else ("name", "region_code")
        )
        missing = [field for field in needed if not given.get(field)]
        if missing:
            raise PolicyViolation(f"registering an organisation needs: {', '.join(missing)}")
    await _check_consistency(session, merged)
    if not await _in_area(session, principal, merged["region_code"]):
        raise StepForbidden(f"district {merged['region_code']} is outside your area")
    changed = [f for f in FIELDS if organisation is None or getattr(organisation, f) != merged[f]]
    if organisation is None:
        organisation = Organisation(credit_code=code, **merged)
        session.add(organisation)
        changed = ["credit_code", *changed]
    else:
        for field in FIELDS:
            setattr(organisation, field, merged[field])
    if not organisation.registered:
        organisation.registered = True
        changed.append("registered")
    organisation.updated_at = utcnow()
    await session.flush()
    if changed:
        await _keep_version(session, principal, organisation, changed, source)
    return organisation


async def update_own_contact(
    session: AsyncSession, principal: Principal, values: dict[str, Any]
) -> Organisation:
    """An organisation updates its own contact person, phone and address."""
    require_role(principal, Role.ORG)
    stray = set(values) - set(CONTACT_FIELDS)
    if stray:
        raise StepForbidden(
            f"an organisation may change only its contact details, not {sorted(stray)}"
        )
    given = normalise(values)
    organisation = (
        await session.execute(
            select(Organisation).where(Organisation.credit_code == principal.org_credit_code)
        )
    ).scalar_one_or_none()
    if organisation is None:
        raise NotInScope(f"organisation {principal.org_credit_code} is not known to the hub")
    changed = [f for f, v in given.items() if getattr(organisation, f) != v]
    for field, value in given.items():
        setattr(organisation, field, value)
    organisation.updated_at = utcnow()
    await session.flush()
    if changed:
        await _keep_version(session, principal, organisation, changed, "contact")
    return organisation
