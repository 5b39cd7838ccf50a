"""The analysis of unsatisfied tickets (seed 000 part 四(4)): by category class, by street group, by department group."""

from dataclasses import dataclass
from datetime import datetime

from gridgov.areas.models import StreetGroup
from gridgov.core import clock
from gridgov.metrics.compute import breakdown, figures
from gridgov.metrics.periods import Period
from gridgov.reports.common import Share, coverage
from gridgov.units.models import Unit

TICKET_BASE = "回访不满意工单（按工单计，联合办单只计一次）"
UNIT_BASE = "回访不满意工单（按单位计，联合办单每个签收单位各计一次）"
STREET_CODE_LENGTH = 9  # 6 digits for the district + 3 for the street


@dataclass
class Section:
    """One side of the unit-attributed split: a total and its groups, all shares of the unit-attributed base."""

    total: Share
    groups: list[Share]


@dataclass
class Analysis:
    """Unsatisfied tickets of one period and area, with every share's base."""

    period: Period
    area_code: str
    area_name: str
    computed_at: datetime
    unsatisfied: int  # distinct tickets: the base of the category shares
    investigated: int
    responsible: int
    responsible_departments: int
    responsible_territorial: int
    unit_total: int  # unit attributions: the base of the street and department shares
    categories: list[Share]
    top_n: int
    top: Share
    streets: Section
    departments: Section
    other_units: Share | None = None

    @property
    def span(self) -> str:
        """How the text names the period ("全年", "本月", …)."""
        return {"year": "全年", "quarter": "本季度", "month": "本月", "week": "本周", "day": "当日"}.get(self.period.kind, "统计期内")

    def bases(self) -> list[str]:
        """Each base in words, for the footnote and the 口径说明 sheet."""
        lines = [f"投诉类别占比的基数：{TICKET_BASE}，共{self.unsatisfied}件。",
                 f"街镇、部门占比的基数：{UNIT_BASE}，共{self.unit_total}件"
                 f"（各街镇{self.streets.total.count}件、各区直部门{self.departments.total.count}件"
                 + (f"、其他单位{self.other_units.count}件" if self.other_units else "") + "）。"]
        return lines

    def paragraphs(self) -> list[str]:
        """The section as the seed writes it."""
        return [self._intro(), self._by_category(), self._by_street(), self._by_department(),
                "说明：" + "".join(self.bases()) + "两种口径的件数不同，占比不可相加比较。"]

    def _intro(self) -> str:
        d = clock.local_date(self.computed_at)
        return (f"{self.period.label}共收到回访不满意工单{self.unsatisfied}件，截至{d.year}年{d.month}月{d.day}日，"
                f"已调查{self.investigated}件。在已调查核实的工单中，认定办单单位有责任的有{self.responsible}件"
                f"（其中区直部门{self.responsible_departments}件、各街镇{self.responsible_territorial}件）。")

    def _by_category(self) -> str:
        if not self.unsatisfied:
            return f"（一）从投诉类别看。{self.span}无回访不满意工单。"
        top = self.categories[: self.top_n]
        names = "、".join(_bare(s.label) for s in top) + "类"
        parts = "；".join(f"{_class(s.label)}{s.count}件，占{s.percent_text}" for s in top)
        return f"（一）从投诉类别看。{names}占比较重，占回访不满意工单{self.top.percent_text}。其中{parts}。"

    def _by_street(self) -> str:
        s = self.streets
        head = (f"（二）从属地街镇看。{self.span}各街道（镇）共有不满意工单{s.total.count}件（含与区直部门联合办单），"
                f"占回访不满意工单{s.total.percent_text}。")
        parts = "；".join(f"{_short(g.label)}{_street_word(g.members)}（{'、'.join(g.members)}）有{g.count}件，占{g.percent_text}"
                         if g.members else f"{g.label}有{g.count}件，占{g.percent_text}" for g in s.groups)
        return head + (f"其中{parts}。" if parts else "")

    def _by_department(self) -> str:
        s = self.departments
        head = (f"（三）从归属部门看。{self.span}各区直部门共有不满意工单{s.total.count}件（含与街镇联合办单），"
                f"占回访不满意工单{s.total.percent_text}。")
        parts = "；".join(f"{_department(g.label)}有{g.count}件，占{g.percent_text}" for g in s.groups)
        return head + (f"其中{parts}。" if parts else "")


def _bare(label: str) -> str:
    return label[:-1] if label.endswith("类") else label


def _class(label: str) -> str:
    return _bare(label) + "类"


def _department(label: str) -> str:
    return label if label.endswith(("部门", "单位")) else label + "部门"


def _short(name: str) -> str:
    """"A组（城区核心街道）" → "A组": the text names the members itself."""
    return name.split("（")[0].split("(")[0].strip() or name


def _street_word(members) -> str:
    # The seed says "A组街道" when every member is a 街道, "C组街镇" when towns are among them.
    return "街道" if all(m.endswith("街道") for m in members) else "街镇"


def analyse(period: Period, area: str | None = None, top_n: int = 6, now=None) -> Analysis:
    """Count the period's unsatisfied tickets in the area by category class, street group and department group."""
    cov = coverage(area)
    scope = cov.scope
    totals = figures(period, scope, codes=["unsatisfied", "investigated", "responsible"], basis="ticket")
    n = totals["unsatisfied"].value or 0
    categories = _categories(period, scope, n)
    top = categories[:top_n]
    top_share = Share("top", "、".join(s.label for s in top), sum(s.count for s in top), n, TICKET_BASE)

    unit_rows = breakdown(period, "unit", scope, codes=["unsatisfied", "responsible"])
    unit_total = figures(period, scope, codes=["unsatisfied"], basis="unit")["unsatisfied"].value or 0
    streets, resp_territorial = _streets(unit_rows, unit_total, cov)
    departments, resp_departments = _departments(unit_rows, unit_total)
    other = unit_total - streets.total.count - departments.total.count
    other_share = Share("other", "其他单位（网格化中心及已停用单位）", other, unit_total, UNIT_BASE) if other else None
    return Analysis(
        period=period, area_code=cov.code, area_name=cov.name, computed_at=now or clock.now(),
        unsatisfied=n, investigated=totals["investigated"].value or 0, responsible=totals["responsible"].value or 0,
        responsible_departments=resp_departments, responsible_territorial=resp_territorial, unit_total=unit_total,
        categories=categories, top_n=len(top), top=top_share, streets=streets, departments=departments,
        other_units=other_share,
    )


def _categories(period, scope, n: int) -> list[Share]:
    """Category classes with unsatisfied tickets, most first (ties by code)."""
    rows = breakdown(period, "category_class", scope, codes=["unsatisfied"])
    shares = [Share(r.key, _class(r.label), r.figures["unsatisfied"].value or 0, n, TICKET_BASE) for r in rows]
    return sorted((s for s in shares if s.count), key=lambda s: (-s.count, s.key))


def _streets(unit_rows, base: int, cov) -> tuple[Section, int]:
    """Territorial units' attributions per street group of the street their area lies in."""
    area_of = dict(Unit.objects.filter(kind=Unit.Kind.TERRITORIAL).values_list("pk", "area_id"))
    by_street: dict[str, int] = {}
    total = responsible = 0
    for row in unit_rows:
        if row.extra.get("kind") != Unit.Kind.TERRITORIAL:
            continue
        count = row.figures["unsatisfied"].value or 0
        total += count
        responsible += row.figures["responsible"].value or 0
        street = (area_of.get(int(row.key)) or "")[:STREET_CODE_LENGTH]
        by_street[street] = by_street.get(street, 0) + count
    groups, grouped = [], set()
    for group in StreetGroup.objects.prefetch_related("streets").order_by("sort", "name"):
        # A street listed in two groups is counted in the first only, so the groups add up to the total.
        streets = sorted((s for s in group.streets.all() if s.code not in grouped), key=lambda s: s.code)
        inside = [s for s in streets if s.code.startswith(cov.code) or cov.area.level == 0]
        grouped.update(s.code for s in streets)
        count = sum(by_street.get(s.code, 0) for s in streets)
        if inside or count:
            groups.append(Share(group.name, group.name, count, base, UNIT_BASE, tuple(s.name for s in inside)))
    rest = sum(c for code, c in by_street.items() if code not in grouped)
    if rest:
        groups.append(Share("ungrouped", "未分组街镇", rest, base, UNIT_BASE))
    return Section(Share("streets", "各街道（镇）合计", total, base, UNIT_BASE), groups), responsible


def _departments(unit_rows, base: int) -> tuple[Section, int]:
    """Departments' attributions per department group (党群政务, 经济管理, 社会发展, 垂直管理)."""
    by_group: dict[str, int] = {}
    total = responsible = 0
    for row in unit_rows:
        if row.extra.get("kind") != Unit.Kind.DEPARTMENT:
            continue
        count = row.figures["unsatisfied"].value or 0
        total += count
        responsible += row.figures["responsible"].value or 0
        group = row.extra.get("group") or ""
        by_group[group] = by_group.get(group, 0) + count
    groups = [Share(value, label, by_group.get(value, 0), base, UNIT_BASE) for value, label in Unit.Group.choices]
    if by_group.get(""):
        groups.append(Share("ungrouped", "未分组部门", by_group[""], base, UNIT_BASE))
    return Section(Share("departments", "各区直部门合计", total, base, UNIT_BASE), groups), responsible
