"""The subsidy arithmetic of the notices, on plain numbers (no database), money in Decimal.

- online hours count at most `cap` (40%) of the course's hours; credited hours never exceed them;
- pre-disbursement = rate (≤ 20%) × standard amount × trainees on the basis (registered or
  qualified, a parameter per jurisdiction);
- settlement (see `settlement_share`) by one of two rules, `per_certificate` by default;
- a commissioned third-party platform's fees are paid out of the settled subsidy, only under
  its agreement and never above the agreed fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: float | Decimal) -> Decimal:
    """Round to the cent, half up, as payments are."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CreditedHours:
    online: float
    counted_online: float
    offline: float
    credited: float


def credit_hours(online: float, offline: float, course_hours: float, cap: float) -> CreditedHours:
    """Hours a trainee is credited with: online up to `cap` × course hours, total up to the course."""
    counted_online = min(online, cap * course_hours)
    credited = min(course_hours, counted_online + offline)
    return CreditedHours(
        online=round(online, 2),
        counted_online=round(counted_online, 2),
        offline=round(offline, 2),
        credited=round(credited, 2),
    )


def pre_disbursement(standard: float, basis_count: int, rate: float) -> Decimal:
    """What may be pre-paid: rate × standard × trainees on the basis."""
    return money(Decimal(str(rate)) * Decimal(str(standard)) * basis_count)


PER_CERTIFICATE, PRO_RATA_HOURS = "per_certificate", "pro_rata_hours"


def offline_trained(offline: float, minimum: float) -> bool:
    """Whether a person took part in offline practical training (线下实训): any offline hours when
    `minimum` is 0, else at least `minimum` hours."""
    return offline >= minimum if minimum > 0 else offline > 0


def settlement_share(
    rule: str,
    standard: float,
    credited: float,
    course_hours: float,
    *,
    certified: bool,
    offline_done: bool,
) -> Decimal:
    """A person's settled amount under `rule`.

    内人社办发〔2020〕16号 (四)2: "其余补贴资金待疫情结束后，根据培训人员参加鉴定考核取得证书（或职业技能
    等级证书、专项职业能力证书、特种作业操作证书、培训合格证书，下同）情况予以结算"; (四)3: "补贴资金待
    疫情结束、参加线下实训后，根据培训人员参加鉴定考核取得职业资格证书情况予以结算".

    - `per_certificate` (the default): the standard amount S for a person who obtained a
      certificate for the class's occupation and level, took part in offline practical training
      and completed the course's hours (credited online + offline ≥ the course's total);
    - `pro_rata_hours` (only where a jurisdiction sets it): S × credited hours / course hours
      for a certified person who took part in offline practical training.
    """
    if not certified or not offline_done or course_hours <= 0:
        return Decimal("0.00")
    if rule == PER_CERTIFICATE:
        complete = Decimal(str(credited)) >= Decimal(str(course_hours))
        return money(standard) if complete else Decimal("0.00")
    if rule == PRO_RATA_HOURS:
        share = min(Decimal(1), Decimal(str(credited)) / Decimal(str(course_hours)))
        return money(Decimal(str(standard)) * share)
    raise ValueError(f"unknown settlement rule {rule!r}")


def platform_fee(agreed_fees: list[float], settled: Decimal) -> Decimal:
    """Fees owed to commissioned platforms, paid out of (so never more than) the settled subsidy."""
    return min(money(sum(Decimal(str(fee)) for fee in agreed_fees)), settled)
