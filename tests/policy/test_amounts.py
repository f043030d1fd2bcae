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


def test_the_two_settlement_rules() -> None:
    def share(rule: str, credited: float, course: float = 80, **kw: bool) -> Decimal:
        flags = {"certified": True, "offline_done": True, **kw}
        return amounts.settlement_share(rule, 1000, credited, course, **flags)

    pro, cert = amounts.PRO_RATA_HOURS, amounts.PER_CERTIFICATE
    assert share(pro, 20) == Decimal("250.00")  # 1000 × 20 / 80
    assert share(pro, 90) == Decimal("1000.00")  # never above S
    assert share(pro, 10, course=0) == Decimal("0.00")
    assert share(cert, 80) == Decimal("1000.00")  # the course's hours completed: S
    assert share(cert, 79.99) == Decimal("0.00")  # not completed: nothing
    for rule in (pro, cert):
        assert share(rule, 80, certified=False) == Decimal("0.00")
        assert share(rule, 80, offline_done=False) == Decimal("0.00")
    assert amounts.offline_trained(0.5, 0) and not amounts.offline_trained(0, 0)
    assert amounts.offline_trained(16, 16) and not amounts.offline_trained(15, 16)


def test_platform_fee_is_paid_out_of_the_subsidy() -> None:
    assert amounts.platform_fee([100, 50], Decimal("1250.00")) == Decimal("150.00")
    assert amounts.platform_fee([2000], Decimal("1250.00")) == Decimal("1250.00")


def test_the_readme_worked_examples() -> None:
    """README, 'The two settlement rules': S = 1000, course 80 h, cap 40% (32 h online)."""
    persons = {  # online, offline, certified
        "A": (40, 48, True),
        "B": (20, 10, True),
        "C": (10, 0, False),
    }

    def settled(rule: str) -> Decimal:
        total = Decimal("0.00")
        for online, offline, certified in persons.values():
            hours = amounts.credit_hours(online, offline, 80, 0.4)
            total += amounts.settlement_share(
                rule,
                1000,
                hours.credited,
                80,
                certified=certified,
                offline_done=amounts.offline_trained(offline, 0),
            )
        return total

    pre = amounts.pre_disbursement(1000, 2, 0.2)  # Wuhai: A and B qualified
    assert settled(amounts.PER_CERTIFICATE) == Decimal("1000.00")  # A 1000, B 30 < 80: 0
    assert settled(amounts.PER_CERTIFICATE) - pre == Decimal("600.00")
    assert settled(amounts.PRO_RATA_HOURS) == Decimal("1375.00")  # 1000 + 1000 × 30/80
    assert settled(amounts.PRO_RATA_HOURS) - pre == Decimal("975.00")
    assert amounts.platform_fee([150], settled(amounts.PER_CERTIFICATE)) == Decimal("150.00")
