"""Shared fixtures: a small district world and named personas for every role."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from shapely.geometry import box, mapping

from tests import factories as f

# 2026-03-02 is a Monday, a working day, 10:00 Beijing time.
MONDAY_10AM = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


@dataclass
class World:
    """The district used by database tests: two streets, communities, grids, units, rules and personas."""

    district: object
    street_a: object
    street_b: object
    community_a1: object
    grid_a1: object
    grid_b1: object
    center: object
    unit_a: object
    unit_b: object
    dept_city: object
    dept_labour: object
    cat_noise: object
    cat_wages: object
    cat_road: object
    channel: object
    operator: object
    dispatcher: object
    handler_a: object
    handler_b: object
    handler_city: object
    handler_labour: object
    leader_a: object
    grid_worker: object
    investigator: object
    viewer: object
    admin: object
    finance: object
    outsider: object


def _area(code, name, level, parent, x0, y0, x1, y1, **kw):
    return f.AreaFactory(code=code, name=name, level=level, parent=parent, boundary=mapping(box(x0, y0, x1, y1)), **kw)


def build_world() -> World:
    """Create the test district in the database."""
    d = _area("430104", "岳麓区", 0, None, 0, 0, 4, 2)
    sa = _area("430104001", "望月湖街道", 1, d, 0, 0, 2, 2, kind="urban", aliases=["望月湖"])
    sb = _area("430104102", "莲花镇", 1, d, 2, 0, 4, 2, kind="rural")
    ca1 = _area("430104001001", "金茂社区", 2, sa, 0, 0, 1, 2, kind="urban")
    _area("430104001002", "桃花岭社区", 2, sa, 1, 0, 2, 2, kind="urban")
    cb1 = _area("430104102001", "桐木村", 2, sb, 2, 0, 4, 2, kind="rural")
    ga1 = _area("430104001001001", "金茂第1网格", 3, ca1, 0, 0, 1, 1)
    _area("430104001001002", "金茂第2网格", 3, ca1, 0, 1, 1, 2)
    gb1 = _area("430104102001001", "桐木第1网格", 3, cb1, 2, 0, 4, 2)
    center = f.UnitFactory(code="center", name="区网格化中心", kind="center")
    unit_a = f.UnitFactory(code="street-001", name="望月湖街道办事处", kind="territorial", area=sa)
    unit_b = f.UnitFactory(code="street-102", name="莲花镇人民政府", kind="territorial", area=sb)
    dept_city = f.UnitFactory(code="cgj", name="区城市管理和综合执法局", kind="department", group="经济管理")
    dept_labour = f.UnitFactory(code="rsj", name="区人力资源和社会保障局", kind="department", group="社会发展")
    root = f.CategoryFactory(code="01", name="城市管理", level=1)
    mid = f.CategoryFactory(code="0101", name="市容环境", level=2, parent=root)
    noise = f.CategoryFactory(code="010101", name="噪音扰民", level=3, parent=mid)
    road = f.CategoryFactory(code="010102", name="道路破损", level=3, parent=mid)
    labour = f.CategoryFactory(code="02", name="劳资纠纷", level=1)
    labour_mid = f.CategoryFactory(code="0201", name="工资", level=2, parent=labour)
    wages = f.CategoryFactory(code="020101", name="拖欠工资", level=3, parent=labour_mid)
    f.RuleFactory(category=noise, handler="territorial")
    f.RuleFactory(category=road, handler="both", department=dept_city)
    f.RuleFactory(category=wages, handler="department", department=dept_labour, handle_limit=15)
    channel = f.ChannelFactory(code="h12345", name="12345热线", prefix="RX")

    def person(username, role, **scope):
        user = f.UserFactory(username=username)
        f.GrantFactory(user=user, role=role, **scope)
        return user

    return World(
        district=d, street_a=sa, street_b=sb, community_a1=ca1, grid_a1=ga1, grid_b1=gb1,
        center=center, unit_a=unit_a, unit_b=unit_b, dept_city=dept_city, dept_labour=dept_labour,
        cat_noise=noise, cat_wages=wages, cat_road=road, channel=channel,
        operator=person("operator", "hotline_operator", area=d),
        dispatcher=person("dispatcher", "dispatcher", area=d),
        handler_a=person("handler_a", "unit_handler", unit=unit_a),
        handler_b=person("handler_b", "unit_handler", unit=unit_b),
        handler_city=person("handler_city", "unit_handler", unit=dept_city),
        handler_labour=person("handler_labour", "unit_handler", unit=dept_labour),
        leader_a=person("leader_a", "unit_leader", unit=unit_a),
        grid_worker=person("grid_worker", "grid_worker", area=ga1),
        investigator=person("investigator", "investigator", area=d),
        viewer=person("viewer", "leadership_viewer", area=d),
        admin=person("admin", "admin", area=d),
        finance=person("finance", "finance_officer", area=d),
        outsider=f.UserFactory(username="outsider"),
    )


class FakeClock:
    """The time every action and page sees, moved by the test."""

    def __init__(self, at):
        self.at = at

    def advance(self, **delta):
        self.at += timedelta(**delta)
        return self.at


def freeze_clock(monkeypatch, at=MONDAY_10AM) -> FakeClock:
    """Make gridgov.core.clock.now return a time the test controls."""
    from gridgov.core import clock

    fake = FakeClock(at)
    monkeypatch.setattr(clock, "now", lambda: fake.at)
    return fake


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash the personas' passwords cheaply: the default PBKDF2 makes building the world take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    """The test district with its personas."""
    return build_world()
