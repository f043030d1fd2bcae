"""The subsidy arithmetic on plain numbers."""

from __future__ import annotations

from decimal import Decimal

from hub.policy import amounts


def test_online_hours_count_up_to_the_cap_and_credit_up_to_the_course() -> None:
    full = amounts.credit_hours(online=40, offline=48, course_hours=80, cap=0.4)
    assert (full.counted_online, full.credited) == (32, 80)
    assert amounts.credit_hours(online=20, offline=0, course_hours=80, cap=0.4).credited == 20
    over = amounts.credit_hours(online=10, offline=100, course_hours=80, cap=0.4)
    assert over.credited == 80


def test_pre_disbursement_and_settlement() -> None:
    assert amounts.pre_disbursement(1000, 2, 0.2) == Decimal("400.00")
    assert amounts.pre_disbursement(1234.5, 3, 0.2) == Decimal("740.70")
    assert amounts.settlement_share(1000, 20, 80) == Decimal("250.00")
    assert amounts.settlement_share(1000, 90, 80) == Decimal("1000.00")
    assert amounts.settlement_share(1000, 10, 0) == Decimal("0.00")


def test_platform_fee_is_paid_out_of_the_subsidy() -> None:
    assert amounts.platform_fee([100, 50], Decimal("1250.00")) == Decimal("150.00")
    assert amounts.platform_fee([2000], Decimal("1250.00")) == Decimal("1250.00")
