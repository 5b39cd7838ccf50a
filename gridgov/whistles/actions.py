"""The only way whistles change: `do_*` actions that check access and state, then write, audit and note it on the ticket atomically."""

from django.db import transaction

from gridgov.accounts.people import unit_staff
from gridgov.areas.distance import distance_m
from gridgov.audit.log import audit
from gridgov.core import clock
from gridgov.core.calendar import get_calendar
from gridgov.core.errors import Forbidden, InvalidInput, InvalidState
from gridgov.notifications.api import notify
from gridgov.tickets import actions as ticket_actions
from gridgov.tickets.access import get_visible
from gridgov.tickets.deadlines import LIMIT_UNIT_LABELS, compute_deadline
from gridgov.tickets.models import Ticket
from gridgov.tickets.timeline import append_event
from gridgov.tickets.states import DONE_STATES
from gridgov.units.models import Unit
from gridgov.whistles import rules
from gridgov.whistles.access import blower, get_summons, get_whistle, require_check_in
from gridgov.whistles.models import (
    DEFAULT_CHECKIN_LIMIT, DEFAULT_CHECKIN_UNIT, DEFAULT_ONSITE_RADIUS_M, Whistle, WhistleSummons,
)

WHISTLE_CHANNEL = "whistle"
MAX_UNITS = 20
OPEN_SUMMONS = (WhistleSummons.State.SUMMONED, WhistleSummons.State.CHECKED_IN)


def _unit_ids(unit_ids) -> list[int]:
    try:
        ids = sorted({int(u) for u in unit_ids or []})
    except (TypeError, ValueError):
        raise InvalidInput("请选择有效的部门", {"field": "unit_ids"}) from None
    if not ids:
        raise InvalidInput("请选择至少一个被召集的部门", {"field": "unit_ids"})
    if len(ids) > MAX_UNITS:
        raise InvalidInput(f"一次吹哨最多召集{MAX_UNITS}个部门", {"field": "unit_ids"})
    return ids


def _whistle_inputs(unit_ids, reason, checkin_limit, checkin_limit_unit, onsite_radius_m) -> dict:
    """Validate everything a whistle needs before anything is written."""
    if not (reason or "").strip():
        raise InvalidInput("吹哨需要填写：吹哨事由", {"field": "reason"})
    amount, unit = rules.parse_limit(checkin_limit, checkin_limit_unit)
    return {"ids": _unit_ids(unit_ids), "reason": reason.strip(), "amount": amount, "unit": unit,
            "radius": rules.parse_radius(onsite_radius_m)}


def _lock_ticket(ticket_id) -> Ticket:
    # Lock the ticket as the ticket actions do, so the timeline's next number is ours alone.
    return Ticket.objects.select_for_update(of=("self",)).select_related("area").get(pk=ticket_id)


def do_blow(actor, ticket_id, *, unit_ids, reason: str, checkin_limit=DEFAULT_CHECKIN_LIMIT,
            checkin_limit_unit: str = DEFAULT_CHECKIN_UNIT, onsite_required: bool = False,
            onsite_radius_m=DEFAULT_ONSITE_RADIUS_M, now=None) -> Whistle:
    """吹哨: summon departments to a ticket's matter, each with a check-in deadline counted in working time."""
    inp = _whistle_inputs(unit_ids, reason, checkin_limit, checkin_limit_unit, onsite_radius_m)
    with transaction.atomic():
        get_visible(actor, ticket_id)
        ticket = _lock_ticket(ticket_id)
        capacity = blower(actor, ticket)
        if capacity is None:
            raise Forbidden("只有属地街道、社区或网格化中心可以吹哨")
        if ticket.state in DONE_STATES:
            raise InvalidState(f"工单当前状态为“{ticket.get_state_display()}”，不能吹哨")
        units = list(Unit.objects.filter(pk__in=inp["ids"], active=True, kind=Unit.Kind.DEPARTMENT).order_by("pk"))
        if len(units) != len(inp["ids"]):
            raise InvalidInput("只能召集启用中的区直部门", {"field": "unit_ids"})
        busy = (WhistleSummons.objects.filter(whistle__ticket=ticket, unit_id__in=inp["ids"], state__in=OPEN_SUMMONS)
                .values_list("unit__name", flat=True).distinct())
        if busy:
            raise InvalidInput(f"{'、'.join(sorted(busy))}已被召集且尚未办结，不能重复召集", {"field": "unit_ids"})
        if onsite_required and ticket.lon is None and not (ticket.area and ticket.area.boundary):
            raise InvalidInput("该工单没有位置或网格边界，无法要求现场报到", {"field": "onsite_required"})
        now = now or clock.now()
        deadline = compute_deadline(now, inp["amount"], inp["unit"], get_calendar())
        whistle = Whistle.objects.create(
            ticket=ticket, unit=capacity.unit, blown_by=actor, blown_at=now, reason=inp["reason"], checkin_limit=inp["amount"],
            checkin_limit_unit=inp["unit"], onsite_required=bool(onsite_required), onsite_radius_m=inp["radius"])
        WhistleSummons.objects.bulk_create([WhistleSummons(whistle=whistle, unit=u, deadline=deadline) for u in units])
        names = "、".join(u.name for u in units)
        limit = f"{inp['amount'].normalize():f}{LIMIT_UNIT_LABELS[inp['unit']]}"
        onsite = f"，须在事发地点{inp['radius']}米范围内现场报到" if onsite_required else ""
        append_event(ticket, actor, now, "whistle", f"吹哨召集{names}，报到时限{limit}{onsite}。事由：{inp['reason']}",
                     whistle=whistle.pk, units=[u.pk for u in units], deadline=deadline.isoformat())
        audit(actor, "whistle.blow", whistle, ticket=ticket.number, units=[u.pk for u in units], deadline=deadline.isoformat(),
              onsite_required=bool(onsite_required))
        # Every summoned department learns at once; a check-in deadline counts in hours, so it is urgent.
        notify(unit_staff([u.pk for u in units]), "whistle", f"吹哨召集：{ticket.number}",
               f"请于{clock.localtime(deadline):%m-%d %H:%M}前报到{onsite}", ticket=ticket, urgent=True, now=now)
    return whistle


def do_blow_new(actor, *, category, title: str, description: str, address: str = "", lon=None, lat=None,
                unit_ids, reason: str = "", checkin_limit=DEFAULT_CHECKIN_LIMIT, checkin_limit_unit: str = DEFAULT_CHECKIN_UNIT,
                onsite_required: bool = False, onsite_radius_m=DEFAULT_ONSITE_RADIUS_M, now=None) -> Whistle:
    """新事项吹哨: register a ticket on the whistle channel and blow on it, both or neither."""
    # The matter is the reason when none is given: a street blows because of what it describes.
    reason = (reason or "").strip() or (title or "").strip()
    _whistle_inputs(unit_ids, reason, checkin_limit, checkin_limit_unit, onsite_radius_m)
    with transaction.atomic():
        ticket = ticket_actions.do_receive(actor, channel=WHISTLE_CHANNEL, category=category, title=title, description=description,
                                           address=address, lon=lon, lat=lat, now=now)
        return do_blow(actor, ticket.pk, unit_ids=unit_ids, reason=reason, checkin_limit=checkin_limit,
                       checkin_limit_unit=checkin_limit_unit, onsite_required=onsite_required, onsite_radius_m=onsite_radius_m,
                       now=now)


def _locked_summons(actor, summons_id):
    """Resolve a visible summons, lock its ticket and then the summons itself (always in that order)."""
    seen = get_summons(actor, summons_id)
    ticket = _lock_ticket(seen.whistle.ticket_id)
    summons = WhistleSummons.objects.select_for_update(of=("self",)).select_related("whistle", "unit").get(pk=seen.pk)
    summons.whistle.ticket = ticket
    require_check_in(actor, summons)
    return summons, ticket


def do_check_in(actor, summons_id, *, lon=None, lat=None, note: str = "", now=None) -> WhistleSummons:
    """报到: the summoned department arrives, on site with its location where the whistle requires it."""
    point = rules.parse_point(lon, lat)
    if len(note or "") > 300:
        raise InvalidInput("报到说明不能超过300字", {"field": "note"})
    with transaction.atomic():
        summons, ticket = _locked_summons(actor, summons_id)
        whistle = summons.whistle
        if whistle.state != Whistle.State.OPEN:
            raise InvalidState("吹哨已结束，不能再报到")
        if summons.state != WhistleSummons.State.SUMMONED:
            raise InvalidState(f"报到记录当前为“{summons.get_state_display()}”，不能再报到")
        ticket_point = (ticket.lon, ticket.lat) if ticket.lon is not None and ticket.lat is not None else None
        distance = None
        if whistle.onsite_required:
            if point is None:
                raise InvalidInput("本次吹哨要求现场报到，请提供当前位置（可点击“获取当前位置”）", {"field": "lon"})
            distance = rules.onsite_check(*point, point=ticket_point, radius_m=whistle.onsite_radius_m,
                                          boundary=ticket.area.boundary if ticket.area else None,
                                          area_name=ticket.area.name if ticket.area else "")
        elif point and ticket_point:
            distance = distance_m(*point, *ticket_point)
        now = now or clock.now()
        summons.state = WhistleSummons.State.CHECKED_IN
        summons.checked_in_at, summons.checked_in_by = now, actor
        summons.checkin_lon, summons.checkin_lat = point if point else (None, None)
        summons.checkin_distance_m = round(distance, 1) if distance is not None else None
        summons.checkin_note = (note or "").strip()
        summons.save()
        late = rules.is_late(summons.deadline, now, None, now)
        where = f"，距事发地点约{distance:.0f}米" if distance is not None else ""
        append_event(ticket, actor, now, "whistle_checkin",
                        f"{summons.unit.name}{'迟到' if late else '按时'}报到{where}。{summons.checkin_note}".rstrip(),
                     whistle=whistle.pk, summons=summons.pk, unit=summons.unit_id, late=late)
        audit(actor, "whistle.checkin", summons, ticket=ticket.number, unit=summons.unit_id, late=late,
              distance_m=summons.checkin_distance_m)
    return summons


def do_finish(actor, summons_id, *, result: str, now=None) -> WhistleSummons:
    """协办反馈: a checked-in department reports what it did on the matter."""
    result = (result or "").strip()
    if not result:
        raise InvalidInput("协办反馈需要填写：协办情况", {"field": "result"})
    if len(result) > 5000:
        raise InvalidInput("协办情况不能超过5000字", {"field": "result"})
    with transaction.atomic():
        summons, ticket = _locked_summons(actor, summons_id)
        if summons.state != WhistleSummons.State.CHECKED_IN:
            raise InvalidState(f"报到记录当前为“{summons.get_state_display()}”，报到后才能反馈协办情况")
        now = now or clock.now()
        summons.state, summons.done_at, summons.done_by, summons.result = WhistleSummons.State.DONE, now, actor, result
        summons.save()
        append_event(ticket, actor, now, "whistle_done", f"{summons.unit.name}协办反馈：{result}",
                     whistle=summons.whistle_id, summons=summons.pk, unit=summons.unit_id)
        audit(actor, "whistle.done", summons, ticket=ticket.number, unit=summons.unit_id)
    return summons


def do_close(actor, whistle_id, *, note: str = "", now=None) -> Whistle:
    """结束吹哨: departments still not checked in are withdrawn; those on the matter are done."""
    if len(note or "") > 300:
        raise InvalidInput("结束说明不能超过300字", {"field": "note"})
    with transaction.atomic():
        seen = get_whistle(actor, whistle_id)
        ticket = _lock_ticket(seen.ticket_id)
        if blower(actor, ticket) is None:
            raise Forbidden("只有吹哨的属地或网格化中心可以结束吹哨")
        whistle = Whistle.objects.select_for_update(of=("self",)).get(pk=seen.pk)
        if whistle.state != Whistle.State.OPEN:
            raise InvalidState("吹哨已结束")
        now = now or clock.now()
        withdrawn = whistle.summons.filter(state=WhistleSummons.State.SUMMONED).update(state=WhistleSummons.State.WITHDRAWN, ended_at=now)
        whistle.summons.filter(state=WhistleSummons.State.CHECKED_IN).update(state=WhistleSummons.State.DONE, done_at=now, done_by=actor)
        whistle.state, whistle.closed_at, whistle.closed_by, whistle.close_note = Whistle.State.CLOSED, now, actor, (note or "").strip()
        whistle.save()
        text = f"结束吹哨{f'，{withdrawn}个部门未报到已撤回' if withdrawn else ''}。{whistle.close_note}".rstrip()
        append_event(ticket, actor, now, "whistle_close", text, whistle=whistle.pk)
        audit(actor, "whistle.close", whistle, ticket=ticket.number, withdrawn=withdrawn)
    return whistle
