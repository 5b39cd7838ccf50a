"""An import killed with SIGKILL between batches, then resumed alongside an overlapping second run: every good row once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from tests.interop.imports.test_import import MAPPING, write_csv

ROOT = Path(__file__).resolve().parents[3]
# Runs the command in a child process; SLOW pauses after each committed batch so the test can kill it mid-import.
CHILD = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
import django
django.setup()
from gridgov.interop.imports import importer
pause = float(os.environ.get("SLOW", "0"))
if pause:
    commit = importer.Writer.commit
    def slow(self, *args, **kwargs):
        done = commit(self, *args, **kwargs)
        time.sleep(pause)
        return done
    importer.Writer.commit = slow
from django.core.management import call_command
call_command(*sys.argv[1:])
"""
ROWS, BATCH = 240, 20


def rows():
    """Good rows G0…, with a bad date every 7th row and a repeated id every 11th."""
    out, good, bad = [], set(), set()
    for i in range(ROWS):
        ext = f"G{i}" if i % 11 else f"G{i - 1}" if i else "G0"
        day = f"2026-01-{1 + i % 28:02d} 08:{i % 60:02d}:00" if i % 7 != 3 else "2026-01-32 08:00:00"
        lon, lat = (f"{0.1 + (i % 39) / 10:.2f}", f"{0.1 + (i % 19) / 10:.2f}") if i % 3 else ("", "")
        out.append((ext, day, "010101" if i % 2 else "010102", f"标题{i}", f"内容{i}", "莲花镇桐木村" if i % 5 == 0 else "",
                    lon, lat, "", "", "已办结", day.replace("08:", "18:")))
        if i % 7 != 3 and ext not in good:
            good.add(ext)
        else:
            bad.add(i + 2)  # spreadsheet row: the header is row 1
    return out, good, bad


class Database:
    """The committed test data seen from child processes: a SQLite file copied from the in-memory test DB, or PostgreSQL."""

    def __init__(self, tmp_path):
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.file = tmp_path / "import.sqlite3"
            with sqlite3.connect(self.file) as target:
                connection.ensure_connection()
                connection.connection.backup(target)
            self.url = f"sqlite:///{self.file}"
        else:
            self.file = None
            self.url = (f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}:"
                        f"{settings['PORT'] or 5432}/{settings['NAME']}")

    def one(self, sql):
        if self.file:
            with sqlite3.connect(self.file, timeout=20) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def start(self, *args, slow=0.0, command=("import", "tickets")):
        env = {**os.environ, "DATABASE_URL": self.url, "SLOW": str(slow)}
        return subprocess.Popen([sys.executable, "-c", CHILD, *command, *args], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.django_db(transaction=True)
def test_killed_import_resumes_and_overlapping_runs_import_each_row_once(tmp_path, world):
    data, good, bad = rows()
    path = write_csv(tmp_path / "history.csv", data)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps(MAPPING, ensure_ascii=False), encoding="utf-8")
    db = Database(tmp_path)
    args = [str(path), "--mapping", str(mapping), "--channel", "h12345", "--batch", str(BATCH), "--no-progress"]

    child = db.start(*args, slow=0.3)
    deadline = time.monotonic() + 20
    done = 0
    while time.monotonic() < deadline:
        found = db.one("SELECT rows_done FROM imports_importjob")
        done = found[0][0] if found else 0
        if done >= 2 * BATCH:
            break
        assert child.poll() is None, child.communicate()
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    (state, rows_done, imported), = db.one("SELECT state, rows_done, imported FROM imports_importjob")
    assert state == "running" and BATCH * 2 <= rows_done < ROWS and rows_done % BATCH == 0
    assert db.one("SELECT COUNT(*) FROM tickets_ticket WHERE external_id LIKE 'G%'")[0][0] == imported

    # Resume, and at the same time start a second, independent run of the same file: they overlap on every row.
    resumed = db.start(*args, "--resume")
    # --resume takes the latest unfinished job, so the other run starts once the killed job is claimed.
    (first,), = db.one("SELECT id FROM imports_importjob")
    assert resumed.stderr.readline().startswith(f"继续导入任务 {first}：从第")
    other = db.start(*args)
    out_resumed, out_other = resumed.communicate(timeout=60), other.communicate(timeout=60)
    assert resumed.returncode == 0, out_resumed
    assert other.returncode == 0, out_other

    ids = Counter(e for (e,) in db.one("SELECT external_id FROM tickets_ticket WHERE external_id LIKE 'G%'"))
    assert set(ids) == good and set(ids.values()) == {1}
    assert db.one("SELECT COUNT(*) FROM tickets_timelineevent WHERE verb = 'import'")[0][0] == len(good)
    jobs = db.one("SELECT id, state, rows_done, imported, skipped FROM imports_importjob ORDER BY id")
    assert [(s, n) for _, s, n, _, _ in jobs] == [("done", ROWS), ("done", ROWS)]
    assert sum(j[3] for j in jobs) == len(good)
    # The killed run never recounted; the runs after it did, for every month their job touched.
    check = db.start(command=("metrics", "check"))
    out, err = check.communicate(timeout=60)
    assert check.returncode == 0 and "一致" in out, out + err
    # The resumed job reports each bad row once, though its first batches were read twice.
    errors = db.one(f"SELECT row, COUNT(*) FROM imports_importrowerror WHERE job_id = {first} GROUP BY row, message")
    assert all(n == 1 for _, n in errors)
    assert {r for r, _ in errors} == bad

    # A third full run finds everything already there.
    again = db.start(*args)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert f"导入 0，已存在跳过 {len(good)}" in out
