"""Build a report once and write it in the formats asked for: the entry point of the CLI and the download page."""

from pathlib import Path

from gridgov.areas.models import Area
from gridgov.core.errors import InvalidInput
from gridgov.metrics.periods import Period
from gridgov.reports import analysis, docx_writer, monthly, xlsx_writer

FORMATS = ("docx", "xlsx")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def parse_formats(text, allowed=FORMATS) -> list[str]:
    """'docx,xlsx' → ['docx', 'xlsx'], refusing anything not allowed."""
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else text) if f.strip()]
    bad = [f for f in items if f not in allowed]
    if bad or not items:
        raise InvalidInput(f"不支持的格式：{'、'.join(bad) or '（空）'}（可选：{'、'.join(allowed)}）")
    return list(dict.fromkeys(items))


def file_stem(kind: str, period: Period, area_code: str) -> str:
    """ASCII file names travel through shells, zip tools and HTTP headers unharmed."""
    return f"{kind}-{period.slug.replace('..', '_to_')}-{area_code}"


def monthly_files(month: str, area: str | None = None, out_dir=".", formats=FORMATS, now=None) -> list[Path]:
    """Write the monthly 通报 of YYYY-MM; returns the paths written."""
    report = monthly.build(monthly.parse_month(month), area, now=now)
    out = out_dir_at(out_dir)
    stem = file_stem("monthly", report.period, report.area_code)
    writers = {"docx": docx_writer.write_monthly, "xlsx": xlsx_writer.write_monthly}
    return [writers[f](report, out / f"{stem}.{f}") for f in parse_formats(formats)]


def analysis_files(period: str, area: str | None = None, out_dir=".", formats=FORMATS, now=None) -> list[Path]:
    """Write the unsatisfied-ticket analysis of any period; returns the paths written."""
    p = period if isinstance(period, Period) else Period.parse(period)
    a = analysis.analyse(p, area, now=now)
    out = out_dir_at(out_dir)
    stem = file_stem("analysis", p, a.area_code)
    district = Area.objects.filter(level=0).order_by("code").values_list("name", flat=True).first() or a.area_name
    writers = {"docx": lambda path: docx_writer.write_analysis(a, path, district),
               "xlsx": lambda path: xlsx_writer.write_analysis(a, path)}
    return [writers[f](out / f"{stem}.{f}") for f in parse_formats(formats)]


def out_dir_at(out_dir) -> Path:
    """The output directory, made if missing; a clear error when it cannot be."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InvalidInput(f"无法创建输出目录 {out}：{e.strerror}") from None
    return out
