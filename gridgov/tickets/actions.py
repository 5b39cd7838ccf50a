"""The only way tickets change: `do_*` actions that check access and state, then write change and timeline atomically."""

import re
from contextlib import contextmanager
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.dispatch import Signal

from gridgov.areas.models import Area
from gridgov.callbacks.models import Callback, Investigation
from gridgov.core import clock
from gridgov.core.calendar import get_calendar
from gridgov.core.errors import InvalidInput, InvalidState, NotFound
from gridgov.metrics import cube
from gridgov.tickets import lifecycle
from gridgov.tickets.access import get_visible, require, visible_to
from gridgov.tickets.lifecycle import Case, Context
from gridgov.tickets.models import Assignment, Channel, Extension, NumberSequence, Ticket, TimelineEvent, Urgency
from gridgov.tickets.numbering import format_number
from gridgov.tickets.routing_context import suggest
from gridgov.tickets.states import TRANSITIONS
from gridgov.units.models import Category, Unit
from gridgov.units.responsibility import rule_in_force

# Sent after commit with the ticket id and the verb, for notifications and integrations.
ticket_changed = Signal()

PHONE_RE = re.compile(r"[0-9+\-]{5,20}")


def load_case(ticket: Ticket) -> Case:
    """Load everything the lifecycle touches, linking children to the same assignment objects."""
    assignments = list(ticket.assignments.all())
    by_id = {a.pk: a for a in assignments}
    extensions = list(Extension.objects.filter(assignment__ticket=ticket))
    for e in extensions:
        e.assignment = by_id[e.assignment_id]
    last = TimelineEvent.objects.filter(ticket=ticket).aggregate(m=Max("seq"))["m"] or 0
    case = Case(ticket=ticket, assignments=assignments, extensions=extensions,
                callbacks=list(Callback.objects.filter(ticket=ticket)),
                investigations=list(Investigation.objects.filter(ticket=ticket)), next_seq=last + 1)
    case.counted = cube.snapshot(case)
    return case


def persist(case: Case) -> None:
    """Write a case's changed and new rows (inside the caller's transaction)."""
    for obj in case.changed.values():
        obj.save()
    for obj in case.new:
        obj.save()
    case.changed.clear()
    case.new.clear()
    # The stored figures change in the same transaction as the ticket, so they can never disagree.
    counted = cube.snapshot(case)
    cube.apply(case.counted, counted)
    case.counted = counted


def _context(actor, now: datetime | None) -> Context:
    return Context(actor_id=actor.pk if actor else None, now=now or clock.now(), calendar=get_calendar())


def _notify_after_commit(ticket_id: int, verb: str) -> None:
    transaction.on_commit(lambda: ticket_changed.send(sender=Ticket, ticket_id=ticket_id, verb=verb))


@contextmanager
def _acting(actor, ticket_id, verb: str, *, unit_of=None, now=None):
    """Lock a visible ticket, check the verb's permission, yield (case, ctx), then persist in the same transaction."""
    with transaction.atomic():
        get_visible(actor, ticket_id)
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("rule__category", "parent", "channel").get(pk=ticket_id)
        case = load_case(ticket)
        scope_unit = unit_of(case) if unit_of else None
        require(actor, TRANSITIONS[verb].permission, ticket, unit_id=scope_unit)
        yield case, _context(actor, now)
        persist(case)
        _notify_after_commit(ticket.pk, verb)


def _assignment(case: Case, assignment_id) -> Assignment:
    found = next((a for a in case.assignments if str(a.pk) == str(assignment_id)), None)
    if found is None:
        raise NotFound("交办记录不存在")
    return found


def _extension(case: Case, extension_id) -> Extension:
    found = next((e for e in case.extensions if str(e.pk) == str(extension_id)), None)
    if found is None:
        raise NotFound("延期申请不存在")
    return found


def next_number(channel: Channel, day) -> str:
    """Allocate the next ticket number for the channel and day (inside a transaction)."""
    seq, _ = NumberSequence.objects.select_for_update().get_or_create(channel=channel, day=day)
    seq.last += 1
    seq.save(update_fields=["last"])
    return format_number(channel.number_format, channel.prefix, day, seq.last)


def _validate_point(lon, lat):
    if (lon is None) != (lat is None):
        raise InvalidInput("经度和纬度必须同时填写")
    if lon is not None:
        try:
            lon, lat = float(lon), float(lat)
        except (TypeError, ValueError):
            raise InvalidInput("经纬度必须是数字") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput("经纬度超出范围")
    return lon, lat


def do_receive(actor, *, channel: str, category: str | int, title: str, description: str, address: str = "",
               lon=None, lat=None, citizen_name: str = "", citizen_phone: str = "", urgency: str | None = None,
               external_id: str | None = None, reporter_area_code: str | None = None, now=None) -> Ticket:
    """受理: register a new ticket, locate it, attach the rule in force and the routing suggestion."""
    ch = Channel.objects.filter(pk=channel, active=True).first()
    if ch is None:
        raise InvalidInput("渠道不存在或已停用", {"field": "channel"})
    cat = (Category.objects.select_related("parent__parent")
           .filter(**({"pk": category} if isinstance(category, int) else {"code": category}), active=True).first())
    if cat is None or cat.children.exists():
        raise InvalidInput("事项分类不存在，或不是末级分类", {"field": "category"})
    lon, lat = _validate_point(lon, lat)
    if citizen_phone and not PHONE_RE.fullmatch(citizen_phone):
        raise InvalidInput("联系电话格式不正确", {"field": "citizen_phone"})
    if urgency and urgency not in Urgency.values:
        raise InvalidInput("紧急程度无效", {"field": "urgency"})
    if reporter_area_code and not Area.objects.filter(code=reporter_area_code).exists():
        raise InvalidInput("上报人所属网格不存在", {"field": "reporter_area_code"})
    ctx = _context(actor, now)
    rule = rule_in_force(cat, ctx.now)
    route = suggest(rule, lon=lon, lat=lat, address=address, reporter_area_code=reporter_area_code)
    require(actor, "ticket.receive", area_code=route.area_code)
    ticket = lifecycle.new_ticket(ctx, channel=ch, category=cat, rule=rule, route=route, title=title, description=description,
                                  address=address, lon=lon, lat=lat, citizen_name=citizen_name, citizen_phone=citizen_phone,
                                  urgency=urgency, external_id=external_id)
    try:
        with transaction.atomic():
            ticket.number = next_number(ch, clock.local_date(ctx.now))
            case = lifecycle.receive(ctx, ticket)
            persist(case)
            _notify_after_commit(ticket.pk, "receive")
    except IntegrityError:
        existing = Ticket.objects.filter(channel=ch, external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        # Name the existing ticket only to someone who may see it; to others its existence is all they learn.
        details = {"field": "external_id"}
        if visible_to(actor).filter(pk=existing.pk).exists():
            details["existing"] = existing.number
        raise InvalidInput("该渠道的外部编号已存在", details) from None
    return ticket


def do_reject(actor, ticket_id, *, reason: str, now=None) -> Ticket:
    """不予受理."""
    with _acting(actor, ticket_id, "reject", now=now) as (case, ctx):
        # A rejected ticket may not be a parent (see lifecycle.merge), so its merged children must be split off first.
        if case.ticket.state in TRANSITIONS["reject"].sources and Ticket.objects.filter(parent_id=case.ticket.pk).exists():
            raise InvalidState("该工单有并入的子单，请先拆单再不予受理")
        lifecycle.reject(case, ctx, reason=reason)
    return case.ticket


def do_dispatch(actor, ticket_id, *, lead_unit_id, support_unit_ids=(), note: str = "", now=None) -> Ticket:
    """派单 to active units."""
    try:
        lead, support = int(lead_unit_id), [int(u) for u in support_unit_ids]
    except (TypeError, ValueError):
        raise InvalidInput("请选择主办单位", {"field": "lead_unit_id"}) from None
    wanted = {lead, *support}
    with _acting(actor, ticket_id, "dispatch", now=now) as (case, ctx):
        if Unit.objects.filter(pk__in=wanted, active=True).count() != len(wanted):
            raise InvalidInput("承办单位不存在或已停用", {"field": "lead_unit_id"})
        lifecycle.dispatch(case, ctx, lead_unit_id=lead, support_unit_ids=support, note=note)
    return case.ticket


def _unit_of_assignment(assignment_id):
    return lambda case: _assignment(case, assignment_id).unit_id


def do_sign(actor, ticket_id, *, assignment_id, now=None) -> Ticket:
    """签收."""
    with _acting(actor, ticket_id, "sign", unit_of=_unit_of_assignment(assignment_id), now=now) as (case, ctx):
        lifecycle.sign(case, ctx, _assignment(case, assignment_id))
    return case.ticket


def do_return(actor, ticket_id, *, assignment_id, reason: str, now=None) -> Ticket:
    """回退."""
    with _acting(actor, ticket_id, "return", unit_of=_unit_of_assignment(assignment_id), now=now) as (case, ctx):
        lifecycle.return_(case, ctx, _assignment(case, assignment_id), reason=reason)
    return case.ticket


def do_request_extension(actor, ticket_id, *, assignment_id, amount, limit_unit: str, reason: str, now=None) -> Extension:
    """申请延期."""
    with _acting(actor, ticket_id, "request_extension", unit_of=_unit_of_assignment(assignment_id), now=now) as (case, ctx):
        ext = lifecycle.request_extension(case, ctx, _assignment(case, assignment_id), amount=amount, limit_unit=limit_unit, reason=reason)
    return ext


def do_approve_extension(actor, ticket_id, *, extension_id, note: str = "", now=None) -> Ticket:
    """批准延期."""
    with _acting(actor, ticket_id, "approve_extension", now=now) as (case, ctx):
        lifecycle.approve_extension(case, ctx, _extension(case, extension_id), note=note)
    return case.ticket


def do_deny_extension(actor, ticket_id, *, extension_id, note: str, now=None) -> Ticket:
    """驳回延期."""
    with _acting(actor, ticket_id, "deny_extension", now=now) as (case, ctx):
        lifecycle.deny_extension(case, ctx, _extension(case, extension_id), note=note)
    return case.ticket


def do_report(actor, ticket_id, *, assignment_id, result: str, now=None) -> Ticket:
    """办理反馈."""
    with _acting(actor, ticket_id, "report", unit_of=_unit_of_assignment(assignment_id), now=now) as (case, ctx):
        lifecycle.report(case, ctx, _assignment(case, assignment_id), result=result)
    return case.ticket


def do_close(actor, ticket_id, *, note: str = "", now=None) -> Ticket:
    """核查结案."""
    with _acting(actor, ticket_id, "close", now=now) as (case, ctx):
        lifecycle.close(case, ctx, note=note)
    return case.ticket


def do_rework(actor, ticket_id, *, reason: str, now=None) -> Ticket:
    """发回重办."""
    with _acting(actor, ticket_id, "rework", now=now) as (case, ctx):
        lifecycle.rework(case, ctx, reason=reason)
    return case.ticket


def do_merge(actor, ticket_id, *, parent_id, note: str = "", now=None) -> Ticket:
    """并单 into a parent the actor can also see."""
    if parent_id is None or not str(parent_id).strip():
        raise InvalidInput("并单需要填写：主单", {"field": "parent_id"})
    ids = [get_visible(actor, ticket_id).pk, get_visible(actor, parent_id).pk]
    with transaction.atomic():
        # Lock both tickets in id order, so merging A into B while B goes into A cannot deadlock.
        list(Ticket.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
        with _acting(actor, ticket_id, "merge", now=now) as (case, ctx):
            parent = Ticket.objects.get(pk=ids[1])
            # Merges are one level deep: a ticket that is itself a parent cannot become someone's child.
            if case.ticket.state in TRANSITIONS["merge"].sources and Ticket.objects.filter(parent_id=case.ticket.pk).exists():
                raise InvalidState("该工单已有并入的子单，不能再并入其他工单")
            lifecycle.merge(case, ctx, parent=parent, note=note)
    return case.ticket


def do_unmerge(actor, ticket_id, *, note: str = "", now=None) -> Ticket:
    """拆单."""
    with _acting(actor, ticket_id, "unmerge", now=now) as (case, ctx):
        lifecycle.unmerge(case, ctx, note=note)
    return case.ticket


def do_callback(actor, ticket_id, *, method: str, answered: bool = True, satisfaction: str = "",
                resolved: bool | None = None, note: str = "", now=None) -> Callback:
    """回访."""
    with _acting(actor, ticket_id, "callback", now=now) as (case, ctx):
        cb = lifecycle.callback(case, ctx, method=method, answered=answered, satisfaction=satisfaction, resolved=resolved, note=note)
    return cb


def do_open_investigation(actor, ticket_id, *, note: str = "", now=None) -> Investigation:
    """发起调查."""
    with _acting(actor, ticket_id, "open_investigation", now=now) as (case, ctx):
        inv = lifecycle.open_investigation(case, ctx, note=note)
    return inv


def do_conclude_investigation(actor, ticket_id, *, investigation_id, finding: str, responsible_unit_id=None,
                              deduction_points=0, note: str = "", now=None) -> Investigation:
    """责任认定."""
    with _acting(actor, ticket_id, "conclude_investigation", now=now) as (case, ctx):
        inv = next((i for i in case.investigations if str(i.pk) == str(investigation_id)), None)
        if inv is None:
            raise NotFound("调查不存在")
        lifecycle.conclude_investigation(case, ctx, inv, finding=finding, responsible_unit_id=responsible_unit_id,
                                         deduction_points=deduction_points, note=note)
    return inv


def do_reopen(actor, ticket_id, *, reason: str, now=None) -> Ticket:
    """重新启用."""
    with _acting(actor, ticket_id, "reopen", now=now) as (case, ctx):
        lifecycle.reopen(case, ctx, reason=reason)
    return case.ticket
