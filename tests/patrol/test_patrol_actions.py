"""do_record_visit without the web layer: scope by grant prefix, input checks, audit, and household masking."""

from datetime import timedelta

import pytest

from gridgov.audit.models import AuditLog
from gridgov.core.errors import Forbidden, InvalidInput
from gridgov.patrol.actions import do_record_visit
from gridgov.patrol.models import Visit
from gridgov.patrol.queries import can_view_household, household_for, visible_visits
from tests import factories as f
from tests.conftest import MONDAY_10AM


def visit(actor, area_code, **kw):
    data = {"address": "金茂小区3栋2单元501", "household": "张三丰", "people_count": 3, "situation": "normal"}
    data.update(kw)
    return do_record_visit(actor, area_code=area_code, **data)


def person(username, role, area):
    user = f.UserFactory(username=username)
    f.GrantFactory(user=user, role=role, area=area)
    return user


@pytest.fixture
def micro_grid(world):
    """A level-4 grid inside the grid worker's level-3 grid."""
    return f.AreaFactory(code=world.grid_a1.code + "001", name="金茂1栋", level=4, parent=world.grid_a1)


def test_a_grid_worker_records_a_visit_in_their_grid_and_it_is_audited(world):
    v = visit(world.grid_worker, world.grid_a1.code, situation="hardship", note="独居老人，需帮扶", lon=0.5, lat=0.5)
    v.refresh_from_db()
    assert (v.worker, v.area, v.situation, v.people_count, v.lon, v.lat) == (world.grid_worker, world.grid_a1, "hardship", 3, 0.5, 0.5)
    assert v.visited_at == MONDAY_10AM and v.created_at == MONDAY_10AM
    entry = AuditLog.objects.get(action="visit.record")
    assert entry.actor == world.grid_worker and entry.object_id == str(v.pk)
    assert "张三丰" not in str(entry.detail)  # the audit trail names the visit, not the person


def test_a_micro_grid_inside_the_grant_is_in_scope(world, micro_grid):
    assert visit(world.grid_worker, micro_grid.code).area == micro_grid


@pytest.mark.parametrize("role", ["grid_leader", "admin"])
def test_leaders_and_admins_record_within_their_wider_scope(world, role):
    user = person(f"wide_{role}", role, world.community_a1 if role == "grid_leader" else world.district)
    assert visit(user, world.grid_a1.code).worker == user


def test_outside_the_grant_is_forbidden_whether_the_area_exists_or_not(world):
    sibling = world.grid_a1.code[:-1] + "2"
    for code in [sibling, world.grid_b1.code, world.community_a1.code, "430104001001999", "", "abc"]:
        with pytest.raises(Forbidden):
            visit(world.grid_worker, code)
    assert not Visit.objects.exists()


def test_a_missing_area_inside_the_scope_is_invalid_input(world):
    with pytest.raises(InvalidInput, match="网格不存在"):
        visit(world.grid_worker, world.grid_a1.code + "999")


@pytest.mark.parametrize("persona", ["viewer", "dispatcher", "operator", "investigator", "handler_a", "outsider"])
def test_roles_that_do_not_walk_the_grid_are_forbidden(world, persona):
    with pytest.raises(Forbidden):
        visit(getattr(world, persona), world.grid_a1.code)


def test_an_instructor_is_not_a_visitor(world):
    instructor = person("instructor", "grid_instructor", world.community_a1)
    with pytest.raises(Forbidden):
        visit(instructor, world.grid_a1.code)


def test_an_inactive_worker_is_forbidden(world):
    world.grid_worker.is_active = False
    world.grid_worker.save()
    with pytest.raises(Forbidden):
        visit(world.grid_worker, world.grid_a1.code)


@pytest.mark.parametrize("changes, message", [
    ({"situation": "party"}, "走访情况"),
    ({"household": "  "}, "户主/住户"),
    ({"address": ""}, "走访地址"),
    ({"household": "张" * 51}, "不能超过"),
    ({"people_count": -1}, "在户人数"),
    ({"people_count": "三"}, "整数"),
    ({"lon": 112.9}, "同时填写"),
    ({"lon": 200, "lat": 28}, "超出范围"),
    ({"visited_at": MONDAY_10AM + timedelta(hours=1)}, "不能晚于当前时间"),
    ({"visited_at": MONDAY_10AM.replace(tzinfo=None)}, "时区"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, changes, message):
    with pytest.raises(InvalidInput, match=message):
        visit(world.grid_worker, world.grid_a1.code, **changes)
    assert not Visit.objects.exists() and not AuditLog.objects.filter(action="visit.record").exists()


def test_a_visit_is_recorded_on_a_grid_not_on_a_street(world):
    admin = world.admin
    with pytest.raises(InvalidInput, match="社区/村"):
        visit(admin, world.street_a.code)


def test_a_visit_earlier_today_is_accepted(world, fake_clock):
    earlier = MONDAY_10AM - timedelta(hours=2)
    assert visit(world.grid_worker, world.grid_a1.code, visited_at=earlier).visited_at == earlier


def test_household_is_masked_for_roles_without_pii_view(world):
    v = visit(world.grid_worker, world.grid_a1.code)
    other_worker = person("worker2", "grid_worker", world.grid_a1)
    assert household_for(world.grid_worker, v) == "张三丰"  # the recorder sees what they wrote
    assert household_for(world.dispatcher, v) == "张三丰"  # pii.view over the district
    assert household_for(world.viewer, v) == "张**"
    assert household_for(other_worker, v) == "张**"
    assert not can_view_household(world.outsider, v)


def test_visible_visits_follow_the_area_scope(world):
    v = visit(world.grid_worker, world.grid_a1.code)
    b_worker = person("worker_b", "grid_worker", world.grid_b1)
    visit(b_worker, world.grid_b1.code, household="李四")
    assert list(visible_visits(world.grid_worker)) == [v]
    assert visible_visits(world.viewer).count() == 2
    assert not visible_visits(world.handler_a).exists()  # unit roles have no area scope
    assert not visible_visits(world.outsider).exists()
