"""Benchmarks of the spine: demo build, routing, ticket lists. Run: python bench/run.py [--tickets N] [--postgres].

Prints a Markdown table and, with --write, replaces the matching section of docs/benchmarks.md.
Timings are wall-clock on whatever machine runs this; the machine is recorded with the figures.
"""

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def bench_demo_build(tickets: int, data_dir: Path) -> float:
    """Time `gridgov demo --no-serve` from an empty data directory."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gridgov", "demo", "--no-serve", "--reset", "--data-dir", str(data_dir),
                    "--tickets", str(tickets)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def bench_in_process(data_dir: Path) -> list[tuple[str, str]]:
    """Time routing and visible ticket lists on the built demo database."""
    os.environ["GRIDGOV_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from gridgov.accounts.models import User
    from gridgov.areas.models import Area
    from gridgov.tickets.access import visible_to
    from gridgov.tickets.routing_context import routing_inputs

    rows = []
    t = time.perf_counter()
    inputs = routing_inputs()
    rows.append(("Build routing index (all grids)", f"{(time.perf_counter() - t) * 1000:.0f} ms"))
    rng = random.Random(1)
    points = [(rng.uniform(112.80, 113.00), rng.uniform(28.08, 28.28)) for _ in range(100_000)]
    t = time.perf_counter()
    inputs.grid_index.locate_many(points)
    rows.append(("Locate 100,000 points (locate_many)", f"{100_000 / (time.perf_counter() - t):,.0f} points/s"))
    t = time.perf_counter()
    for lon, lat in points[:10_000]:
        inputs.grid_index.locate(lon, lat)
    rows.append(("Locate one point (locate)", f"{(time.perf_counter() - t) / 10_000 * 1e6:.0f} µs"))
    for username in ("dispatcher", "handler", "gridworker"):
        user = User.objects.get(username=username)
        samples = []
        for _ in range(5):
            user.__dict__.pop("_gridgov_grants", None)
            t = time.perf_counter()
            qs = visible_to(user)
            total = qs.count()
            list(qs.order_by("-received_at")[:50])
            samples.append(time.perf_counter() - t)
        rows.append((f"Visible list, first page + count, as {username} ({total:,} tickets)", f"{statistics.median(samples) * 1000:.0f} ms"))
    level4 = Area.objects.filter(level=4).count()
    rows.append(("Level-4 grids in the demo", f"{level4:,}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="gridgov-bench-"))
    try:
        build = bench_demo_build(args.tickets, data_dir)
        rows = [(f"`gridgov demo --no-serve` from empty, {args.tickets:,} tickets (SQLite)", f"{build:.1f} s")]
        rows += bench_in_process(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    table = "\n".join(["| measure | result |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows])
    section = (f"## Spine (issue 2)\n\nMeasured {date.today()} on {_machine()} with "
               f"`python bench/run.py --tickets {args.tickets} --write`.\n\n{table}\n")
    print(section)
    if args.write:
        path = ROOT / "docs" / "benchmarks.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\nFigures from `bench/`; never timed assertions in tests.\n\n"
        start = text.find("## Spine (issue 2)")
        if start >= 0:
            end = text.find("\n## ", start + 1)
            text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
