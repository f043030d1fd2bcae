"""Policy parameters as versioned data: region default, city override, in force from a date.

Keys:
- `pre_disbursement_basis`: `registered` (real-name registered trainees, the region's rule) or
  `qualified` (trainees who passed assessment, Wuhai's rule);
- `pre_disbursement_rate`: share of the standard amount pre-paid per counted trainee, at most 0.2;
- `online_hours_cap`: share of a course's hours that online hours may count for, at most 0.4;
- `designated_institutions_required` (bool): key-group classes need a designated organiser
  (Wuhai: on; the region: off);
- `opening_materials_required` (bool): a class opening must carry its application report and
  the trainees' ID-document copies;
- `standard_amount/<level>` and `standard_amount/<level>/<occupation code>`: the standard
  subsidy amount (补贴标准) per trainee for a skill level, optionally for one occupation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.policy.errors import PolicyViolation, StepForbidden
from schema.enums import RegionLevel
from schema.regions import REGION_CODE
from schema.tables import PolicyParameter, Region
from schema.types import utcnow

BASES = ("registered", "qualified")
# The notices' own values, used when no version of a key is stored.
DEFAULTS: dict[str, Any] = {
    "pre_disbursement_basis": "registered",
    "pre_disbursement_rate": 0.2,
    "online_hours_cap": 0.4,
    "designated_institutions_required": False,
    "opening_materials_required": False,
}
SWITCHES = ("designated_institutions_required", "opening_materials_required")
_STANDARD = re.compile(r"^standard_amount/([1-5])(?:/([^/\s]{1,64}))?$")
# A version may start a little in the past (clock skew), never back-dated further.
_BACKDATE_TOLERANCE = timedelta(minutes=5)


def validate(key: str, value: Any) -> Any:
    """The value normalised for `key`; PolicyViolation when the key or value breaks a rule."""
    if key == "pre_disbursement_basis":
        if value not in BASES:
            raise PolicyViolation(f"pre_disbursement_basis must be one of {', '.join(BASES)}")
        return value
    if key in SWITCHES:
        if not isinstance(value, bool):
            raise PolicyViolation(f"{key} must be true or false")
        return value
    if key in ("pre_disbursement_rate", "online_hours_cap") or _STANDARD.match(key):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyViolation(f"{key} must be a number")
        number = float(value)
        ceiling = {"pre_disbursement_rate": 0.2, "online_hours_cap": 0.4}.get(key)
        if number <= 0 or (ceiling is not None and number > ceiling):
            limit = f"in (0, {ceiling}]" if ceiling else "positive"
            raise PolicyViolation(f"{key} must be {limit} (the notices' limit)")
        return number
    raise PolicyViolation(f"unknown policy parameter {key!r}")


@dataclass(frozen=True)
class ParametersInForce:
    """The parameters applying to one area at one moment, with the version each came from."""

    at: datetime
    values: dict[str, Any]
    versions: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key, DEFAULTS.get(key))

    def standard_amount(self, skill_level: int, occupation_code: str | None) -> float:
        """The standard amount for an occupation and level; PolicyViolation when none is set."""
        for key in (
            f"standard_amount/{skill_level}/{occupation_code}",
            f"standard_amount/{skill_level}",
        ):
            if key in self.values:
                return float(self.values[key])
        raise PolicyViolation(
            f"no standard amount in force for skill level {skill_level}"
            f" (occupation {occupation_code or '-'}); the region must set one"
        )

    def snapshot(self) -> dict[str, Any]:
        """What a claim stores: every value used and the versions they came from."""
        return {
            "at": self.at.isoformat(),
            "values": {**DEFAULTS, **self.values},
            "versions": self.versions,
        }


async def jurisdictions(session: AsyncSession, region_code: str) -> list[str]:
    """Codes whose parameters apply to `region_code`, most specific first (city, then region)."""
    chain: list[str] = []
    code: str | None = region_code
    while code is not None:
        row = (
            await session.execute(
                select(Region.level, Region.parent_code).where(Region.code == code)
            )
        ).one_or_none()
        if row is None:
            break
        if row.level in (RegionLevel.CITY, RegionLevel.REGION):
            chain.append(code)
        code = row.parent_code
    if REGION_CODE not in chain:
        chain.append(REGION_CODE)
    return chain


async def in_force(session: AsyncSession, region_code: str, at: datetime) -> ParametersInForce:
    """The parameters in force for `region_code` at `at`: the city's versions override the region's."""
    chain = await jurisdictions(session, region_code)
    rows = (
        await session.execute(
            select(PolicyParameter)
            .where(PolicyParameter.region_code.in_(chain), PolicyParameter.effective_from <= at)
            .order_by(PolicyParameter.effective_from.desc(), PolicyParameter.id.desc())
        )
    ).scalars()
    chosen: dict[str, PolicyParameter] = {}
    for row in rows:
        held = chosen.get(row.key)
        if held is None or chain.index(row.region_code) < chain.index(held.region_code):
            chosen[row.key] = row
    return ParametersInForce(
        at=at,
        values={key: row.value["value"] for key, row in chosen.items()},
        versions={key: row.id for key, row in chosen.items() if row.id is not None},
    )


async def set_parameter(
    session: AsyncSession,
    principal: Principal,
    *,
    jurisdiction: str,
    key: str,
    value: Any,
    effective_from: datetime | None = None,
    note: str | None = None,
) -> PolicyParameter:
    """Add a new version of a parameter: the region role for the region, a city for itself."""
    if principal.role is Role.REGION:
        if jurisdiction != REGION_CODE:
            raise StepForbidden("the region role sets the region's defaults (150000) only")
    elif principal.role is Role.CITY:
        if jurisdiction != principal.region_code:
            raise StepForbidden("a city bureau may override parameters for its own city only")
    else:
        raise StepForbidden(f"role {principal.role.value} may not set policy parameters")
    now = utcnow()
    since = effective_from or now
    if since.tzinfo is None:
        raise PolicyViolation("effective_from needs a time zone offset")
    if since < now - _BACKDATE_TOLERANCE:
        raise PolicyViolation("a parameter version cannot take effect in the past")
    row = PolicyParameter(
        region_code=jurisdiction,
        key=key,
        value={"value": validate(key, value)},
        effective_from=since,
        set_by=principal.subject,
        note=note,
    )
    session.add(row)
    await session.flush()
    return row
