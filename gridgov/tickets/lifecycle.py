"""The lifecycle applied to in-memory objects: the one implementation behind `do_*` actions and bulk loading.

Functions here check state and inputs, mutate the objects of a `Case` and record timeline
events; they never touch the database, so the same code serves a single action (which loads
and saves one case in a transaction) and the demo's bulk path (which saves many cases at once).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from gridgov.callbacks.models import Callback, Investigation
from gridgov.core.errors import InvalidInput, InvalidState
from gridgov.core.workcalendar import WorkCalendar
from gridgov.tickets.deadlines import LIMIT_UNITS, compute_deadline, extend_deadline
from gridgov.tickets.models import Assignment, Extension, Ticket, TimelineEvent
from gridgov.tickets.states import OPEN_ASSIGNMENT_STATES, TRANSITIONS, A, S, state_label
from gridgov.units.models import Urgency

FIELD_LABELS = {
    "channel": "渠道", "category": "事项分类", "title": "标题", "description": "诉求内容", "reason": "理由",
    "lead_unit": "主办单位", "amount": "延期时长", "limit_unit": "时长单位", "result": "办理结果",
    "parent": "主单", "method": "回访方式", "finding": "认定结果", "note": "意见",
}


@dataclass
class Context:
    """Who acts and when, and the calendar deadlines are counted in."""

    actor_id: int | None
    now: datetime
    calendar: WorkCalendar


@dataclass
class Case:
    """A ticket with everything its lifecycle touches, plus what must be written."""

    ticket: Ticket
    assignments: list[Assignment] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    investigations: list[Investigation] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    next_seq: int = 1
    new: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)
    counted: dict = field(default_factory=dict)  # what the stored figures hold for this ticket (metrics.cube)

    def add(self, obj):
        """Queue a new object for insertion (in creation order, so parents precede children)."""
        self.new.append(obj)
        return obj

    def touch(self, obj):
        """Queue an existing object for update."""
        if obj._state.adding or obj.pk is None:
            return
        self.changed[id(obj)] = obj

    def current(self) -> list[Assignment]:
        """Return the assignments of the latest dispatch round."""
        return [a for a in self.assignments if a.round == self.ticket.dispatch_round]

    def lead(self) -> Assignment | None:
        """Return the current lead assignment, if the ticket has been dispatched."""
        return next((a for a in self.current() if a.role == Assignment.Role.LEAD), None)

    def record(self, ctx: Context, verb: str, from_state: str, *, note: str = "", assignment=None, **data):
        """Append a timeline event describing the change just made."""
        event = TimelineEvent(
            ticket=self.ticket, seq=self.next_seq, at=ctx.now, actor_id=ctx.actor_id, verb=verb,
            from_state=from_state or "", to_state=self.ticket.state, assignment=assignment, note=note, data=data,
        )
        self.next_seq += 1
        self.events.append(event)
        self.ticket.updated_at = ctx.now
        self.touch(self.ticket)
        return self.add(event)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check(case: Case | None, verb: str, assignment: Assignment | None = None, **values) -> None:
    """Refuse `verb` if the ticket or assignment is in the wrong state or a required value is missing."""
    t = TRANSITIONS[verb]
    state = case.ticket.state if case else None
    if state not in t.sources:
        raise InvalidState(f"工单当前状态为“{state_label(state)}”，不能{t.label}")
    if t.assignment_sources is not None:
        if assignment is None or assignment not in case.current():
            raise InvalidState(f"没有可{t.label}的交办记录")
        if assignment.state not in t.assignment_sources:
            raise InvalidState(f"交办记录当前为“{A(assignment.state).label}”，不能{t.label}")
    missing = [FIELD_LABELS.get(name, name) for name in t.required if name in values and _blank(values[name])]
    if missing:
        raise InvalidInput(f"{t.label}需要填写：{'、'.join(missing)}", {"missing": missing})


def new_ticket(ctx: Context, *, channel, category, rule, route, title: str, description: str, address: str = "",
               lon=None, lat=None, citizen_name: str = "", citizen_phone: str = "", urgency: str | None = None,
               external_id: str | None = None) -> Ticket:
    """Build an unsaved ticket from validated intake data, its rule in force and its routing suggestion."""
    return Ticket(
        channel=channel, external_id=external_id or None, category=category, rule=rule, title=(title or "").strip(),
        description=(description or "").strip(), address=address, lon=lon, lat=lat, area_id=route.area_code,
        located_by=route.located_by, routing_reason=route.reason[:300], suggested_lead_id=route.lead_unit_id,
        suggested_support=list(route.support_unit_ids), citizen_name=citizen_name, citizen_phone=citizen_phone,
        urgency=urgency or rule.urgency, received_at=ctx.now, created_by_id=ctx.actor_id,
    )


def receive(ctx: Context, ticket: Ticket) -> Case:
    """Start the lifecycle of a new, unsaved ticket."""
    if not ticket._state.adding:
        raise InvalidState(f"工单当前状态为“{state_label(ticket.state)}”，不能重复受理")
    check(None, "receive", channel=ticket.channel_id, category=ticket.category_id, title=ticket.title, description=ticket.description)
    ticket.state = S.RECEIVED
    ticket.received_at = ticket.received_at or ctx.now
    ticket.updated_at = ctx.now
    case = Case(ticket=ticket)
    case.add(ticket)
    case.record(ctx, "receive", "", channel=ticket.channel_id, area=ticket.area_id, located_by=ticket.located_by)
    return case


def reject(case: Case, ctx: Context, *, reason: str) -> None:
    """不予受理: the matter is outside the platform's remit."""
    check(case, "reject", reason=reason)
    before = case.ticket.state
    case.ticket.state = S.REJECTED
    case.ticket.closed_at = ctx.now
    case.record(ctx, "reject", before, note=reason)


# A ticket the operator marks urgent (紧急件) in a category that is normally not urgent is handled round the clock.
URGENT_LIMITS = ((Decimal(1), "hours"), (Decimal(24), "hours"))


def time_limits(ticket: Ticket) -> tuple[tuple[Decimal, str], tuple[Decimal, str]]:
    """Return the (sign, handle) limits: the rule's, or the urgent ones when the ticket is urgent and its rule is not."""
    rule = ticket.rule
    if ticket.urgency == Urgency.URGENT and rule.urgency != Urgency.URGENT:
        return URGENT_LIMITS
    return (rule.sign_limit, rule.sign_limit_unit), (rule.handle_limit, rule.handle_limit_unit)


def channel_limits(ticket: Ticket) -> tuple[tuple[Decimal, str] | None, tuple[Decimal, str] | None]:
    """The channel's own (sign, handle) limits, None where it keeps to the responsibility list.

    Pure: the channel must come loaded with the ticket (the actions select it); a ticket without one has none.
    """
    if not Ticket.channel.is_cached(ticket):
        return None, None
    ch = ticket.channel
    return ((ch.sign_limit, ch.sign_limit_unit) if ch.sign_limit is not None else None,
            (ch.handle_limit, ch.handle_limit_unit) if ch.handle_limit is not None else None)


def deadlines(ticket: Ticket, now, calendar) -> tuple:
    """(sign, handle) deadlines from `now`: the rule's (or urgent) ones, brought forward where the channel's come first."""
    due = []
    for (amount, unit), own in zip(time_limits(ticket), channel_limits(ticket)):
        deadline = compute_deadline(now, amount, unit, calendar)
        if own is not None:
            deadline = min(deadline, compute_deadline(now, own[0], own[1], calendar))
        due.append(deadline)
    return tuple(due)


def dispatch(case: Case, ctx: Context, *, lead_unit_id: int, support_unit_ids=(), note: str = "") -> list[Assignment]:
    """Hand the ticket to a lead unit and optional support units, with deadlines from its rule."""
    check(case, "dispatch", lead_unit=lead_unit_id)
    support = list(dict.fromkeys(support_unit_ids))
    if lead_unit_id in support:
        raise InvalidInput("主办单位不能同时为协办单位")
    ticket = case.ticket
    sign_deadline, handle_deadline = deadlines(ticket, ctx.now, ctx.calendar)
    before = ticket.state
    ticket.dispatch_round += 1
    ticket.state = S.DISPATCHED
    ticket.dispatched_at = ticket.dispatched_at or ctx.now
    ticket.handle_deadline = handle_deadline
    created = []
    for unit_id, role in [(lead_unit_id, Assignment.Role.LEAD)] + [(u, Assignment.Role.SUPPORT) for u in support]:
        a = Assignment(ticket=ticket, unit_id=unit_id, role=role, round=ticket.dispatch_round, state=A.PENDING,
                       dispatched_at=ctx.now, sign_deadline=sign_deadline, handle_deadline=handle_deadline)
        case.assignments.append(case.add(a))
        created.append(a)
    case.record(ctx, "dispatch", before, note=note, lead=lead_unit_id, support=support,
                sign_deadline=sign_deadline.isoformat(), handle_deadline=handle_deadline.isoformat())
    return created


def sign(case: Case, ctx: Context, assignment: Assignment) -> None:
    """签收: the unit accepts the assignment."""
    check(case, "sign", assignment)
    before = case.ticket.state
    assignment.state, assignment.signed_at = A.SIGNED, ctx.now
    case.touch(assignment)
    if assignment.role == Assignment.Role.LEAD:
        case.ticket.state = S.SIGNED
    case.record(ctx, "sign", before, assignment=assignment, unit=assignment.unit_id,
                on_time=ctx.now <= assignment.sign_deadline)


def return_(case: Case, ctx: Context, assignment: Assignment, *, reason: str) -> None:
    """回退: the unit says the ticket is not its business; a lead's return sends the ticket back to the centre."""
    check(case, "return", assignment, reason=reason)
    before = case.ticket.state
    assignment.state, assignment.returned_at, assignment.return_reason = A.RETURNED, ctx.now, reason.strip()
    case.touch(assignment)
    _lapse_extensions(case, ctx, [assignment])
    if assignment.role == Assignment.Role.LEAD:
        _withdraw_open(case, ctx)
        case.ticket.state = S.RETURNED
        case.ticket.handle_deadline = None
    case.record(ctx, "return", before, note=reason, assignment=assignment, unit=assignment.unit_id)


def _withdraw_open(case: Case, ctx: Context) -> None:
    """Withdraw the current round's assignments that are still open, with their pending extension requests."""
    withdrawn = [a for a in case.current() if a.state in OPEN_ASSIGNMENT_STATES]
    for a in withdrawn:
        a.state = A.WITHDRAWN
        case.touch(a)
    _lapse_extensions(case, ctx, withdrawn)


def _lapse_extensions(case: Case, ctx: Context, assignments) -> None:
    """Close the pending extension requests of assignments that ended, so none waits for a decision forever."""
    for e in case.extensions:
        if e.state == Extension.State.PENDING and any(e.assignment is a for a in assignments):
            e.state, e.decided_at, e.decision_note = Extension.State.LAPSED, ctx.now, "交办已结束，申请自动失效"
            case.touch(e)


def _parse_amount(amount, limit_unit) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise InvalidInput("延期时长必须是数字") from None
    # NaN would make the comparisons below raise; more than 2 decimals would not survive the column.
    if not value.is_finite() or value != value.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
        raise InvalidInput("延期时长必须是数字，最多两位小数")
    if value <= 0 or value > 365:
        raise InvalidInput("延期时长必须大于0且不超过365")
    if limit_unit not in LIMIT_UNITS:
        raise InvalidInput("时长单位无效")
    if limit_unit == "work_days" and value != value.to_integral_value():
        # Otherwise approving it fails in compute_deadline, after the request was already accepted.
        raise InvalidInput("按工作日延期时，延期时长必须是整数")
    return value


def request_extension(case: Case, ctx: Context, assignment: Assignment, *, amount, limit_unit: str, reason: str) -> Extension:
    """申请延期: asked before the deadline, one pending request at a time."""
    check(case, "request_extension", assignment, amount=amount, limit_unit=limit_unit, reason=reason)
    value = _parse_amount(amount, limit_unit)
    if any(e.assignment is assignment and e.state == Extension.State.PENDING for e in case.extensions):
        raise InvalidState("已有待审核的延期申请")
    if ctx.now > assignment.handle_deadline:
        raise InvalidState("已超过办理时限，不能再申请延期")
    ext = Extension(assignment=assignment, requested_at=ctx.now, requested_by_id=ctx.actor_id, amount=value,
                    limit_unit=limit_unit, reason=reason.strip(), old_deadline=assignment.handle_deadline)
    case.extensions.append(case.add(ext))
    case.record(ctx, "request_extension", case.ticket.state, note=reason, assignment=assignment,
                amount=str(value), limit_unit=limit_unit)
    return ext


def _decide(case: Case, ctx: Context, ext: Extension, verb: str, note: str) -> None:
    check(case, verb, ext.assignment, note=note)
    if ext.state != Extension.State.PENDING:
        raise InvalidState("该延期申请已审核")
    ext.decided_at, ext.decided_by_id, ext.decision_note = ctx.now, ctx.actor_id, (note or "").strip()
    case.touch(ext)


def approve_extension(case: Case, ctx: Context, ext: Extension, *, note: str = "") -> None:
    """批准延期: the deadline moves by the requested time, counted from the current deadline."""
    _decide(case, ctx, ext, "approve_extension", note)
    a = ext.assignment
    ext.state = Extension.State.APPROVED
    ext.new_deadline = extend_deadline(a.handle_deadline, ext.amount, ext.limit_unit, ctx.calendar)
    a.handle_deadline = ext.new_deadline
    case.touch(a)
    if a.role == Assignment.Role.LEAD:
        case.ticket.handle_deadline = ext.new_deadline
    case.record(ctx, "approve_extension", case.ticket.state, note=note, assignment=a, new_deadline=ext.new_deadline.isoformat())


def deny_extension(case: Case, ctx: Context, ext: Extension, *, note: str) -> None:
    """驳回延期: the deadline stays."""
    _decide(case, ctx, ext, "deny_extension", note)
    ext.state = Extension.State.DENIED
    case.record(ctx, "deny_extension", case.ticket.state, note=note, assignment=ext.assignment)


def report(case: Case, ctx: Context, assignment: Assignment, *, result: str) -> None:
    """办理反馈: the unit reports its result; the lead's report puts the ticket before the centre."""
    check(case, "report", assignment, result=result)
    before = case.ticket.state
    assignment.state, assignment.reported_at, assignment.result = A.REPORTED, ctx.now, result.strip()
    case.touch(assignment)
    # A request still pending once the work is reported must not later move the deadline and undo a late report.
    _lapse_extensions(case, ctx, [assignment])
    if assignment.role == Assignment.Role.LEAD:
        case.ticket.state = S.REPORTED
    case.record(ctx, "report", before, note=result, assignment=assignment, unit=assignment.unit_id,
                on_time=ctx.now <= assignment.handle_deadline)


def close(case: Case, ctx: Context, *, note: str = "") -> None:
    """核查结案: the centre accepts the lead's result; support work still open is withdrawn."""
    check(case, "close")
    _withdraw_open(case, ctx)
    case.ticket.state, case.ticket.closed_at = S.CLOSED, ctx.now
    case.record(ctx, "close", S.REPORTED, note=note)


def rework(case: Case, ctx: Context, *, reason: str) -> None:
    """发回重办: the result is not acceptable; the lead works on under the same deadline."""
    check(case, "rework", reason=reason)
    lead = case.lead()
    lead.state, lead.reported_at = A.SIGNED, None
    lead.rework_count += 1
    case.touch(lead)
    case.ticket.state = S.SIGNED
    case.record(ctx, "rework", S.REPORTED, note=reason, assignment=lead)


def merge(case: Case, ctx: Context, *, parent: Ticket, note: str = "") -> None:
    """并单: the ticket becomes a child of another ticket about the same matter."""
    check(case, "merge", parent=parent)
    if parent is case.ticket or (parent.pk is not None and parent.pk == case.ticket.pk):
        raise InvalidInput("不能并入自身")
    if parent.state in (S.MERGED, S.REJECTED) or parent.parent_id:
        raise InvalidState("主单已并单或不予受理，不能作为主单")
    before = case.ticket.state
    _withdraw_open(case, ctx)
    case.ticket.parent, case.ticket.state, case.ticket.handle_deadline = parent, S.MERGED, None
    case.record(ctx, "merge", before, note=note, parent=parent.number)


def unmerge(case: Case, ctx: Context, *, note: str = "") -> None:
    """拆单: the ticket leaves its parent and waits to be dispatched on its own."""
    check(case, "unmerge")
    parent_number = case.ticket.parent.number
    case.ticket.parent, case.ticket.state = None, S.RECEIVED
    case.record(ctx, "unmerge", S.MERGED, note=note, parent=parent_number)


def callback(case: Case, ctx: Context, *, method: str, answered: bool = True, satisfaction: str = "",
             resolved: bool | None = None, note: str = "") -> Callback:
    """回访: the citizen's verdict on a closed ticket."""
    check(case, "callback", method=method)
    if method not in Callback.Method.values:
        raise InvalidInput("回访方式无效")
    if answered and satisfaction not in Callback.Satisfaction.values:
        raise InvalidInput("有效回访必须选择满意度（满意/基本满意/不满意）")
    if answered and resolved is None:
        raise InvalidInput("有效回访必须填写诉求是否解决（解决率以有效回访为基数）")
    if not answered:
        satisfaction, resolved = "", None
    cb = Callback(ticket=case.ticket, at=ctx.now, by_id=ctx.actor_id, method=method, answered=answered,
                  satisfaction=satisfaction, resolved=resolved, note=(note or "").strip())
    case.callbacks.append(case.add(cb))
    case.record(ctx, "callback", S.CLOSED, note=note, answered=answered, satisfaction=satisfaction, resolved=resolved)
    return cb


def open_investigation(case: Case, ctx: Context, *, note: str = "") -> Investigation:
    """发起调查: only for a ticket whose latest answered callback is unsatisfied, one open at a time."""
    check(case, "open_investigation")
    answered = [c for c in case.callbacks if c.answered]
    if not answered or answered[-1].satisfaction != Callback.Satisfaction.UNSATISFIED:
        raise InvalidState("只有回访不满意的工单才能发起调查")
    if any(i.state == Investigation.State.OPEN for i in case.investigations):
        raise InvalidState("该工单已有进行中的调查")
    latest = answered[-1]
    # One finding per unsatisfied verdict: a second inquiry into the same callback would deduct twice.
    if any((latest.pk is not None and i.callback_id == latest.pk)
           or (Investigation.callback.is_cached(i) and i.callback is latest) for i in case.investigations):
        raise InvalidState("该次不满意回访已调查认定，不能重复发起调查")
    inv = Investigation(ticket=case.ticket, callback=latest, opened_at=ctx.now, opened_by_id=ctx.actor_id, note=(note or "").strip())
    case.investigations.append(case.add(inv))
    case.record(ctx, "open_investigation", S.CLOSED, note=note)
    return inv


def conclude_investigation(case: Case, ctx: Context, inv: Investigation, *, finding: str, responsible_unit_id: int | None = None,
                           deduction_points=0, note: str = "") -> None:
    """责任认定: 有责 names the unit and its deduction; 无责 clears it."""
    check(case, "conclude_investigation", finding=finding)
    if inv.state != Investigation.State.OPEN:
        raise InvalidState("该调查已认定")
    if finding not in Investigation.Finding.values:
        raise InvalidInput("认定结果必须为有责或无责")
    try:
        points = Decimal(str(deduction_points or 0)).quantize(Decimal("0.01"))  # as stored: the figures count it
    except (InvalidOperation, ValueError):
        raise InvalidInput("扣分必须是数字") from None
    if not points.is_finite():
        raise InvalidInput("扣分必须是数字")
    if finding == Investigation.Finding.RESPONSIBLE:
        if not responsible_unit_id:
            raise InvalidInput("认定有责必须指定责任单位")
        # Only a unit that accepted the work can be at fault for it, not one that returned it unsigned.
        if str(responsible_unit_id) not in {str(a.unit_id) for a in case.assignments if a.signed_at is not None}:
            raise InvalidInput("责任单位必须是签收办理过该工单的单位")
        if points < 0 or points > 100:
            raise InvalidInput("扣分应在0到100之间")
    else:
        responsible_unit_id, points = None, Decimal(0)
    inv.state, inv.finding, inv.responsible_unit_id, inv.deduction_points = Investigation.State.CONCLUDED, finding, responsible_unit_id, points
    inv.concluded_at, inv.concluded_by_id = ctx.now, ctx.actor_id
    if note:
        inv.note = f"{inv.note}\n{note}".strip()
    case.touch(inv)
    case.record(ctx, "conclude_investigation", S.CLOSED, note=note, finding=finding, unit=responsible_unit_id, points=str(points))


def reopen(case: Case, ctx: Context, *, reason: str) -> None:
    """重新启用: a closed ticket goes back to the centre to be dispatched again."""
    check(case, "reopen", reason=reason)
    if any(i.state == Investigation.State.OPEN for i in case.investigations):
        raise InvalidState("该工单有进行中的调查，请先完成责任认定再重新启用")
    case.ticket.state, case.ticket.closed_at, case.ticket.handle_deadline = S.RECEIVED, None, None
    case.record(ctx, "reopen", S.CLOSED, note=reason)
