"""Report periods: Asia/Shanghai calendar days, weeks, months, quarters, years and ranges."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from gridgov.core.clock import LOCAL_TZ
from gridgov.core.errors import InvalidInput


@dataclass(frozen=True)
class Period:
    """An inclusive range of local dates with the name a report gives it."""

    start: date
    end: date
    kind: str  # day, week, month, quarter, year, range

    def __post_init__(self):
        if self.end < self.start:
            raise InvalidInput("统计期结束日期不能早于开始日期")
        if self.start.year < 2000 or self.end.year > 2099:
            raise InvalidInput("统计期须在 2000 年至 2099 年之间")

    @classmethod
    def day(cls, d: date) -> "Period":
        return cls(d, d, "day")

    @classmethod
    def week(cls, d: date) -> "Period":
        """The ISO week (Monday to Sunday) containing d."""
        monday = d - timedelta(days=d.weekday())
        return cls(monday, monday + timedelta(days=6), "week")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(date(year, month, 1), _month_after(date(year, month, 1)) - timedelta(days=1), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = date(year, 3 * quarter - 2, 1)
        return cls(first, _month_after(_month_after(_month_after(first))) - timedelta(days=1), "quarter")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def range(cls, start: date, end: date) -> "Period":
        return cls(start, end, "range")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Read 2026, 2026-Q2, 2026-05, 2026-W18, 2026-05-03 or 2026-05-01..2026-05-20."""
        text = (text or "").strip()
        try:
            if m := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text, re.I):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", text, re.I):
                return cls.week(date.fromisocalendar(int(m[1]), int(m[2]), 1))
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(int(m[1]), int(m[2]))
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return cls.day(date.fromisoformat(text))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
                return cls.range(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
        except (ValueError, OverflowError):
            pass
        raise InvalidInput(f"无法识别的统计期：{text!r}（示例：2026、2026-Q2、2026-05、2026-W18、2026-05-03、2026-05-01..2026-05-20）")

    @property
    def slug(self) -> str:
        """The text `parse` reads back into this period."""
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "week":
            iso = self.start.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """The period as a Chinese report names it."""
        s = self.start
        if self.kind == "year":
            return f"{s.year}年"
        if self.kind == "quarter":
            return f"{s.year}年第{'一二三四'[(s.month - 1) // 3]}季度"
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "day":
            return f"{s.year}年{s.month}月{s.day}日"
        return f"{s.year}年{s.month}月{s.day}日至{self.end.year}年{self.end.month}月{self.end.day}日"

    def bounds(self) -> tuple[datetime, datetime]:
        """The half-open [start, end) instants of the period (aware, Asia/Shanghai)."""
        return (datetime.combine(self.start, time.min, LOCAL_TZ),
                datetime.combine(self.end + timedelta(days=1), time.min, LOCAL_TZ))

    def months(self) -> list[date] | None:
        """First days of the whole months the period consists of, or None if it is not whole months."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return None
        out, m = [], self.start
        while m <= self.end:
            out.append(m)
            m = _month_after(m)
        return out

    def previous(self) -> "Period":
        """The period of the same kind just before this one (a range of equal length for ranges)."""
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        if self.kind in ("month", "quarter"):
            months = len(self.months())
            first = self.start
            for _ in range(months):
                first = (first - timedelta(days=1)).replace(day=1)
            return Period(first, self.start - timedelta(days=1), self.kind)
        length = self.end - self.start + timedelta(days=1)
        return Period(self.start - length, self.start - timedelta(days=1), self.kind)


def _month_after(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
