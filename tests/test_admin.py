"""The Django admin maintains master data in Chinese, and refuses to rewrite a used responsibility-list version."""

import pytest

from gridgov.tickets import actions
from tests.conftest import MONDAY_10AM

PAGES = ["areas/area", "areas/streetgroup", "units/unit", "units/category", "units/responsibilityrule",
         "accounts/user", "accounts/rolegrant", "tickets/channel", "core/holiday", "audit/auditlog"]


@pytest.fixture
def staff_client(client, world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_master_data_pages_render_in_chinese(staff_client, page):
    list_page = staff_client.get(f"/admin/{page}/")
    assert list_page.status_code == 200
    assert "选择" in list_page.content.decode()  # Django's zh-hans "Select … to change"
    if page != "audit/auditlog":
        assert staff_client.get(f"/admin/{page}/add/").status_code == 200


def test_used_rule_version_is_read_only(staff_client, world):
    rule = world.cat_noise.rules.get()
    page = staff_client.get(f"/admin/units/responsibilityrule/{rule.pk}/change/").content.decode()
    assert 'name="handle_limit"' in page
    actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音", description="夜间噪音",
                       lon=0.5, lat=0.5, now=MONDAY_10AM)
    page = staff_client.get(f"/admin/units/responsibilityrule/{rule.pk}/change/").content.decode()
    assert 'name="handle_limit"' not in page
