"""重点网格清单: rank grids by last year's tickets, propose the top N or top x%, and show the change from the current list."""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.db import transaction

from gridgov.areas.models import Area
from gridgov.audit.log import audit
from gridgov.core.errors import InvalidInput
from gridgov.metrics.compute import BREAKDOWN_OF_LEVEL, Scope, breakdown
from gridgov.metrics.periods import Period

RULE = "按统计期（通常为上一年）受理量从高到低排序；名额线上受理量相同的网格一并列入；受理量相同时按网格编码排序"


@dataclass(frozen=True)
class Ranked:
    """One grid in the ranking."""

    code: str
    name: str
    tickets: int
    rank: int
    proposed: bool
    current: bool


@dataclass(frozen=True)
class Proposal:
    """The proposed list and how it differs from the current one."""

    period: Period
    level: int
    quota: int
    ranking: list[Ranked]

    @property
    def added(self) -> list[Ranked]:
        return [r for r in self.ranking if r.proposed and not r.current]

    @property
    def removed(self) -> list[Ranked]:
        return [r for r in self.ranking if r.current and not r.proposed]

    @property
    def kept(self) -> list[Ranked]:
        return [r for r in self.ranking if r.current and r.proposed]


def quota_of(n_grids: int, top: int | None = None, percent: Decimal | None = None) -> int:
    """How many grids the list holds: top N, or x% of the grids rounded up."""
    if (top is None) == (percent is None):
        raise InvalidInput("请指定名额（前 N 个）或比例（前 x%）之一")
    if top is not None:
        if top < 1:
            raise InvalidInput("名额必须为正整数")
        return min(top, n_grids)
    percent = Decimal(str(percent))
    if not 0 < percent <= 100:
        raise InvalidInput("比例必须大于 0 且不超过 100")
    return int((Decimal(n_grids) * percent / 100).to_integral_value(ROUND_CEILING))


def rank(rows: list[tuple[str, str, int, bool]], quota: int) -> list[Ranked]:
    """Order (code, name, tickets, current) rows and mark the proposed ones (pure)."""
    ordered = sorted(rows, key=lambda r: (-r[2], r[0]))
    cut = ordered[quota - 1][2] if quota and ordered else None
    out, rank_no = [], 0
    for i, (code, name, tickets, current) in enumerate(ordered):
        if i == 0 or tickets != ordered[i - 1][2]:
            rank_no = i + 1
        proposed = quota > 0 and (i < quota or tickets == cut) and tickets > 0
        out.append(Ranked(code, name, tickets, rank_no, proposed, current))
    return out


def propose(period: Period | int, *, level: int = 3, area: str | None = None, top: int | None = None,
            percent: Decimal | None = None) -> Proposal:
    """Rank the grids of a level under an area by a period's (normally last year's) tickets and propose the key grids."""
    if level not in BREAKDOWN_OF_LEVEL:
        raise InvalidInput("网格层级必须是 1–4")
    period = Period.year(period) if isinstance(period, int) else period
    rows = breakdown(period, BREAKDOWN_OF_LEVEL[level], Scope(area=area), codes=["received"])
    current = set(Area.objects.filter(level=level, key_grid=True).values_list("code", flat=True))
    quota = quota_of(len(rows), top, percent)
    ranking = rank([(r.key, r.label, r.figures["received"].value, r.key in current) for r in rows], quota)
    return Proposal(period, level, quota, ranking)


def apply(actor, proposal: Proposal) -> int:
    """Make the proposed list the current one for the ranked grids, audited; returns how many grids changed."""
    changed = proposal.added + proposal.removed
    with transaction.atomic():
        for r in changed:
            grid = Area.objects.select_for_update().get(pk=r.code)
            grid.key_grid = r.proposed
            grid.save(update_fields=["key_grid", "updated_at"])
            audit(actor, "area.key_grid", grid, reason=f"{proposal.period.label}受理量{r.tickets}件，第{r.rank}名；{RULE}")
    return len(changed)
