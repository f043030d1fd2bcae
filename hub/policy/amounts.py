"""The subsidy arithmetic of the notices, on plain numbers (no database), money in Decimal.

- online hours count at most `cap` (40%) of the course's hours; credited hours never exceed them;
- pre-disbursement = rate (≤ 20%) × standard amount × trainees on the basis (registered or
  qualified, a parameter per jurisdiction);
- settlement, per certified trainee = standard amount × credited hours / course hours;
- a commissioned third-party platform's fees are paid out of the settled subsidy.
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


def settlement_share(standard: float, credited: float, course_hours: float) -> Decimal:
    """A certified trainee's settled amount: the standard in proportion to credited hours."""
    if course_hours <= 0:
        return Decimal("0.00")
    share = min(Decimal(1), Decimal(str(credited)) / Decimal(str(course_hours)))
    return money(Decimal(str(standard)) * share)


def platform_fee(agreed_fees: list[float], settled: Decimal) -> Decimal:
    """Fees owed to commissioned platforms, paid out of (so never more than) the settled subsidy."""
    return min(money(sum(Decimal(str(fee)) for fee in agreed_fees)), settled)
