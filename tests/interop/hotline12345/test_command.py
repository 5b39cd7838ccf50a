"""`gridgov hotline12345 setup|status|collect`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gridgov.accounts.models import RoleGrant, User
from gridgov.accounts.permissions import ROLES
from gridgov.interop.hotline12345.intake import INTAKE_ROLE
from gridgov.interop.hotline12345.models import CategoryMapping, OutboxMessage, SyncCursor
from gridgov.tickets.models import TimelineEvent
from tests.interop.hotline12345.conftest import order_json, post_order
from tests.interop.hotline12345.helpers import returned


def run(*args) -> str:
    out = StringIO()
    call_command("hotline12345", *args, stdout=out)
    return out.getvalue()


def test_setup_makes_a_working_intake_and_is_idempotent(client, world, h12345):
    handled = run("setup", "--fallback", world.cat_road.code)
    assert "hotline12345" in handled and "岳麓区" in handled
    run("setup", "--area", world.district.code, "--fallback", world.cat_road.code)
    user = User.objects.get(username="hotline12345")
    assert not user.has_usable_password()
    # The 系统接入 role of gridgov.accounts.permissions: it may register tickets and nothing else.
    assert INTAKE_ROLE == "intake_system" and ROLES[INTAKE_ROLE][1] == {"ticket.receive"}
    assert list(RoleGrant.objects.filter(user=user).values_list("role", "area_id")) == [(INTAKE_ROLE, world.district.code)]
    assert CategoryMapping.objects.get(city_code="*").category == world.cat_road
    resp = post_order(client, order_json("SZ1", categoryCode="UNKNOWN"))
    assert resp.status_code == 200 and resp.json()["created"] is True


def test_setup_starts_the_outbox_at_the_present(world, h12345):
    run("setup", "--fallback", world.cat_noise.code)
    CategoryMapping.objects.create(city_code="A0101", category=world.cat_noise)
    returned(world, "SZ-OLD")
    run("setup")
    assert SyncCursor.objects.get(name="collect").value == str(TimelineEvent.objects.latest("pk").pk)
    assert "新增回传消息 0 条" in run("collect")
    returned(world, "SZ-NEW")
    assert "新增回传消息 1 条" in run("collect")
    assert "待发送\t1" in run("status")


def test_setup_refuses_a_bad_fallback_or_area(world, h12345):
    with pytest.raises(CommandError, match="兜底分类"):
        run("setup", "--fallback", "01")  # not a leaf
    with pytest.raises(CommandError, match="--area"):
        run("setup", "--area", "999999")


def test_push_without_an_endpoint_says_what_is_missing(world, h12345):
    with pytest.raises(CommandError, match="GRIDGOV_12345_URL"):
        run("push", "--once")
    assert not OutboxMessage.objects.exists()


def test_push_refuses_a_lease_no_longer_than_the_send_timeout(world, h12345, settings):
    settings.GRIDGOV_12345_URL = "http://127.0.0.1:9/status"
    settings.GRIDGOV_12345_LEASE, settings.GRIDGOV_12345_TIMEOUT = "10", "10"
    with pytest.raises(CommandError, match="GRIDGOV_12345_LEASE.*必须大于.*GRIDGOV_12345_TIMEOUT"):
        run("push", "--once")
