"""The demo's assessments: the default rule sets run for the last complete month and quarter, published and paid."""

from datetime import date, timedelta
from decimal import Decimal

from gridgov.assessment.models import AwardBudget
from gridgov.assessment.runs import do_assess, do_pay_awards
from gridgov.core import clock
from gridgov.metrics import keygrids
from gridgov.metrics.periods import Period

MONTHLY = ("department-monthly", "grid-leader-monthly")
QUARTERLY = ("grid3-quarterly", "grid4-quarterly", "zero-complaint-quarterly")
# Seed 003's district budgeted 4,000,000 yuan a year for the 零投诉 awards and grid rewards.
AWARD_BUDGET = Decimal("4000000.00")


def last_complete(today: date) -> tuple[Period, Period]:
    """The last month and the last quarter that have ended."""
    month = Period.month(today.year, today.month).previous()
    quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1).previous()
    return month, quarter


def run_demo_assessments(today: date | None = None) -> list:
    """Publish last month's and last quarter's runs and pay the quarter's awards from this year's budget."""
    month, quarter = last_complete(today or clock.local_date(clock.now()))
    runs = [do_assess(None, code, month, publish=True) for code in MONTHLY]
    runs += [do_assess(None, code, quarter, publish=True) for code in QUARTERLY]
    budget, _ = AwardBudget.objects.get_or_create(
        name="热线+网格工作经费（零投诉奖励）", year=quarter.start.year,
        defaults={"amount": AWARD_BUDGET, "note": "演示数据：按季度拨付零投诉村（社区）奖励"})
    do_pay_awards(None, runs[-1], budget, paid_on=quarter.end, note=f"{quarter.label}零投诉奖励")
    return runs


def mark_key_grids(today: date | None = None) -> int:
    """Adopt the top 5% of level-3 grids by the past year's tickets as 重点网格."""
    today = today or clock.local_date(clock.now())
    past_year = Period.range(today - timedelta(days=365), today)
    return keygrids.apply(None, keygrids.propose(past_year, percent=Decimal(5)))
