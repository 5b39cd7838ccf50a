"""`gridgov demo` end to end: builds a district into a fresh data directory once, then reuses it."""

import os
import sqlite3
import subprocess
import sys


STORY_TICKETS = 1  # besides the simulated year: the urgent ticket whose lapse the deadline scan shows


def _demo(data_dir, *extra):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the demo is the embedded-database path
    return subprocess.run([sys.executable, "-m", "gridgov", "demo", "--no-serve", "--data-dir", str(data_dir), *extra],
                          capture_output=True, text=True, env=env, timeout=300, check=True).stdout


def _count(db, table):
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def test_demo_builds_once_then_reuses_and_resets(tmp_path):
    out = _demo(tmp_path, "--tickets", "300")
    db = tmp_path / "gridgov.sqlite3"
    assert "构建完成" in out and "http://127.0.0.1:8000/" in out and "dispatcher" in out
    assert _count(db, "tickets_ticket") == 300 + STORY_TICKETS
    assert _count(db, "areas_area") > 3000
    assert _count(db, "units_category") >= 60 + 8
    assert _count(db, "selfeval_evaluation") == 3  # the centre's year-end self-evaluation and its two projects
    assert _count(db, "selfeval_actualchange") > 0  # bound indicators took the platform's figures
    assert _count(db, "whistles_whistle") > 0 and _count(db, "open311_client") == 1
    assert "gridgov-demo-open311" in out  # the demo's Open311 key, to try /open311/v2 with
    with sqlite3.connect(db) as conn:  # the lapsed urgent ticket: warned, urged, escalated, and the handler told
        verbs = [v for (v,) in conn.execute("select e.verb from tickets_timelineevent e join tickets_ticket t on t.id = e.ticket_id "
                                            "where t.title like '小区地下车库进水%' order by e.seq")]
        kinds = {k for (k,) in conn.execute("select n.kind from notifications_notification n join accounts_user u on u.id = n.user_id "
                                            "where u.username = 'handler'")}
    assert {"warn", "overdue", "urge", "escalate"} <= set(verbs)
    assert verbs.count("urge") == 2 and verbs.count("escalate") == 2  # the automatic and the hand urge; leader, centre
    assert verbs.index("warn") < verbs.index("overdue") < verbs.index("urge") < verbs.index("escalate")
    assert {"warning", "overdue", "urged", "escalated"} <= kinds
    events = _count(db, "tickets_timelineevent")

    again = _demo(tmp_path, "--tickets", "999", "--port", "8123")
    assert "复用已有演示数据" in again and "http://127.0.0.1:8123/" in again
    assert _count(db, "tickets_ticket") == 300 + STORY_TICKETS and _count(db, "tickets_timelineevent") == events

    _demo(tmp_path, "--tickets", "120", "--reset")
    assert _count(db, "tickets_ticket") == 120 + STORY_TICKETS
