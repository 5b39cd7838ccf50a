"""Bulk import of historical tickets: row errors, routing like do_receive, counts, idempotence, XLSX."""

import csv
import json
from datetime import datetime
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.core import clock
from gridgov.interop.imports.models import ImportJob, ImportRowError
from gridgov.metrics import cube
from gridgov.metrics.periods import Period
from gridgov.tickets.actions import do_receive
from gridgov.tickets.models import NumberSequence, Ticket, TimelineEvent
from gridgov.tickets.routing_context import suggest
from gridgov.units.responsibility import rule_in_force

HEADER = ["工单编号", "受理时间", "事项编码", "标题", "诉求内容", "地址", "经度", "纬度", "诉求人", "电话", "状态", "办结时间"]
# (external id, received, category, title, description, address, lon, lat, name, phone, state, closed)
ROWS = [
    ("E1", "2026-01-05 09:30:00", "010101", "楼下噪音", "夜间施工噪音", "", "0.5", "0.5", "张三", "13800138000", "已办结", "2026-01-06 10:00:00"),
    ("E2", "2026-01-06 23:30:00", "010102", "", "路面塌陷\n需修复", "望月湖街道桃花岭社区幸福路", "", "", "", "", "待派单", ""),
    ("E3", "2026/13/01 08:00", "010101", "坏日期", "日期不对", "", "", "", "", "", "已办结", "2026-01-06 10:00:00"),
    ("E4", "2026-01-07 08:00:00", "999999", "未知分类", "分类不存在", "", "", "", "", "", "已办结", "2026-01-08 10:00:00"),
    ("E5", "2026-01-07 08:00:00", "010101", "缺纬度", "只有经度", "", "1.5", "", "", "", "已办结", "2026-01-08 10:00:00"),
    ("E1", "2026-01-08 08:00:00", "010101", "重复", "与E1重复", "", "0.5", "0.5", "", "", "已办结", "2026-01-08 10:00:00"),
    ("EX", "2026-01-08 09:00:00", "020101", "已存在", "数据库中已有", "", "", "", "", "", "已办结", "2026-01-08 10:00:00"),
    ("E6", "2026-02-01 08:00:00", "020101", "欠薪", "拖欠工资三个月", "", "3", "1", "", "", "已办结", "2026-02-10 17:00:00"),
    ("E7", "2026-02-02 08:00:00", "010102", "坑洼", "道路坑洼", "莲花镇桐木村", "10", "10", "", "", "已办结", "2026-02-03 08:00:00"),
    ("E8", "2026-02-03 08:00:00", "010101", "不予受理", "非本平台事项", "", "1.5", "0.5", "", "", "不予受理", ""),
]
GOOD = {"E1", "E2", "E6", "E7", "E8"}
BAD_ROWS = {4: "受理时间", 5: "事项编码", 6: "纬度", 7: "工单编号"}  # spreadsheet row → reported column

MAPPING = {
    "source": {"format": "csv"},
    "timezone": "Asia/Shanghai",
    "fields": {
        "external_id": "工单编号",
        "received_at": {"column": "受理时间", "format": "%Y-%m-%d %H:%M:%S"},
        "category": {"column": "事项编码", "by": "code"},
        "title": "标题", "description": "诉求内容", "address": "地址", "lon": "经度", "lat": "纬度",
        "citizen_name": "诉求人", "citizen_phone": "电话",
        "state": {"column": "状态", "map": {"已办结": "closed", "待派单": "received", "不予受理": "rejected"}},
        "closed_at": {"column": "办结时间", "format": "%Y-%m-%d %H:%M:%S"},
    },
}


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def run_import(path, mapping_path, *args):
    out = StringIO()
    call_command("import", "tickets", str(path), "--mapping", str(mapping_path), "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def read_report(path):
    with open(path, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def files(tmp_path, world):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps(MAPPING, ensure_ascii=False), encoding="utf-8")
    # EX is already in the database, received through the normal action.
    do_receive(world.operator, channel="h12345", category="020101", title="已有", description="已有工单", external_id="EX")
    return write_csv(tmp_path / "tickets.csv", ROWS), mapping


def assert_routed_like_receive(ticket):
    """The imported ticket's location and suggestion equal what do_receive computes for the same inputs."""
    rule = rule_in_force(ticket.category, ticket.received_at)
    route = suggest(rule, lon=ticket.lon, lat=ticket.lat, address=ticket.address)
    assert ticket.rule_id == rule.pk
    assert (ticket.area_id, ticket.located_by, ticket.suggested_lead_id, ticket.suggested_support, ticket.routing_reason) == (
        route.area_code, route.located_by, route.lead_unit_id, list(route.support_unit_ids), route.reason[:300])


def test_csv_import_reports_bad_rows_and_imports_good_ones_once(files, world):
    path, mapping = files
    out = run_import(path, mapping, "--channel", "h12345", "--batch", "3")
    job = ImportJob.objects.get()
    assert (job.state, job.imported, job.skipped, job.failed, job.rows_done) == ("done", 5, 1, 4, 10)
    assert "导入 5，已存在跳过 1，错误 4 行" in out

    report = read_report(tmp := path.with_name("tickets.errors.csv"))
    assert {int(r["行号"]): r["列"] for r in report} == BAD_ROWS
    messages = {int(r["行号"]): r["错误"] for r in report}
    assert messages[4] == "受理时间格式不正确" and "不存在" in messages[5]
    assert messages[6] == "经度和纬度必须同时填写" and messages[7] == "外部编号在文件中重复（与第2行相同）"
    assert ImportRowError.objects.count() == 4 and tmp.exists()

    imported = Ticket.objects.filter(external_id__in=GOOD)
    assert sorted(imported.values_list("external_id", flat=True)) == sorted(GOOD)
    assert Ticket.objects.filter(external_id="EX").count() == 1
    for t in imported.select_related("category", "rule"):
        assert_routed_like_receive(t)
        assert t.number.startswith(f"RX{clock.local_date(t.received_at):%Y%m%d}")
        assert list(t.events.values_list("seq", "verb", "to_state")) == [(1, "import", t.state)]
    by_id = {t.external_id: t for t in imported}
    assert (by_id["E1"].area_id, by_id["E1"].located_by, by_id["E1"].suggested_lead_id) == ("430104001001001", "point", world.unit_a.pk)
    assert (by_id["E2"].area_id, by_id["E2"].located_by, by_id["E2"].state) == ("430104001002", "address", "received")
    assert by_id["E2"].title == "路面塌陷 需修复" and by_id["E2"].closed_at is None
    assert (by_id["E6"].area_id, by_id["E6"].suggested_lead_id) == ("430104102001001", world.dept_labour.pk)
    assert (by_id["E7"].located_by, by_id["E7"].area_id, by_id["E7"].suggested_support) == ("address", "430104102001", [world.unit_b.pk])
    assert by_id["E8"].state == "rejected" and by_id["E8"].closed_at == by_id["E8"].received_at
    assert by_id["E1"].citizen_phone == "13800138000" and by_id["E1"].received_at == datetime.fromisoformat("2026-01-05T01:30:00+00:00")
    # E2 was received at 23:30 Beijing time: numbered on its local day, 2026-01-06.
    assert by_id["E2"].number == "RX2026010600001"
    assert NumberSequence.objects.get(channel_id="h12345", day="2026-01-06").last == 1

    # The monthly counts equal a recount from the tickets.
    for month in (1, 2, 3):
        assert cube.differences(Period.month(2026, month)) == []

    # A second run imports nothing new: every good row is skipped as existing.
    out = run_import(path, mapping, "--channel", "h12345")
    assert "导入 0，已存在跳过 6，错误 4 行" in out
    assert Ticket.objects.filter(external_id__in=GOOD).count() == 5
    assert TimelineEvent.objects.filter(verb="import").count() == 5


def test_mapping_problems_stop_before_anything_is_written(files, tmp_path):
    path, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"fields": {**MAPPING["fields"], "title": "不存在的列"}}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="不存在的列"):
        run_import(path, bad, "--channel", "h12345")
    with pytest.raises(CommandError, match="渠道"):
        run_import(path, files[1])  # no channel in the mapping and no --channel
    assert not ImportJob.objects.exists()


def test_xlsx_with_names_value_maps_and_native_cells(tmp_path, world):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工单"
    ws.append(["说明：某区 12345 导出"])
    ws.append(["编号", "来源", "时间", "类别", "内容", "X", "Y", "电话", "结案"])
    ws.append(["X1", "市热线", datetime(2026, 1, 10, 8, 0), "噪音", "广场舞噪音", 0.5, 1.5, 13900139000, datetime(2026, 1, 11, 9, 0)])
    ws.append(["X2", "市热线", "not a date", "噪音扰民", "坏日期", None, None, None, None])
    ws.append(["X3", "市热线", datetime(2026, 1, 12, 8, 0), "不存在的类", "未知类别", None, None, None, None])
    ws.append(["X4", "未知渠道", datetime(2026, 1, 12, 8, 0), "拖欠工资", "未知渠道", None, None, None, None])
    ws.append(["X5", "市热线", datetime(2026, 1, 13, 8, 0), "拖欠工资", "结案早于受理", None, None, None, datetime(2026, 1, 1)])
    ws.append(["X6", "市热线", datetime(2026, 1, 14, 8, 0), "道路破损", "无坐标无地址", None, None, None, datetime(2026, 1, 15)])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({
        "source": {"sheet": "工单", "header_row": 2},
        "fields": {
            "external_id": "编号", "channel": {"column": "来源", "map": {"市热线": "h12345"}},
            "received_at": "时间", "closed_at": "结案",
            "category": {"column": "类别", "by": "name", "map": {"噪音": "噪音扰民"}},
            "description": "内容", "lon": "X", "lat": "Y", "citizen_phone": "电话",
        },
    }, ensure_ascii=False), encoding="utf-8")
    run_import(path, mapping, "--errors", str(tmp_path / "errors.csv"))
    report = read_report(tmp_path / "errors.csv")
    assert [(int(r["行号"]), r["列"]) for r in report] == [(4, "时间"), (5, "类别"), (6, "来源"), (7, "结案")]
    assert report[2]["错误"] == "渠道“未知渠道”不存在"
    x1, x6 = Ticket.objects.get(external_id="X1"), Ticket.objects.get(external_id="X6")
    assert (x1.state, x1.citizen_phone, x1.area_id, x1.title) == ("closed", "13900139000", "430104001001002", "广场舞噪音")
    assert_routed_like_receive(x1)
    assert (x6.located_by, x6.area_id, x6.suggested_lead_id) == ("none", None, world.dept_city.pk)
    assert_routed_like_receive(x6)
    assert cube.differences(Period.month(2026, 1)) == []


def test_counts_are_recounted_once_per_run_for_every_month_the_job_touched(files, monkeypatch):
    """The cubes are recounted at the end of a run; a run that dies before that leaves them to the next run."""
    from gridgov.interop.imports import importer

    path, mapping = files
    recount = importer.Writer.recount

    def dies(self, *args):
        raise RuntimeError("killed before the recount")

    monkeypatch.setattr(importer.Writer, "recount", dies)
    with pytest.raises(RuntimeError, match="killed before the recount"):
        run_import(path, mapping, "--channel", "h12345", "--batch", "3")
    job = ImportJob.objects.get()
    # Every batch committed its tickets and its months, but nobody recounted January and February yet.
    assert (job.state, job.rows_done, job.imported, job.months) == ("failed", 10, 5, ["2026-01-01", "2026-02-01"])
    assert cube.differences(Period.month(2026, 1)) != [] and cube.differences(Period.month(2026, 2)) != []

    # Resuming finds no row left to read, but still recounts the months of the job's earlier batches.
    monkeypatch.setattr(importer.Writer, "recount", recount)
    run_import(path, mapping, "--channel", "h12345", "--resume")
    assert ImportJob.objects.get().state == "done"
    for month in (1, 2, 3):
        assert cube.differences(Period.month(2026, month)) == []


def test_a_new_run_over_rows_a_dead_run_wrote_recounts_their_months(files, monkeypatch):
    """Rows skipped as already imported still mark their month: a fresh run repairs what a killed run left."""
    from gridgov.interop.imports import importer

    path, mapping = files
    monkeypatch.setattr(importer.Writer, "recount", lambda self, *args: [])  # the first run dies before recounting
    run_import(path, mapping, "--channel", "h12345", "--batch", "4")
    assert cube.differences(Period.month(2026, 2)) != []
    monkeypatch.undo()
    out = run_import(path, mapping, "--channel", "h12345")
    assert "导入 0，已存在跳过 6，错误 4 行" in out
    assert ImportJob.objects.order_by("id").last().months == ["2026-01-01", "2026-02-01"]
    for month in (1, 2, 3):
        assert cube.differences(Period.month(2026, month)) == []
