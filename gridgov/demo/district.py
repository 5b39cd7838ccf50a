"""Master data of the demo district: areas, street groups, units, the responsibility list, channels and people."""

import random
from datetime import datetime, timezone
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from shapely.geometry import mapping

from gridgov.accounts.models import RoleGrant, User
from gridgov.areas.models import Area, StreetGroup
from gridgov.demo import geometry, reference
from gridgov.tickets.channels import install
from gridgov.tickets.models import Channel
from gridgov.units.models import Category, ResponsibilityRule, Unit

DEMO_PASSWORD = "gridgov2026"
RULES_FROM = datetime(2024, 12, 31, 16, 0, tzinfo=timezone.utc)  # 2025-01-01 00:00 Beijing time
# A responsibility-list change in the demo year, so versioning is visible: noise complaints get a shorter limit.
RULE_CHANGE = ("010502", datetime(2026, 6, 30, 16, 0, tzinfo=timezone.utc), 10)


def build_areas(rng: random.Random) -> list[Area]:
    """Create the area tree with nested, non-overlapping generated polygons and the street groups."""
    aliases = reference.STREET_ALIASES
    areas = [
        Area(code=a["code"], name=a["name"], level=a["level"], parent_id=a["parent_code"],
             kind=a["kind"] if a["kind"] in Area.Kind.values else "", boundary=mapping(a["polygon"]),
             aliases=list(aliases.get(a["code"], [])),
             population=rng.randint(3000, 15000) if a["level"] == 2 else None)
        for a in geometry.build_tree(rng)
    ]
    Area.objects.bulk_create(areas, batch_size=500)
    for sort, (name, codes) in enumerate(reference.STREET_GROUPS.items()):
        group = StreetGroup.objects.create(name=f"{name}组（{reference.STREET_GROUP_NAMES[name]}）", sort=sort)
        group.streets.set(codes)
    return areas


def build_units() -> dict[str, Unit]:
    """Create the centre, the departments and one territorial unit per street/town; keyed by unit code."""
    units = [Unit(code="center", name="区网格化综合服务中心", kind=Unit.Kind.CENTER)]
    units += [Unit(code=code, name=name, kind=Unit.Kind.DEPARTMENT, group=group) for code, name, group in reference.DEPARTMENTS]
    for code, name, _kind in reference.STREETS:
        office = "办事处" if name.endswith("街道") else "人民政府"
        units.append(Unit(code=f"street-{code}", name=f"{name}{office}", kind=Unit.Kind.TERRITORIAL, area_id=code))
    Unit.objects.bulk_create(units)
    return {u.code: u for u in Unit.objects.all()}


def build_categories(units: dict[str, Unit]) -> None:
    """Create the category tree and the responsibility list, with one later version of one row."""
    rules = []
    for cls in reference.CATEGORIES:
        top = Category.objects.create(code=cls["code"], name=cls["name"], level=1)
        for group in cls["children"]:
            mid = Category.objects.create(code=group["code"], name=group["name"], level=2, parent=top)
            for leaf in group["children"]:
                cat = Category.objects.create(code=leaf["code"], name=leaf["name"], level=3, parent=mid, public=leaf["public"],
                                              keywords=leaf["keywords"], weight=leaf["weight"])
                dept = units[leaf["department"]] if leaf["department"] else None
                rules.append(ResponsibilityRule(
                    category=cat, effective_from=RULES_FROM, handler=leaf["handler"], department=dept,
                    sign_limit=Decimal(leaf["sign_limit"][0]), sign_limit_unit=leaf["sign_limit"][1],
                    handle_limit=Decimal(leaf["handle_limit"][0]), handle_limit_unit=leaf["handle_limit"][1],
                    urgency=leaf["urgency"]))
    ResponsibilityRule.objects.bulk_create(rules)
    code, since, days = RULE_CHANGE
    old = ResponsibilityRule.objects.get(category__code=code)
    old.pk, old.effective_from, old.handle_limit, old.note = None, since, Decimal(days), "2026年7月起缩短办理时限"
    old._state.adding = True
    old.save()


def build_channels() -> None:
    """The standard intake channels (installed by migration; again here in case an admin deleted one)."""
    install(Channel)


def _user(username: str, name: str, password_hash: str, *, staff: bool = False) -> User:
    return User.objects.create(username=username, display_name=name, is_staff=staff, is_superuser=staff, password=password_hash)


def build_people(units: dict[str, Unit]) -> None:
    """Create one account per role (printed) and one handler account per unit (used by the simulation)."""
    district = Area.objects.get(level=0)
    street = Area.objects.get(code="430104010")  # 梅溪湖街道
    community = Area.objects.filter(parent=street).order_by("code").first()
    grid = Area.objects.filter(parent=community).order_by("code").first()
    street_unit, dept = units[f"street-{street.code}"], units["cgj"]
    plan = [
        ("admin", "系统管理员", "admin", {"area": district}),
        ("operator", "话务员 李敏", "hotline_operator", {"area": district}),
        ("dispatcher", "派单员 王强", "dispatcher", {"area": district}),
        ("handler", "街道经办人 刘洋", "unit_handler", {"unit": street_unit}),
        ("leader", "街道负责人 陈军", "unit_leader", {"unit": street_unit}),
        ("cgj", "城管局经办人 赵磊", "unit_handler", {"unit": dept}),
        ("gridleader", "网格长 周静", "grid_leader", {"area": community}),
        ("gridworker", "网格员 吴芳", "grid_worker", {"area": grid}),
        ("instructor", "网格指导员 郑涛", "grid_instructor", {"area": community}),
        ("investigator", "常调队员 孙丽", "investigator", {"area": district}),
        ("viewer", "区领导 黄伟", "leadership_viewer", {"area": district}),
        ("finance", "财务人员 钱芳", "finance_officer", {"area": district}),
    ]
    # Hashing is deliberately slow; every demo account shares one password, so hash it once.
    password_hash = make_password(DEMO_PASSWORD)
    for username, name, role, scope in plan:
        user = _user(username, name, password_hash, staff=role == "admin")
        RoleGrant.objects.create(user=user, role=role, **scope)
    grants = []
    for unit in units.values():
        if unit.kind == Unit.Kind.CENTER:
            continue
        user = _user(f"u-{unit.code}", f"{unit.name}经办人", password_hash)
        grants.append(RoleGrant(user=user, role="unit_handler", unit=unit))
    RoleGrant.objects.bulk_create(grants)


def build_master_data(seed: int) -> None:
    """Create everything but the tickets."""
    rng = random.Random(seed)
    build_areas(rng)
    units = build_units()
    build_categories(units)
    build_channels()
    build_people(units)
