"""Bulk import benchmark: N synthetic historical tickets from a CSV into PostgreSQL, geolocation and routing included.

    python bench/imports.py --db gridgov_bench_import --rows 1000000 [--batch 20000] [--write]

Creates the database if missing (`--reset` drops it first), migrates it and builds the demo
district's master data (岳麓区: 19 streets, ~175 communities, ~780 level-3 and ~3,000 level-4
grids with polygons, the responsibility list, 11 channels). Then it writes a CSV of N rows of
one year of 12345 history — 85% with a point inside the district (uniform over its outline,
so every level of the tree is hit), 10% with only an address naming a community, 5% with
neither; 90% closed with a closing time, 2% rejected, the rest still open; about 0.5% bad rows
(bad dates, unknown categories, a longitude without latitude) — and imports it with
`gridgov.interop.imports.importer.run`, the code behind `gridgov import tickets`.

The figure is imported tickets per second of the import's wall time, which includes: hashing
the file, loading the routing index and the responsibility list, reading and validating every
row, point-in-grid for every point (STRtree, vectorised), the gazetteer for address-only rows,
the responsibility rule per row, the existing-id lookup, numbering, writing the tickets and
their timeline events (COPY) with the job row and the row errors per batch, and the recount of
the monthly counts of every month the import touched, done before `run` returns. Not included:
generating the CSV, Python start-up and Django set-up. Each run uses fresh external ids, so the
tickets of earlier runs stay in the table (it grows from run to run, as in life, and so does the
recount: it counts every ticket of the touched months, not only the imported ones).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import re
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

SERVER = "postgres://postgres@127.0.0.1:5432"
HEADER = ["工单编号", "受理时间", "事项编码", "标题", "诉求内容", "事发地址", "经度", "纬度", "诉求人", "联系电话", "办理状态", "办结时间"]
MAPPING = {
    "source": {"format": "csv"},
    "timezone": "Asia/Shanghai",
    "fields": {
        "external_id": "工单编号",
        "received_at": {"column": "受理时间", "format": "%Y-%m-%d %H:%M:%S"},
        "category": {"column": "事项编码", "by": "code"},
        "title": "标题", "description": "诉求内容", "address": "事发地址", "lon": "经度", "lat": "纬度",
        "citizen_name": "诉求人", "citizen_phone": "联系电话",
        "state": {"column": "办理状态", "map": {"已办结": "closed", "不予受理": "rejected", "待派单": "received"}},
        "closed_at": {"column": "办结时间", "format": "%Y-%m-%d %H:%M:%S"},
    },
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
ROADS = ("麓山南路", "桐梓坡路", "枫林一路", "金星中路", "岳麓大道", "望岳路", "银盆南路", "潇湘中路")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def create_database(name: str, reset: bool) -> None:
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name == "test":
        raise SystemExit("database name: lower-case letters, digits and _ only (and not 'test')")
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def generate(path: Path, n: int, run_id: str, seed: int, year: int) -> int:
    """Write the synthetic CSV; returns the number of rows meant to be bad."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    from gridgov.areas.models import Area
    from gridgov.units.models import Category, ResponsibilityRule

    rng = np.random.default_rng(seed)
    district = shape(Area.objects.get(level=0).boundary)
    # Points uniform over the district outline: draw in its bounding box, keep those inside.
    x0, y0, x1, y1 = district.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        x, y = rng.uniform(x0, x1, 2 * n), rng.uniform(y0, y1, 2 * n)
        inside = shapely.contains_xy(district, x, y)
        xs, ys = np.concatenate([xs, x[inside]]), np.concatenate([ys, y[inside]])
    communities = list(Area.objects.filter(level=2).select_related("parent").values_list("parent__name", "name"))
    ruled = set(ResponsibilityRule.objects.values_list("category_id", flat=True))
    leaves = [c for c in Category.objects.filter(active=True, children__isnull=True) if c.pk in ruled or c.parent_id in ruled]
    codes = [c.code for c in leaves]
    names = {c.code: c.name for c in leaves}
    start = datetime(year, 1, 1)
    seconds = rng.integers(0, 365 * 86400, n)
    durations = rng.integers(3600, 12 * 86400, n)
    kind = rng.random(n)
    state = rng.random(n)
    cat_idx = rng.integers(0, len(codes), n)
    comm_idx = rng.integers(0, len(communities), n)
    py = random.Random(seed)
    bad = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            received = start + timedelta(seconds=int(seconds[i]))
            code = codes[cat_idx[i]]
            street, community = communities[comm_idx[i]]
            lon = lat = address = ""
            k = kind[i]
            if k < 0.85:
                lon, lat = f"{xs[i]:.6f}", f"{ys[i]:.6f}"
                address = f"{py.choice(ROADS)}{py.randint(1, 999)}号"
            elif k < 0.95:
                address = f"{street}{community}{py.choice(ROADS)}{py.randint(1, 999)}号"
            s = state[i]
            status, closed = ("已办结", received + timedelta(seconds=int(durations[i]))) if s < 0.90 else \
                ("不予受理", received + timedelta(hours=2)) if s < 0.92 else ("待派单", None)
            received_text = received.strftime("%Y-%m-%d %H:%M:%S")
            r = i % 200
            if r == 17:
                received_text, bad = received_text.replace("-", "/"), bad + 1
            elif r == 91:
                code, bad = "999999", bad + 1
            elif r == 133 and lon:
                lat, bad = "", bad + 1
            w.writerow([f"{run_id}-{i:08d}", received_text, code, f"{names.get(code, '其他')}问题反映",
                        f"市民反映{address or '辖区内'}存在{names.get(code, '其他')}问题，请尽快处理。", address, lon, lat,
                        f"{SURNAMES[i % len(SURNAMES)]}先生", f"13{i % 1_000_000_000:09d}", status,
                        closed.strftime("%Y-%m-%d %H:%M:%S") if closed else ""])
    return bad


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--db", default="gridgov_bench_import", help="PostgreSQL database on 127.0.0.1:5432 (created if missing)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--keep-file", action="store_true", help="keep the generated CSV")
    parser.add_argument("--write", action="store_true", help="replace the bulk import section of docs/benchmarks.md")
    args = parser.parse_args(argv)

    create_database(args.db, args.reset)
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from gridgov.areas.models import Area
    from gridgov.demo.district import build_master_data
    from gridgov.interop.imports import importer, mapping
    from gridgov.tickets.models import Ticket

    call_command("migrate", verbosity=0, interactive=False)
    if not Area.objects.exists():
        with transaction.atomic():
            build_master_data(args.seed)
    print(f"master data: {Area.objects.filter(level=4).count():,} level-4 grids; {Ticket.objects.count():,} tickets before")
    run_id = f"B{int(time.time())}"
    path = ROOT / "var" / f"bench-import-{run_id}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    bad = generate(path, args.rows, run_id, args.seed, args.year)
    print(f"generated {args.rows:,} rows ({bad:,} bad, {path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
    spec = mapping.parse(MAPPING, channel="hotline12345" if "hotline12345" in _channels() else _channels()[0])
    connection.close()
    result = importer.run(path, spec, batch=args.batch)
    rate = result.imported / result.seconds
    print(f"imported {result.imported:,}, skipped {result.skipped:,}, bad rows {result.failed:,} "
          f"in {result.seconds:.1f} s: {rate:,.0f} tickets/s ({result.rows / result.seconds:,.0f} rows/s)")
    with connection.cursor() as cur:
        cur.execute("SELECT located_by, COUNT(*) FROM tickets_ticket WHERE external_id LIKE %s GROUP BY 1 ORDER BY 1", [f"{run_id}-%"])
        located = dict(cur.fetchall())
    print(f"located by: {located}; tickets now {Ticket.objects.count():,}")
    if not args.keep_file:
        path.unlink()
    if args.write:
        write_docs(args, result, rate, located)


def _channels() -> list[str]:
    from gridgov.tickets.models import Channel

    return list(Channel.objects.order_by("sort", "code").values_list("code", flat=True))


def write_docs(args, result, rate, located) -> None:
    """Replace (or append) the bulk import section of docs/benchmarks.md."""
    docs = ROOT / "docs" / "benchmarks.md"
    title = "## Bulk import of historical tickets (issue 6)"
    share = {k: f"{v / result.imported:.0%}" for k, v in located.items()}
    from gridgov.tickets.models import Ticket

    tickets_now = Ticket.objects.count()
    body = f"""{title}

Measured {datetime.now():%Y-%m-%d} on {machine()}, PostgreSQL 15 on the same machine, with
`python bench/imports.py --db {args.db} --rows {args.rows} --batch {args.batch} --write`.

| measure | result |
|---|---|
| rows in the CSV (one year, demo district 岳麓区, ~0.5% bad rows) | {result.rows:,} |
| tickets imported / bad rows reported | {result.imported:,} / {result.failed:,} |
| located by point / address / not located | {share.get('point', '0%')} / {share.get('address', '0%')} / {share.get('none', '0%')} |
| import wall time (`importer.run`, everything below included) | {result.seconds:.1f} s |
| **tickets per second into PostgreSQL, geolocation and routing included** | **{rate:,.0f}** |

Included in the time: hashing the file, loading the routing index and the responsibility list, reading and
validating every row, point-in-grid (vectorised STRtree), the gazetteer for address-only rows, the rule in
force per row, the existing-id lookup, numbering in blocks, COPY of the tickets and their timeline events with
the row errors and the job row (each batch one transaction), and the recount of the monthly counts of every
touched month ({result.job.months[0][:7] if result.job.months else '-'} … {result.job.months[-1][:7] if result.job.months else '-'}, {len(result.job.months)} months, {tickets_now:,} tickets in the table afterwards)
before `run` returns. Not included: generating the CSV, Python start-up and Django set-up. See the
section's notes below for what bounds the figure.
"""
    text = docs.read_text(encoding="utf-8")
    if title in text:
        start = text.index(title)
        end = text.find("\n## ", start + len(title))
        notes = ""
        old = text[start:end if end != -1 else len(text)]
        if "\n### " in old:
            notes = old[old.index("\n### "):]
        text = text[:start] + body + notes.rstrip("\n") + "\n" + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    docs.write_text(text, encoding="utf-8")
    print(f"wrote {docs}")


if __name__ == "__main__":
    main()
