"""Benchmark issue 4's figures on a PostgreSQL database filled by bench/bigdata.py.

    python bench/figures.py --db gridgov_bench_month --month 2026-05 [--write]
    python bench/figures.py --db gridgov_bench_year --year 2025 [--write]

Each query runs three times; the table shows the first (cold for this process) and the best.
With --write the results replace the matching subsection of docs/benchmarks.md.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "## Figures and assessment (issue 4)"


def _timed(fn, repeat=3):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times[0], min(times), result


def _machine() -> str:
    from bench.run import _machine as machine

    return machine()


def month_rows(month: str, direct: bool):
    from gridgov.assessment.runs import do_assess
    from gridgov.metrics.compute import breakdown, figures
    from gridgov.metrics.periods import Period
    from gridgov.tickets.models import Ticket

    period = Period.parse(month)
    start, end = period.bounds()
    n = Ticket.objects.filter(received_at__gte=start, received_at__lt=end).count()
    rows = [("tickets received in the month", f"{n:,}", "")]
    total = 0.0
    for label, fn in [("district figures (all 20 metrics)", lambda: figures(period))] + [
        (f"breakdown by {by}", lambda by=by: breakdown(period, by))
        for by in ("street", "street_group", "community", "category_class", "category", "channel", "unit", "unit_group")
    ]:
        first, best, _ = _timed(fn)
        total += first
        rows.append((label, f"{first * 1000:.0f} ms", f"{best * 1000:.0f} ms"))
    rows.append(("**the month's district breakdowns, all of the above**", f"**{total * 1000:.0f} ms**", ""))
    quarter = Period.quarter(period.start.year, (period.start.month - 1) // 3 + 1)
    assess_total = 0.0
    for code in ("grid3-quarterly", "grid4-quarterly"):
        first, best, run = _timed(lambda code=code: do_assess(None, code, quarter), repeat=2)
        assess_total += first
        rows.append((f"assessment run {code} {quarter.slug} ({run.results.count():,} grids)", f"{first * 1000:.0f} ms", f"{best * 1000:.0f} ms"))
    rows.append(("**assessment over all level-3 and level-4 grids**", f"**{assess_total * 1000:.0f} ms**", ""))
    if direct:
        first, _best, _ = _timed(lambda: breakdown(period, "street", fresh=True), repeat=1)
        rows.append(("for reference: breakdown by street counted from the tickets (no monthly counts)", f"{first * 1000:.0f} ms", ""))
    return rows


def year_rows(year: str):
    from gridgov.metrics.compute import crosstab, figures
    from gridgov.metrics.models import AreaMonthCount
    from gridgov.metrics.periods import Period
    from gridgov.tickets.models import Ticket

    period = Period.parse(year)
    rows = [("tickets in the database", f"{Ticket.objects.count():,}", ""),
            ("monthly count rows (community × category × channel)", f"{AreaMonthCount.objects.count():,}", "")]
    for label, fn in [
        ("yearly category × street cross table", lambda: crosstab(period, "street", "category", codes=["received", "unsatisfied", "satisfaction_rate"])),
        ("yearly category class × street cross table", lambda: crosstab(period, "street", "category_class", codes=["received", "unsatisfied", "satisfaction_rate"])),
        ("yearly district figures", lambda: figures(period)),
    ]:
        first, best, _ = _timed(fn)
        rows.append((label, f"{first * 1000:.0f} ms", f"{best * 1000:.0f} ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="PostgreSQL database filled by bench/bigdata.py")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--month", help="measure the month's breakdowns and the grid assessments, e.g. 2026-05")
    mode.add_argument("--year", help="measure the yearly cross tables, e.g. 2025")
    parser.add_argument("--direct", action="store_true", help="also time one breakdown counted straight from the tickets")
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    rows = month_rows(args.month, args.direct) if args.month else year_rows(args.year)
    title = f"### {'One month' if args.month else 'One year'}: `python bench/figures.py --db {args.db} {'--month ' + args.month if args.month else '--year ' + args.year}{' --direct' if args.direct else ''}`"
    table = "\n".join(["| measurement | first run | best of 3 |", "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])
    text = f"{title}\n\nMeasured {date.today()} on {_machine()}, PostgreSQL 15.\n\n{table}\n"
    print(text)
    if args.write:
        _write(title, text)


def _write(title: str, text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    doc = path.read_text(encoding="utf-8")
    if SECTION not in doc:
        doc = doc.rstrip() + f"\n\n{SECTION}\n\nFigures come from monthly pre-aggregated counts (`gridgov/metrics/cube.py`) kept in the same transaction as every ticket change; `tests/demo/test_simulation.py` and `tests/metrics` prove they equal a direct count. Data: `bench/bigdata.py`.\n"
    start = doc.find(title)
    if start >= 0:
        end = doc.find("\n### ", start + 1)
        end2 = doc.find("\n## ", start + 1)
        ends = [e for e in (end, end2) if e >= 0]
        doc = doc[:start] + text + (doc[min(ends) + 1:] if ends else "")
    else:
        end = doc.find("\n## ", doc.find(SECTION) + 1)
        doc = doc[:end + 1] + "\n" + text + doc[end + 1:] if end >= 0 else doc.rstrip() + "\n\n" + text
    path.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
