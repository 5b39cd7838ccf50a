"""A year of unsatisfied tickets with seed 000's counts (岳麓区 2021), built with bulk_create."""

import random
from datetime import datetime, timedelta, timezone

from django.db import connection

from gridgov.areas.models import Area, StreetGroup
from gridgov.callbacks.models import Callback
from gridgov.tickets.models import Assignment, Ticket
from tests import factories as f

CATEGORY_CLASSES = [  # (code, name, unsatisfied tickets)
    ("11", "消费维权", 3537), ("12", "城市管理", 2275), ("13", "物业管理", 2023), ("14", "教育培训", 775),
    ("15", "道路交通", 605), ("16", "劳资纠纷", 436),
    # The remaining 2,865 over classes each smaller than 劳资纠纷, so the six above are the top six.
    ("21", "医疗卫生", 435), ("22", "环境保护", 435), ("23", "住房保障", 420), ("24", "社会保障", 410),
    ("25", "市场监管", 400), ("26", "公共安全", 400), ("27", "其他", 365),
]
STREET_GROUPS = {  # group → [(street name, territorial attributions)]
    "A组": [("岳麓街道", 500), ("银盆岭街道", 450), ("观沙岭街道", 420), ("望城坡街道", 410), ("望岳街道", 400),
           ("天顶街道", 390), ("梅溪湖街道", 381), ("学士街道", 370)],  # 3321
    "B组": [("桔子洲街道", 200), ("望月湖街道", 180), ("西湖街道", 150), ("咸嘉湖街道", 139), ("洋湖街道", 100)],  # 769
    "C组": [("坪塘街道", 100), ("含浦街道", 90), ("莲花镇", 60), ("雨敞坪镇", 40)],  # 290
}
DEPARTMENTS = {  # group → [department attributions per unit]
    "党群政务": [23], "经济管理": [400, 237], "社会发展": [5000, 2000, 719], "垂直管理": [33],
}
JOINT = 276
UNSATISFIED = 12516
UNIT_TOTAL = 12792


def _utc(local: datetime) -> datetime:
    return (local - timedelta(hours=8)).replace(tzinfo=timezone.utc)


def build(year: int = 2021) -> dict:
    """Create the district, streets, units, categories and the tickets; returns the objects tests refer to."""
    district = f.AreaFactory(code="430104", name="岳麓区", level=0)
    channel = f.ChannelFactory()
    territorial, streets = [], []
    n = 0
    for sort, (group_name, members) in enumerate(STREET_GROUPS.items()):
        group = StreetGroup.objects.create(name=group_name, sort=sort)
        for name, count in members:
            n += 1
            street = Area.objects.create(code=f"430104{n:03d}", name=name, level=1, parent=district,
                                         kind="rural" if name.endswith("镇") else "urban")
            group.streets.add(street)
            streets.append(street)
            if n == 1:
                # One street's attributions belong to a community-level unit: its street is the code's first 9 digits.
                community = Area.objects.create(code=f"{street.code}001", name="云麓园社区", level=2, parent=street, kind="urban")
                half = count // 2
                territorial.append((f.UnitFactory(code=f"st-{n}", name=f"{name}办事处", kind="territorial", area=street), half))
                territorial.append((f.UnitFactory(code=f"cm-{n}", name="云麓园社区居委会", kind="territorial", area=community),
                                    count - half))
            else:
                territorial.append((f.UnitFactory(code=f"st-{n}", name=f"{name}办事处", kind="territorial", area=street), count))
    departments = []
    for group, counts in DEPARTMENTS.items():
        for i, count in enumerate(counts):
            departments.append((f.UnitFactory(code=f"dept-{group}-{i}", name=f"区{group}局{i}", kind="department", group=group), count))
    f.UnitFactory(code="center", name="区网格化中心", kind="center")

    rules = {}
    categories = []
    for code, name, count in CATEGORY_CLASSES:
        cat = f.CategoryFactory(code=code, name=name, level=1)
        rules[cat.pk] = f.RuleFactory(category=cat)
        categories += [cat] * count
    rng = random.Random(2021)
    rng.shuffle(categories)

    t_slots = [u for u, c in territorial for _ in range(c)]
    d_slots = [u for u, c in departments for _ in range(c)]
    rng.shuffle(t_slots)
    rng.shuffle(d_slots)
    # 276 joint tickets (a street and a department both signed), then street-only, then department-only.
    unit_sets = [[t, d] for t, d in zip(t_slots[:JOINT], d_slots[:JOINT])]
    unit_sets += [[t] for t in t_slots[JOINT:]] + [[d] for d in d_slots[JOINT:]]
    assert len(unit_sets) == UNSATISFIED == len(categories)

    other_dept = departments[0][0]
    specs = [(cat, units, "unsatisfied", year) for cat, units in zip(categories, unit_sets)]
    # Satisfied tickets with a street: they count in 受理量 but in no unsatisfied figure.
    specs += [(categories[i], [territorial[i % len(territorial)][0]], "satisfied", year) for i in range(300)]
    # Unsatisfied tickets of the next year: outside every period the tests ask about.
    specs += [(categories[i], [departments[0][0], territorial[0][0]], "unsatisfied", year + 1) for i in range(5)]
    tickets, assignments, callbacks = [], [], []
    for i, (cat, units, satisfaction, y) in enumerate(specs):
        received = _utc(datetime(y, i % 12 + 1, i % 28 + 1, 10, 0))
        tickets.append(Ticket(number=f"RX{year}{i:07d}", channel=channel, category=cat, rule=rules[cat.pk],
                              title="诉求", description="诉求内容", received_at=received, updated_at=received,
                              state="closed", closed_at=received + timedelta(days=3),
                              handle_deadline=received + timedelta(days=10), dispatch_round=1))
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    for i, (ticket, (cat, units, satisfaction, _y)) in enumerate(zip(tickets, specs)):
        at = ticket.received_at
        for j, unit in enumerate(units):
            assignments.append(Assignment(ticket=ticket, unit=unit, role="lead" if j == 0 else "support", state="reported",
                                          dispatched_at=at, sign_deadline=at + timedelta(hours=1),
                                          signed_at=at + timedelta(minutes=30), handle_deadline=at + timedelta(days=10),
                                          reported_at=at + timedelta(days=2)))
        if satisfaction == "unsatisfied" and i % 100 == 0:
            # A returned assignment is no attribution; a second signed one of the same unit counts once.
            assignments.append(Assignment(ticket=ticket, unit=other_dept, role="support", state="returned",
                                          dispatched_at=at, sign_deadline=at + timedelta(hours=1),
                                          handle_deadline=at + timedelta(days=10), returned_at=at + timedelta(hours=2)))
            assignments.append(Assignment(ticket=ticket, unit=units[0], role="lead", round=2, state="reported",
                                          dispatched_at=at, sign_deadline=at + timedelta(hours=1),
                                          signed_at=at + timedelta(hours=3), handle_deadline=at + timedelta(days=10)))
        callbacks.append(Callback(ticket=ticket, at=at + timedelta(days=4), method="phone", answered=True,
                                  satisfaction=satisfaction, resolved=satisfaction != "unsatisfied"))
        if satisfaction == "unsatisfied" and i % 50 == 1:
            # Unsatisfied once is unsatisfied, even if a later callback is satisfied.
            callbacks.append(Callback(ticket=ticket, at=at + timedelta(days=6), method="phone", answered=True,
                                      satisfaction="basic", resolved=True))
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    Callback.objects.bulk_create(callbacks, batch_size=2000)
    if connection.vendor == "postgresql":
        # Autovacuum cannot see rows of the test's open transaction; without statistics the planner
        # treats the tables as empty and the per-ticket subqueries become full scans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_ticket, tickets_assignment, callbacks_callback")
    return {"district": district, "streets": streets, "channel": channel}
