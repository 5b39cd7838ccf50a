"""Awards ledger: seed 003's 2022 figures (400万 budget, 371.76万 paid, 92.94%), payments from published runs."""

from datetime import date
from decimal import Decimal

import pytest

from gridgov.assessment import ledger, runs
from gridgov.assessment.models import AwardBudget, AwardPayment
from gridgov.core.errors import Forbidden, InvalidInput, InvalidState

# Seed 003: quarterly zero-complaint and grid awards, then the year-end 雷锋哨 / instructor awards.
SEED_003_PAYMENTS = ["891650", "709200", "717750", "999000", "400000"]


def test_seed_003_execution_rate_pure():
    s = ledger.summarise("4000000", SEED_003_PAYMENTS)
    assert s.paid == Decimal("3717600.00")
    assert s.balance == Decimal("282400.00")
    assert s.rate == Decimal("0.9294")
    assert s.rate_display == "92.94%"
    assert ledger.wan_display(s.paid) == "371.76"


def test_rates_are_exact_and_rounded_only_for_display():
    assert ledger.execution_rate(Decimal(1), Decimal(3)) == Decimal(1) / Decimal(3)
    assert ledger.percent_display(Decimal("0.123450")) == "12.35%"
    assert ledger.percent_display(ledger.execution_rate(Decimal(5), Decimal(0))) == "—"
    with pytest.raises(TypeError):
        ledger.money(0.1)


@pytest.fixture
def budget(db):
    return AwardBudget.objects.create(name="热线+网格、吹哨+报到专项经费", year=2022, amount=Decimal("4000000.00"))


def test_seed_003_ledger_in_the_database(world, budget):
    for quarter, amount in enumerate(SEED_003_PAYMENTS[:4], start=1):
        runs.do_record_payment(world.admin, budget, payee="各街镇", amount=amount, paid_on=date(2022, 3 * quarter, 28),
                               note=f"第{quarter}季度考核奖励")
    runs.do_record_payment(world.admin, budget, payee="示范社区及三级网格指导员", amount="400000", paid_on=date(2022, 12, 30))
    assert budget.paid == Decimal("3717600.00")
    assert ledger.percent_display(ledger.execution_rate(budget.paid, budget.amount)) == "92.94%"
    with pytest.raises(InvalidState, match="超出预算余额"):
        runs.do_record_payment(world.admin, budget, payee="多付", amount="282400.01", paid_on=date(2022, 12, 31))
    with pytest.raises(InvalidInput):
        runs.do_record_payment(world.admin, budget, payee="零", amount="0", paid_on=date(2022, 12, 31))
    with pytest.raises(Forbidden):
        runs.do_record_payment(world.dispatcher, budget, payee="x", amount="1", paid_on=date(2022, 12, 31))
    assert AwardPayment.objects.count() == 5


def test_paying_a_published_runs_awards_once(world, one_ticket, budget):
    run = runs.do_assess(world.admin, "zero-complaint-quarterly", "2026-Q1")
    with pytest.raises(InvalidState, match="已发布"):
        runs.do_pay_awards(world.admin, run, budget, paid_on=date(2026, 4, 15))
    runs.do_publish(world.admin, run)
    paid = runs.do_pay_awards(world.admin, run, budget, paid_on=date(2026, 4, 15))
    assert sorted((p.payee, p.amount) for p in paid) == [("桃花岭社区", Decimal("5000.00")), ("桐木村", Decimal("3000.00"))]
    assert runs.do_pay_awards(world.admin, run, budget, paid_on=date(2026, 4, 16)) == []
    assert budget.paid == Decimal("8000.00")


@pytest.mark.parametrize("amount", ["NaN", "0.001", "100.005", "十元", "-5", "0"])
def test_payment_amounts_must_be_whole_fen(world, budget, amount):
    from datetime import date

    from gridgov.assessment import runs
    from gridgov.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="拨付金额"):
        runs.do_record_payment(world.admin, budget, payee="某社区", amount=amount, paid_on=date(2022, 3, 31))
    assert not budget.payments.exists()
