"""Pull mode: orders fetched from a polling-only city since a remembered cursor, through the same intake."""

import pytest
from django.core.management import CommandError, call_command

from gridgov.interop.hotline12345.models import InboundOrder, RejectedOrder, SyncCursor
from gridgov.interop.hotline12345.pull import PullError, pull
from gridgov.tickets.models import Ticket
from tests.interop.hotline12345.conftest import order_json


@pytest.fixture
def polling_city(gateway, fake_city, settings):
    settings.GRIDGOV_12345_PULL_URL = fake_city.url.replace("/status", "/orders")
    return fake_city


def test_pull_takes_new_orders_once_and_remembers_where_it_stopped(polling_city):
    polling_city.pages = [
        [order_json("SZ1"), order_json("SZ2", categoryCode="B0201")],
        [order_json("SZ3"), order_json("SZ4", content=""), order_json("SZ1")],
    ]
    r = pull(limit=2)
    assert (r.fetched, r.created, r.duplicates, r.rejected, r.cursor) == (5, 3, 1, 1, "2")
    assert sorted(Ticket.objects.values_list("external_id", flat=True)) == ["SZ1", "SZ2", "SZ3"]
    assert set(InboundOrder.objects.values_list("source", flat=True)) == {"pull"}
    bad = RejectedOrder.objects.get()
    assert (bad.external_id, bad.code, bad.message) == ("SZ4", "invalid_order", "缺少必填字段 content")
    assert [q["since"] for q in polling_city.requests] == ["", "1"]
    assert polling_city.bad_signatures == 0

    # Nothing new: the next poll starts at the cursor and creates nothing.
    r = pull()
    assert (r.fetched, r.created) == (0, 0)
    assert polling_city.requests[-1]["since"] == "2"
    polling_city.pages.append([order_json("SZ5"), order_json("SZ3")])
    r = pull()
    assert (r.fetched, r.created, r.duplicates, r.cursor) == (2, 1, 1, "3")
    assert SyncCursor.objects.get(name="pull").value == "3"
    assert Ticket.objects.count() == 4


def test_pull_command_reports_and_fails_clearly(polling_city, settings):
    polling_city.pages = [[order_json("SZ1")]]
    call_command("hotline12345", "pull")
    assert Ticket.objects.filter(external_id="SZ1").exists()
    settings.GRIDGOV_12345_SECRET = "not-what-the-city-has"
    with pytest.raises(CommandError, match="市平台拉取失败"):
        call_command("hotline12345", "pull")
    settings.GRIDGOV_12345_PULL_URL = ""
    with pytest.raises(CommandError, match="GRIDGOV_12345_PULL_URL"):
        call_command("hotline12345", "pull")


def test_a_failed_poll_keeps_the_cursor(polling_city, settings):
    settings.GRIDGOV_12345_PULL_URL = "http://127.0.0.1:9/orders"
    with pytest.raises(PullError):
        pull()
    assert SyncCursor.objects.get(name="pull").value == ""


def test_a_pulled_order_with_a_nul_character_is_kept_as_rejected_without_it(polling_city):
    polling_city.pages = [[order_json("SZ\x00N", content="噪音\x00"), order_json("SZ-OK")]]
    r = pull()
    assert (r.fetched, r.created, r.rejected) == (2, 1, 1)
    bad = RejectedOrder.objects.get()
    assert (bad.external_id, bad.code) == ("SZN", "invalid_order") and "空字符" in bad.message
    assert bad.payload["content"] == "噪音"
