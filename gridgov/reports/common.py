"""What every report shares: the area it covers, counts as shares of a stated base, percentages for display."""

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gridgov.areas.models import Area
from gridgov.core.errors import InvalidInput
from gridgov.metrics.compute import Scope
from gridgov.metrics.periods import Period
from gridgov.tickets.models import Ticket

CENT = Decimal("0.01")


def percent(count, base) -> Decimal | None:
    """count/base as a percentage rounded half-up to 2 places (display only); None when the base is 0."""
    if not base:
        return None
    return (Decimal(count) * 100 / Decimal(base)).quantize(CENT, ROUND_HALF_UP)


def percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


@dataclass(frozen=True)
class Share:
    """A count as a share of a base that is stated in words."""

    key: str
    label: str
    count: int
    base: int
    base_text: str
    members: tuple[str, ...] = ()

    @property
    def percent(self) -> Decimal | None:
        return percent(self.count, self.base)

    @property
    def percent_text(self) -> str:
        return percent_text(self.percent)

    @property
    def fraction(self) -> Decimal | None:
        """The displayed percentage as a fraction (what a spreadsheet cell formatted 0.00% holds)."""
        p = self.percent
        return None if p is None else p / 100


@dataclass(frozen=True)
class Coverage:
    """The area a report covers and the metrics scope that selects its tickets."""

    area: Area
    scope: Scope

    @property
    def name(self) -> str:
        return self.area.name

    @property
    def code(self) -> str:
        return self.area.code


def coverage(code: str | None = None) -> Coverage:
    """The area a report is about: the given code, or the district (level 0) when none is given."""
    roots = list(Area.objects.filter(level=0).order_by("code"))
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise InvalidInput(f"区域不存在：{code}（应为区划/网格编码，如 {roots[0].code if roots else '430104'}）")
    elif roots:
        area = roots[0]
    else:
        raise InvalidInput("尚未导入区域数据，无法生成报告（先运行 gridgov demo 或导入区域）")
    # The only district covers every ticket, including those not yet located in a grid.
    whole = area.level == 0 and len(roots) == 1
    return Coverage(area, Scope() if whole else Scope(area=area.code))


def tickets_received(period: Period, scope: Scope):
    """The tickets a report's figures are computed over: received in the period within the area."""
    start, end = period.bounds()
    qs = Ticket.objects.filter(received_at__gte=start, received_at__lt=end)
    if scope.area:
        qs = qs.filter(area__code__startswith=scope.area)
    return qs


def ticket_digest(qs) -> tuple[list[tuple[int, str]], str]:
    """The tickets (id, number) behind a document and a SHA-256 over their ids, so the set can be checked later."""
    h, rows = hashlib.sha256(), []
    for pk, number in qs.order_by("pk").values_list("pk", "number").iterator(chunk_size=5000):
        h.update(f"{pk}\n".encode())
        rows.append((pk, number))
    return rows, h.hexdigest()


def signed_change(value: Decimal | int | None, unit: str) -> str:
    """'+1.20个百分点' / '-3件' / '持平' / '—'."""
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    return f"{'+' if value > 0 else ''}{value}{unit}"
