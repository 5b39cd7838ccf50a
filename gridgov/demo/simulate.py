"""A simulated year of tickets: plans made from the district's rules, run by the domain lifecycle.

Each ticket gets a `Plan` — its steps with times and actors — drawn from plausible rates of
returns, extensions, reworks, merges, late work and dissatisfaction. Two executors run the
same plans: `ActionExecutor` through the `do_*` actions (one transaction per step), and
`BulkExecutor` through the same lifecycle functions in memory, saved with bulk inserts. A test
proves they produce the same rows; the demo uses the bulk one because it is ~50× faster.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from gridgov.core import clock
from gridgov.core.calendar import get_calendar
from gridgov.demo import geometry, reference
from gridgov.tickets.deadlines import compute_deadline, extend_deadline

DAY = timedelta(days=1)


@dataclass
class Step:
    """One action in a plan; `ref` names the assignment ("lead"/"support"), extension or investigation it acts on."""

    verb: str
    at: datetime
    actor: str
    args: dict = field(default_factory=dict)
    ref: str | None = None


@dataclass
class Plan:
    """The story of one ticket."""

    intake: dict
    received_at: datetime
    actor: str
    steps: list[Step] = field(default_factory=list)
    parent_index: int | None = None


@dataclass(frozen=True)
class World:
    """What the planner needs to know about the district."""

    leaves: list  # (code, name, polygon, street_code, community_name, street_name)
    leaf_weights: list
    categories: list  # (code, weight, rule-like dict)
    channels: list  # (code, weight)
    unit_user: dict  # unit id -> handler username
    territorial: dict  # street code -> unit id
    departments: list  # unit ids
    grid_worker_area: str | None


def _choice(rng, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _name(rng):
    return rng.choice(reference.SURNAMES) + rng.choice(reference.GIVEN_NAMES)


def _phone(rng):
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _received_times(rng, n: int, start: datetime, end: datetime) -> list[datetime]:
    """Draw n receipt times (local clock): more on weekdays and in the daytime, a summer peak."""
    first = datetime.combine(clock.local_date(start), datetime.min.time(), tzinfo=clock.LOCAL_TZ)
    days = (end - start).days + 1
    weights = []
    for d in range(days):
        day = (first + d * DAY).date()
        weights.append((1.0 if day.weekday() < 5 else 0.7) * (1.25 if day.month in (6, 7, 8) else 1.0))
    hour_w = [0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2, 4, 6, 6, 5, 3, 4, 5, 5, 5, 4, 3, 3, 3, 2, 1, 0.5]
    times = []
    while len(times) < n:
        for d in rng.choices(range(days), weights=weights, k=n - len(times)):
            local = first + d * DAY + timedelta(hours=rng.choices(range(24), hour_w)[0], seconds=rng.randint(0, 3599))
            moment = local.astimezone(timezone.utc)
            if start <= moment < end:
                times.append(moment)
    return sorted(times)


def _between(rng, a: datetime, b: datetime, lo=0.05, hi=0.9) -> datetime:
    return a + (b - a) * rng.uniform(lo, hi)


def plan_year(world: World, rng: random.Random, n: int, end: datetime) -> list[Plan]:
    """Plan n tickets received over the 365 days before `end`; steps after `end` are left undone."""
    cal = get_calendar()
    start = end - 365 * DAY
    plans: list[Plan] = []
    recent_by_key: dict = {}
    cat_codes, cat_weights = [c[0] for c in world.categories], [c[1] for c in world.categories]
    rules = {c[0]: c[2] for c in world.categories}
    ch_codes, ch_weights = [c[0] for c in world.channels], [c[1] for c in world.channels]
    for received in _received_times(rng, n, start, end):
        cat = _choice(rng, cat_codes, cat_weights)
        rule = rules[cat]
        channel = _choice(rng, ch_codes, ch_weights)
        leaf_code, leaf_name, polygon, street_code, community, street = _choice(rng, world.leaves, world.leaf_weights)
        lon, lat = geometry.random_point_in(polygon, rng)
        road = rng.choice(reference.ROADS)
        address = f"岳麓区{street}{community}{road}{rng.randint(1, 399)}号"
        how = rng.random()
        if how < 0.1:
            lon = lat = None  # address only: the gazetteer places it
        intake = dict(channel=channel, category=cat, address=address, lon=lon, lat=lat,
                      citizen_name=_name(rng), citizen_phone=_phone(rng), title=rule["name"],
                      description=_description(rng, rule, street, community, road))
        actor = "operator"
        if channel == "patrol" and world.grid_worker_area and leaf_code.startswith(world.grid_worker_area):
            actor = "gridworker"
        plan = Plan(intake=intake, received_at=received, actor=actor)
        key = (cat, leaf_code[:12])
        _plan_life(plan, rng, cal, rule, world, street_code, recent_by_key.get(key), received)
        _cut_at(plan, end)
        if plan.parent_index is None and not (plan.steps and plan.steps[0].verb == "reject"):
            recent_by_key[key] = len(plans)  # a later ticket about the same matter here may be merged into this one
        plans.append(plan)
    return plans


def _cut_at(plan: Plan, end: datetime) -> None:
    """Keep the steps that have happened by `end`, in time order; the rest leave the ticket open."""
    plan.steps.sort(key=lambda s: s.at)
    plan.steps = [s for s in plan.steps if s.at <= end]
    if plan.parent_index is not None and not plan.steps:
        plan.parent_index = None


def _description(rng, rule, street, community, road) -> str:
    templates = reference.TITLE_TEMPLATES.get(rule["class_name"]) or [("{leaf}", "市民反映{place}{leaf}问题。")]
    _title, body = rng.choice(templates)
    return body.format(place=f"{community}{road}", estate=f"{community}{rng.choice('东西南北')}区", leaf=rule["name"],
                       street=street, amount=rng.randint(2, 90) * 1000, months=rng.randint(1, 12), hour=rng.randint(19, 23))


def _plan_life(plan: Plan, rng, cal, rule, world: World, street_code, parent, received) -> None:
    """Fill a plan's steps: dispatch, sign, handle, close, callback, investigation, with realistic detours."""
    steps = plan.steps
    t = received + timedelta(minutes=rng.randint(3, 90))
    roll = rng.random()
    if roll < 0.02:
        steps.append(Step("reject", t, "dispatcher", {"reason": "不属于受理范围，已告知来电人通过司法途径解决"}))
        return
    if roll < 0.035 and parent is not None:
        plan.parent_index = parent
        steps.append(Step("merge", t, "dispatcher", {"note": "同一事项集中诉求，并单处理"}))
        return
    territorial, dept = world.territorial.get(street_code), rule["department"]
    lead, support = {"territorial": (territorial, []), "department": (dept, []), "both": (dept, [territorial])}[rule["handler"]]
    if rng.random() < 0.04:
        # Misrouted first: the wrong unit returns it and the centre dispatches again.
        t = _dispatch_and_return(steps, rng, world, rng.choice([u for u in world.departments if u != lead]), t)
    steps.append(Step("dispatch", t, "dispatcher", {"lead_unit_id": lead, "support_unit_ids": support}))
    sign_deadline = compute_deadline(t, rule["sign_limit"], rule["sign_limit_unit"], cal)
    deadline = compute_deadline(t, rule["handle_limit"], rule["handle_limit_unit"], cal)
    signed = _between(rng, t, sign_deadline) if rng.random() < 0.95 else sign_deadline + timedelta(minutes=rng.randint(10, 600))
    steps.append(Step("sign", signed, world.unit_user[lead], ref="lead"))
    ready = signed
    if rng.random() < 0.05 and signed < deadline:
        asked = _between(rng, signed, deadline, 0.4, 0.9)
        ready = asked + timedelta(hours=2)
        steps.append(Step("request_extension", asked, world.unit_user[lead],
                          {"amount": 5, "limit_unit": "work_days", "reason": "需协调多个部门现场处置"}, ref="lead"))
        if rng.random() < 0.85:
            steps.append(Step("approve_extension", ready, "dispatcher", {"note": "同意延期"}, ref="ext"))
            deadline = extend_deadline(deadline, 5, "work_days", cal)
        else:
            steps.append(Step("deny_extension", ready, "dispatcher", {"note": "时限内可办结，不予延期"}, ref="ext"))
    late = rng.random() < 0.06 or ready >= deadline
    reported = deadline + timedelta(hours=rng.randint(2, 120)) if late else _between(rng, ready, deadline, 0.1, 0.95)
    for i, unit in enumerate(support):
        support_signed = _between(rng, t, min(sign_deadline, reported))
        steps.append(Step("sign", support_signed, world.unit_user[unit], ref=f"support{i}"))
        steps.append(Step("report", _between(rng, support_signed, reported), world.unit_user[unit],
                          {"result": "已配合主办单位现场处置"}, ref=f"support{i}"))
    steps.append(Step("report", reported, world.unit_user[lead], {"result": "经现场核实，已按要求处理完毕，并向来电人反馈。"}, ref="lead"))
    closed = reported + timedelta(hours=rng.uniform(1, 30))
    if rng.random() < 0.04:
        steps.append(Step("rework", closed, "dispatcher", {"reason": "办理结果未回应诉求要点，发回重办"}))
        reported = closed + timedelta(hours=rng.uniform(4, 72))
        steps.append(Step("report", reported, world.unit_user[lead], {"result": "已补充办理并电话回复来电人。"}, ref="lead"))
        closed = reported + timedelta(hours=rng.uniform(1, 24))
    steps.append(Step("close", closed, "dispatcher"))
    if rng.random() < 0.9:
        _plan_callback(steps, rng, closed, lead)


def _dispatch_and_return(steps, rng, world, wrong, t) -> datetime:
    steps.append(Step("dispatch", t, "dispatcher", {"lead_unit_id": wrong, "support_unit_ids": []}))
    back = t + timedelta(minutes=rng.randint(10, 300))
    steps.append(Step("return", back, world.unit_user[wrong], {"reason": "该事项不属于本单位职责，请重新派单"}, ref="lead"))
    return back + timedelta(minutes=rng.randint(10, 120))


def _plan_callback(steps, rng, closed, lead) -> None:
    at = closed + timedelta(hours=rng.uniform(2, 48))
    if rng.random() < 0.05:
        steps.append(Step("callback", at, "operator", {"method": "phone", "answered": False, "note": "无人接听"}))
        return
    r = rng.random()
    satisfaction = "satisfied" if r < 0.9 else "basic" if r < 0.96 else "unsatisfied"
    resolved = satisfaction != "unsatisfied" or rng.random() < 0.2
    steps.append(Step("callback", at, "operator", {"method": "phone", "answered": True, "satisfaction": satisfaction,
                                                   "resolved": resolved, "note": "回访来电人"}))
    if satisfaction == "unsatisfied" and rng.random() < 0.8:
        opened = at + timedelta(hours=rng.uniform(2, 48))
        steps.append(Step("open_investigation", opened, "investigator", {"note": "来电人对办理结果不满意，常调队介入调查"}))
        responsible = rng.random() < 0.35
        steps.append(Step("conclude_investigation", opened + timedelta(days=rng.uniform(1, 6)), "investigator", {
            "finding": "responsible" if responsible else "not_responsible",
            "responsible_unit_id": lead if responsible else None,
            "deduction_points": rng.choice([1, 2, 3]) if responsible else 0,
            "note": "经调查，承办单位未按时限有效处置" if responsible else "经调查，承办单位已依法依规处置，诉求超出政策范围"}, ref="inv"))


def load_world() -> World:
    """Read what the planner needs from the demo district in the database."""
    from gridgov.accounts.models import RoleGrant
    from gridgov.areas.models import Area
    from gridgov.tickets.models import Channel
    from gridgov.units.models import Category, Unit
    from gridgov.units.responsibility import rule_in_force
    from shapely.geometry import shape

    names = dict(Area.objects.filter(level__in=(1, 2)).values_list("code", "name"))
    leaves, weights = [], []
    for code, name, boundary in Area.objects.filter(level=4).values_list("code", "name", "boundary"):
        leaves.append((code, name, shape(boundary), code[:9], names[code[:12]], names[code[:9]]))
        weights.append(1.0 if names[code[:9]].endswith("街道") else 0.35)
    now = clock.now()
    categories = []
    for cat in Category.objects.filter(level=3, active=True).select_related("parent__parent"):
        rule = rule_in_force(cat, now)
        categories.append((cat.code, cat.weight, {
            "name": cat.name, "class_name": cat.parent.parent.name, "handler": rule.handler,
            "department": rule.department_id, "sign_limit": rule.sign_limit, "sign_limit_unit": rule.sign_limit_unit,
            "handle_limit": rule.handle_limit, "handle_limit_unit": rule.handle_limit_unit}))
    weights_by_channel = reference.CHANNEL_WEIGHTS
    unit_user = {g.unit_id: g.user.username for g in RoleGrant.objects.filter(role="unit_handler", user__username__startswith="u-").select_related("user")}
    units = list(Unit.objects.values_list("pk", "kind", "area_id"))
    gw = RoleGrant.objects.filter(role="grid_worker").values_list("area_id", flat=True).first()
    return World(
        leaves=leaves, leaf_weights=weights, categories=categories,
        channels=[(c, weights_by_channel.get(c, 1.0)) for c in Channel.objects.values_list("code", flat=True)],
        unit_user=unit_user, territorial={area: pk for pk, kind, area in units if kind == "territorial"},
        departments=[pk for pk, kind, _a in units if kind == "department"],
        grid_worker_area=gw,
    )


def simulate(n: int, seed: int, end: datetime | None = None, executor=None, progress=None) -> int:
    """Plan and run n tickets over the year before `end`; return how many were created."""
    from gridgov.demo.executors import BulkExecutor

    world = load_world()
    plans = plan_year(world, random.Random(seed), n, end or clock.now())
    executor = executor or BulkExecutor()
    executor.run(plans, progress=progress)
    return len(plans)
