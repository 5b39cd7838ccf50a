"""A database a subprocess (a worker, a server) can open during a test: PostgreSQL's test database or a SQLite file copy."""

import sqlite3
from pathlib import Path
from urllib.parse import quote

from django.db import connection


class WorkerDatabase:
    """The database a worker subprocess can open: the PostgreSQL test database, or a file copy of SQLite's in-memory one."""

    def __init__(self, tmp_path: Path):
        s = connection.settings_dict
        if connection.vendor == "sqlite":
            # The test database lives in this process's memory; a worker in another process needs a file.
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            self.path = None

    def query(self, sql: str) -> list[tuple]:
        """Run a read-only query on what is committed right now."""
        if self.path:
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
