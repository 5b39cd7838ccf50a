"""Awards ledger arithmetic: execution rate of a budget, kept exact and rounded only for display."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """Yuan as Decimal with 2 decimals (strings and ints accepted; floats are refused by design)."""
    if isinstance(value, float):
        raise TypeError("金额不能用浮点数")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def execution_rate(paid: Decimal, budget: Decimal) -> Decimal | None:
    """Paid / budget as an exact fraction (None for a zero budget)."""
    return None if not budget else Decimal(paid) / Decimal(budget)


def percent_display(rate: Decimal | None) -> str:
    """A fraction as a percentage with 2 decimals, half up: 0.9294 → "92.94%"."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def wan_display(amount: Decimal) -> str:
    """Yuan shown in 万元 with 2 decimals, as finance documents write it: 3717600 → "371.76"."""
    return str((Decimal(amount) / 10000).quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LedgerSummary:
    """A budget's position: amount, paid, balance and execution rate."""

    budget: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.budget - self.paid

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.paid, self.budget)

    @property
    def rate_display(self) -> str:
        return percent_display(self.rate)


def summarise(budget, payments: Iterable) -> LedgerSummary:
    """Sum payment amounts against a budget amount."""
    return LedgerSummary(money(budget), sum((money(p) for p in payments), Decimal("0.00")))
