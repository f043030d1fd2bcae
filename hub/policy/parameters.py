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
  subsidy amount (补贴标准) per trainee for a skill level, optionally for one occupation;
- `settlement_rule`: `per_certificate` (the default, 16号 (四)2: "根据培训人员参加鉴定考核取得证书
  …情况予以结算": S per certified person who completed the course's hours) or `pro_rata_hours`
  (S × credited hours / course hours per certified person; only when a jurisdiction sets it);
- `claim_submission`: `after_opening_approved` (the region: a pre-disbursement claim once the
  opening is approved) or `after_class_ended` (Wuhai, 26号 三: "完成线上、线下全部培训课程后…申领");
- `pre_disbursement_timing`: `after_opening_approved` (16号 (四)2: "对…同意开展的线上培训…预拨")
  or `after_online_training_ended` (Wuhai, 26号 三: "疫情防控期间线上培训结束后…预拨");
- `epidemic_period_ends_on`: the date the region declares the epidemic period over (region
  only); the rest of the subsidy is settled only after it ("其余补贴资金待疫情结束后…结算");
- `offline_training_min_hours`: offline practical training (线下实训) a person needs before
  settlement (16号 (四)3 "参加线下实训后…予以结算"); 0 means any offline hours at all;
- `online_training_policy`: the notice in force for online training; a class whose first day
  lies outside every window (effective_from … effective_until) of this key gets no
  online-training subsidy;
- `blocking_alert_severities`: open alerts of these severities block a claim's money steps;
- `open_recoveries_block_claims`: an organisation with open recoveries cannot submit a claim.

A version may carry `effective_until`: after it the key has no value from that version (a later
version, or the region's when a city's has ended, applies instead).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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
SETTLEMENT_RULES = ("per_certificate", "pro_rata_hours")
SUBMISSION_RULES = ("after_opening_approved", "after_class_ended")
PRE_DISBURSEMENT_TIMINGS = ("after_opening_approved", "after_online_training_ended")
SEVERITIES = ("low", "medium", "high")
# Keys only the region's department may set.
REGION_ONLY = ("epidemic_period_ends_on", "online_training_policy")
# The notices' own values, used when no version of a key is stored.
DEFAULTS: dict[str, Any] = {
    "pre_disbursement_basis": "registered",
    "pre_disbursement_rate": 0.2,
    "online_hours_cap": 0.4,
    "settlement_rule": "per_certificate",
    "claim_submission": "after_opening_approved",
    "pre_disbursement_timing": "after_opening_approved",
    "offline_training_min_hours": 0,
    "blocking_alert_severities": ["high"],
    "open_recoveries_block_claims": True,
    "designated_institutions_required": False,
    "opening_materials_required": False,
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "pre_disbursement_basis": BASES,
    "settlement_rule": SETTLEMENT_RULES,
    "claim_submission": SUBMISSION_RULES,
    "pre_disbursement_timing": PRE_DISBURSEMENT_TIMINGS,
}
SWITCHES = ("designated_institutions_required", "opening_materials_required")
_STANDARD = re.compile(r"^standard_amount/([1-5])(?:/([^/\s]{1,64}))?$")
# The notices' ceilings on shares, and a sane bound on a standard amount per trainee (yuan):
# the notices' amounts are in the thousands, so anything beyond this is a typing error.
_CEILINGS = {"pre_disbursement_rate": 0.2, "online_hours_cap": 0.4}
STANDARD_AMOUNT_CEILING = 100_000.0
log = logging.getLogger("hub.policy")
# A version may start a little in the past (clock skew), never back-dated further.
_BACKDATE_TOLERANCE = timedelta(minutes=5)


def validate(key: str, value: Any) -> Any:
    """The value normalised for `key`; PolicyViolation when the key or value breaks a rule."""
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise PolicyViolation(f"{key} must be one of {', '.join(_CHOICES[key])}")
        return value
    if key == "epidemic_period_ends_on":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as error:
            raise PolicyViolation("epidemic_period_ends_on must be a date, YYYY-MM-DD") from error
    if key == "online_training_policy":
        if not isinstance(value, str) or not value.strip():
            raise PolicyViolation(
                "online_training_policy names the notice, e.g. 内人社办发〔2020〕16号"
            )
        return value.strip()
    if key == "blocking_alert_severities":
        if not isinstance(value, list) or not set(value) <= set(SEVERITIES):
            raise PolicyViolation(f"blocking_alert_severities is a list of {', '.join(SEVERITIES)}")
        if "high" not in value:
            raise PolicyViolation("high-severity alerts always block the money (26号 五)")
        return sorted(set(value), key=SEVERITIES.index)
    if key == "open_recoveries_block_claims":
        if not isinstance(value, bool):
            raise PolicyViolation("open_recoveries_block_claims must be true or false")
        return value
    if key == "offline_training_min_hours":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PolicyViolation("offline_training_min_hours must be a number ≥ 0")
        return float(value)
    if key in SWITCHES:
        if not isinstance(value, bool):
            raise PolicyViolation(f"{key} must be true or false")
        return value
    if key in _CEILINGS or _STANDARD.match(key):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyViolation(f"{key} must be a number")
        try:
            number = float(value)
        except OverflowError as error:  # an integer beyond any float
            raise PolicyViolation(f"{key} must be a finite number") from error
        # NaN compares false with everything, so it would pass the ceilings unless refused here.
        if not math.isfinite(number):
            raise PolicyViolation(f"{key} must be a finite number")
        ceiling = _CEILINGS.get(key, STANDARD_AMOUNT_CEILING)
        if number <= 0 or number > ceiling:
            limit = "the notices' limit" if key in _CEILINGS else "a sane bound"
            raise PolicyViolation(f"{key} must be in (0, {ceiling:g}] ({limit})")
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
    """The parameters in force for `region_code` at `at`: the city's versions override the region's.

    Per jurisdiction and key the latest version started by `at` applies, unless its
    `effective_until` has passed: then that jurisdiction has no value for the key.
    """
    chain = await jurisdictions(session, region_code)
    rows = (
        await session.execute(
            select(PolicyParameter)
            .where(PolicyParameter.region_code.in_(chain), PolicyParameter.effective_from <= at)
            .order_by(PolicyParameter.effective_from.desc(), PolicyParameter.id.desc())
        )
    ).scalars()
    latest: dict[tuple[str, str], PolicyParameter] = {}
    for row in rows:
        if _still_valid(row):
            latest.setdefault((row.region_code, row.key), row)
    chosen: dict[str, PolicyParameter] = {}
    for (region, key), row in latest.items():
        if row.effective_until is not None and row.effective_until < at:
            continue
        held = chosen.get(key)
        if held is None or chain.index(region) < chain.index(held.region_code):
            chosen[key] = row
    return ParametersInForce(
        at=at,
        values={key: row.value["value"] for key, row in chosen.items()},
        versions={key: row.id for key, row in chosen.items() if row.id is not None},
    )


def _still_valid(row: PolicyParameter) -> bool:
    """A stored version that breaks today's rules (say, a NaN stored before they were checked)
    is skipped, so the previous version or the default applies instead of a value nobody can
    compute with."""
    try:
        validate(row.key, (row.value or {}).get("value"))
    except PolicyViolation as error:
        log.warning("policy parameter version %s ignored: %s", row.id, error)
        return False
    return True


async def set_parameter(
    session: AsyncSession,
    principal: Principal,
    *,
    jurisdiction: str,
    key: str,
    value: Any,
    effective_from: datetime | None = None,
    effective_until: datetime | None = None,
    note: str | None = None,
) -> PolicyParameter:
    """Add a new version of a parameter: the region role for the region, a city for itself."""
    if principal.role is Role.REGION:
        if jurisdiction != REGION_CODE:
            raise StepForbidden("the region role sets the region's defaults (150000) only")
    elif principal.role is Role.CITY:
        if jurisdiction != principal.region_code:
            raise StepForbidden("a city bureau may override parameters for its own city only")
        if key in REGION_ONLY:
            raise StepForbidden(f"{key} is set by the region's department (150000) only")
    else:
        raise StepForbidden(f"role {principal.role.value} may not set policy parameters")
    now = utcnow()
    since = effective_from or now
    if since.tzinfo is None:
        raise PolicyViolation("effective_from needs a time zone offset")
    if since < now - _BACKDATE_TOLERANCE:
        raise PolicyViolation("a parameter version cannot take effect in the past")
    if effective_until is not None:
        if effective_until.tzinfo is None:
            raise PolicyViolation("effective_until needs a time zone offset")
        if effective_until <= since:
            raise PolicyViolation("effective_until must be after effective_from")
    row = PolicyParameter(
        region_code=jurisdiction,
        key=key,
        value={"value": validate(key, value)},
        effective_from=since,
        effective_until=effective_until,
        set_by=principal.subject,
        note=note,
    )
    session.add(row)
    await session.flush()
    return row
