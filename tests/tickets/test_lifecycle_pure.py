"""The pure lifecycle on unsaved model instances: no database, real calendar, real deadlines."""

import copy
import itertools
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import chinese_calendar
import pytest

from gridgov.callbacks.models import Investigation
from gridgov.core.errors import InvalidInput, InvalidState
from gridgov.core.workcalendar import LOCAL_TZ, WorkCalendar
from gridgov.tickets import lifecycle as L
from gridgov.tickets.models import Assignment, Extension, Ticket
from gridgov.tickets.states import TRANSITIONS, A, S, allowed_verbs
from gridgov.units.models import ResponsibilityRule

pytestmark = []  # no django_db: nothing here may touch the database

UTC = timezone.utc
CAL = WorkCalendar()
LEAD, SUP1, SUP2 = 11, 12, 13
_ids = itertools.count(1000)


def local(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=LOCAL_TZ).astimezone(UTC)


T0 = local(2026, 3, 2, 10)  # Monday, a working day
SEP30 = local(2026, 9, 30, 10)  # Wednesday before National Day 2026


def ctx(now=T0, actor=1):
    return L.Context(actor_id=actor, now=now, calendar=CAL)


def make_rule(**kw):
    values = dict(id=1, category_id=10, handler="territorial", effective_from=datetime(2020, 1, 1, tzinfo=UTC),
                  sign_limit=Decimal(1), sign_limit_unit="work_hours", handle_limit=Decimal(10), handle_limit_unit="work_days")
    values.update(kw)
    return ResponsibilityRule(**values)


def make_ticket(rule=None, *, state=S.RECEIVED, number=None, stored=True):
    """A ticket as if loaded from the database (pk set, not adding), or a new one; its rule attached in memory."""
    pk = next(_ids)
    t = Ticket(id=pk if stored else None, number=number or f"RX2026030200{pk}", channel_id="h12345", category_id=10,
               rule_id=1, title="夜间噪音", description="楼下酒吧夜间噪音", received_at=T0, updated_at=T0, state=state,
               area_id="430104001001001")
    t.rule = rule or make_rule()
    t._state.adding = not stored
    return t


def save(case):
    """Stand-in for actions.persist: give new rows ids and mark everything as stored."""
    for obj in case.new:
        if obj.pk is None:
            obj.pk = next(_ids)
        obj._state.adding = False
    case.new.clear()
    case.changed.clear()


def received(rule=None):
    case = L.receive(ctx(), make_ticket(rule, stored=False))
    save(case)
    return case


def dispatched(rule=None, now=T0, support=(SUP1, SUP2)):
    case = received(rule)
    L.dispatch(case, ctx(now), lead_unit_id=LEAD, support_unit_ids=support)
    save(case)
    return case


def by_unit(case, unit_id):
    return next(a for a in case.current() if a.unit_id == unit_id)


def signed(rule=None, now=T0):
    case = dispatched(rule, now)
    L.sign(case, ctx(now + timedelta(minutes=5)), case.lead())
    save(case)
    return case


def reported(now=T0):
    case = signed(now=now)
    L.report(case, ctx(now + timedelta(days=1)), case.lead(), result="已处理")
    save(case)
    return case


def closed(now=T0):
    case = reported(now)
    L.close(case, ctx(now + timedelta(days=1, hours=1)))
    save(case)
    return case


def returned():
    case = dispatched()
    L.return_(case, ctx(T0 + timedelta(minutes=5)), case.lead(), reason="非本单位职责")
    save(case)
    return case


def rejected():
    case = received()
    L.reject(case, ctx(), reason="不属于受理范围")
    save(case)
    return case


def merged():
    case = received()
    L.merge(case, ctx(), parent=make_ticket(state=S.DISPATCHED))
    save(case)
    return case


BUILDERS = {S.RECEIVED: received, S.DISPATCHED: dispatched, S.SIGNED: signed, S.REPORTED: reported, S.CLOSED: closed,
            S.RETURNED: returned, S.REJECTED: rejected, S.MERGED: merged}


def _values(obj):
    return {f.attname: copy.deepcopy(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def snapshot(case, *extra):
    objs = [case.ticket, *case.assignments, *case.extensions, *case.callbacks, *case.investigations, *case.events, *extra]
    return ([(type(o).__name__, id(o), _values(o)) for o in objs],
            [len(x) for x in (case.assignments, case.extensions, case.callbacks, case.investigations, case.events)],
            case.next_seq, list(case.new), dict(case.changed), case.ticket.parent if case.ticket.parent_id else None)


def refused(error, case, fn, *args, extra=(), **kwargs):
    """Call fn, expect `error`, and check nothing in the case (or `extra`) changed and no event was recorded."""
    before = snapshot(case, *extra)
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    assert snapshot(case, *extra) == before
    return info.value


def assert_timeline(case):
    """Events are numbered 1..n without gaps, chain from state to state and end in the ticket's state."""
    seqs = [e.seq for e in case.events]
    assert seqs == list(range(1, len(seqs) + 1)) and case.next_seq == len(seqs) + 1
    assert case.events[0].verb == "receive" and case.events[-1].to_state == case.ticket.state
    for prev, nxt in zip(case.events, case.events[1:]):
        assert nxt.from_state == prev.to_state, (prev.verb, nxt.verb)


# --- deadlines -----------------------------------------------------------------------------------------


def test_national_day_2026_as_the_calendar_knows_it():
    for d in range(1, 8):
        assert not chinese_calendar.is_workday(date(2026, 10, d))
    assert chinese_calendar.is_workday(date(2026, 9, 20))  # Sunday make-up workday
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday make-up workday
    assert date(2026, 9, 20).weekday() == 6 and date(2026, 10, 10).weekday() == 5


def test_dispatch_counts_work_days_across_national_day():
    case = received(make_rule(handle_limit=Decimal(3)))
    created = L.dispatch(case, ctx(SEP30), lead_unit_id=LEAD)
    (lead,) = created
    # Sep 30 is the receipt day; Oct 1-7 are holidays; Oct 8 (Thu), 9 (Fri), 10 (make-up Sat) count.
    assert lead.handle_deadline == local(2026, 10, 10, 17, 30)
    assert lead.sign_deadline == local(2026, 9, 30, 11, 0)  # 1 working hour
    assert case.ticket.handle_deadline == lead.handle_deadline
    assert case.ticket.state == S.DISPATCHED and case.ticket.dispatch_round == 1
    assert case.ticket.dispatched_at == SEP30
    assert lead.state == A.PENDING and lead.role == Assignment.Role.LEAD and lead.round == 1 and lead.dispatched_at == SEP30
    event = case.events[-1]
    assert (event.verb, event.from_state, event.to_state, event.seq) == ("dispatch", S.RECEIVED, S.DISPATCHED, 2)
    assert event.data["handle_deadline"] == lead.handle_deadline.isoformat() and event.data["lead"] == LEAD
    assert event.actor_id == 1 and event.at == SEP30


def test_sign_limit_in_working_hours_skips_the_holiday_week():
    case = received(make_rule(handle_limit=Decimal(3)))
    L.dispatch(case, ctx(local(2026, 9, 30, 17, 0)), lead_unit_id=LEAD)
    # Half an hour left on Sep 30, the other half on Oct 8 after the holiday.
    assert case.lead().sign_deadline == local(2026, 10, 8, 9, 30)
    assert case.lead().handle_deadline == local(2026, 10, 10, 17, 30)


def test_urgent_rule_in_clock_hours_ignores_holidays():
    case = received(make_rule(sign_limit=Decimal("0.5"), sign_limit_unit="hours", handle_limit=Decimal(24), handle_limit_unit="hours"))
    L.dispatch(case, ctx(SEP30), lead_unit_id=LEAD)
    assert case.lead().sign_deadline == SEP30 + timedelta(minutes=30)
    assert case.lead().handle_deadline == SEP30 + timedelta(hours=24)


# --- dispatch ------------------------------------------------------------------------------------------


def test_dispatch_with_support_units():
    case = received()
    created = L.dispatch(case, ctx(), lead_unit_id=LEAD, support_unit_ids=[SUP1, SUP2, SUP1])
    assert [(a.unit_id, a.role) for a in created] == [(LEAD, "lead"), (SUP1, "support"), (SUP2, "support")]
    assert all(a.state == A.PENDING and a.round == 1 for a in created)
    assert len({(a.sign_deadline, a.handle_deadline) for a in created}) == 1
    assert case.lead() is created[0] and case.current() == created
    assert case.events[-1].data["support"] == [SUP1, SUP2]
    assert case.new[:3] == created


def test_dispatch_refusals_change_nothing():
    case = received()
    refused(InvalidInput, case, L.dispatch, case, ctx(), lead_unit_id=LEAD, support_unit_ids=[SUP1, LEAD])
    refused(InvalidInput, case, L.dispatch, case, ctx(), lead_unit_id=None)
    case = dispatched()
    refused(InvalidState, case, L.dispatch, case, ctx(), lead_unit_id=SUP1)


# --- sign, return, report ------------------------------------------------------------------------------


def test_lead_sign_moves_ticket_support_sign_does_not():
    case = dispatched()
    L.sign(case, ctx(T0 + timedelta(minutes=10)), by_unit(case, SUP1))
    assert by_unit(case, SUP1).state == A.SIGNED and case.ticket.state == S.DISPATCHED
    assert case.events[-1].to_state == S.DISPATCHED and case.events[-1].data["on_time"] is True
    assert case.changed == {id(by_unit(case, SUP1)): by_unit(case, SUP1), id(case.ticket): case.ticket}
    L.sign(case, ctx(T0 + timedelta(hours=2)), case.lead())
    assert case.ticket.state == S.SIGNED and case.lead().signed_at == T0 + timedelta(hours=2)
    assert case.events[-1].data["on_time"] is False  # 1 working hour from 10:00 is 11:00
    refused(InvalidState, case, L.sign, case, ctx(), case.lead())
    assert_timeline(case)


def test_lead_return_sends_ticket_back_and_withdraws_the_others():
    case = dispatched()
    L.sign(case, ctx(), by_unit(case, SUP1))
    L.return_(case, ctx(), case.lead(), reason="  非本单位职责 ")
    lead = case.lead()
    assert lead.state == A.RETURNED and lead.return_reason == "非本单位职责" and lead.returned_at == T0
    assert by_unit(case, SUP1).state == A.WITHDRAWN and by_unit(case, SUP2).state == A.WITHDRAWN
    assert case.ticket.state == S.RETURNED and case.ticket.handle_deadline is None
    assert (case.events[-1].verb, case.events[-1].from_state, case.events[-1].to_state) == ("return", S.DISPATCHED, S.RETURNED)
    assert "return" not in allowed_verbs(S.RETURNED) and "dispatch" in allowed_verbs(S.RETURNED)


def test_support_return_leaves_ticket_and_others_alone():
    case = signed()
    L.return_(case, ctx(), by_unit(case, SUP1), reason="不涉及本部门")
    assert by_unit(case, SUP1).state == A.RETURNED
    assert by_unit(case, SUP2).state == A.PENDING and case.lead().state == A.SIGNED
    assert case.ticket.state == S.SIGNED and case.ticket.handle_deadline == case.lead().handle_deadline


def test_return_and_sign_refusals_change_nothing():
    case = signed()
    refused(InvalidState, case, L.return_, case, ctx(), case.lead(), reason="已签收不能回退")
    refused(InvalidInput, case, L.return_, case, ctx(), by_unit(case, SUP1), reason="   ")
    refused(InvalidInput, case, L.return_, case, ctx(), by_unit(case, SUP1), reason=None)
    stranger = Assignment(id=999, ticket=case.ticket, unit_id=99, role="lead", round=1, state=A.PENDING,
                          dispatched_at=T0, sign_deadline=T0, handle_deadline=T0)
    refused(InvalidState, case, L.sign, case, ctx(), stranger)
    refused(InvalidState, case, L.sign, case, ctx(), None)


def test_report_lead_moves_ticket_support_does_not():
    case = signed()
    L.sign(case, ctx(), by_unit(case, SUP1))
    refused(InvalidState, case, L.report, case, ctx(), by_unit(case, SUP2), result="未签收")
    refused(InvalidInput, case, L.report, case, ctx(), by_unit(case, SUP1), result=" ")
    L.report(case, ctx(T0 + timedelta(days=1)), by_unit(case, SUP1), result="协办完成")
    assert by_unit(case, SUP1).state == A.REPORTED and case.ticket.state == S.SIGNED
    L.report(case, ctx(T0 + timedelta(days=30)), case.lead(), result=" 已整改 ")
    assert case.lead().result == "已整改" and case.lead().state == A.REPORTED
    assert case.ticket.state == S.REPORTED and case.events[-1].data["on_time"] is False
    assert_timeline(case)


# --- extensions ----------------------------------------------------------------------------------------


def test_extension_approve_moves_lead_and_ticket_deadline():
    case = received(make_rule(handle_limit=Decimal(3)))
    L.dispatch(case, ctx(SEP30), lead_unit_id=LEAD, support_unit_ids=[SUP1])
    save(case)
    L.sign(case, ctx(SEP30), case.lead())
    ext = L.request_extension(case, ctx(SEP30 + timedelta(hours=1)), case.lead(), amount="2", limit_unit="work_days", reason=" 需协调 ")
    assert (ext.state, ext.amount, ext.old_deadline, ext.reason, ext.requested_by_id) == (
        Extension.State.PENDING, Decimal(2), local(2026, 10, 10, 17, 30), "需协调", 1)
    assert ext.assignment is case.lead() and case.extensions == [ext]
    assert case.ticket.state == S.SIGNED and case.events[-1].to_state == S.SIGNED
    L.approve_extension(case, ctx(SEP30 + timedelta(hours=2), actor=2), ext, note="同意")
    # Counted from the old deadline (Sat Oct 10, a make-up workday): Sun Oct 11 is off, so Mon 12 and Tue 13.
    assert ext.new_deadline == local(2026, 10, 13, 17, 30)
    assert ext.state == Extension.State.APPROVED and ext.decided_by_id == 2 and ext.decision_note == "同意"
    assert case.lead().handle_deadline == ext.new_deadline == case.ticket.handle_deadline
    assert by_unit(case, SUP1).handle_deadline == local(2026, 10, 10, 17, 30)
    refused(InvalidState, case, L.approve_extension, case, ctx(), ext)
    refused(InvalidState, case, L.deny_extension, case, ctx(), ext, note="已审核")
    assert_timeline(case)


def test_support_extension_does_not_move_ticket_deadline():
    case = signed()
    L.sign(case, ctx(), by_unit(case, SUP1))
    before = case.ticket.handle_deadline
    ext = L.request_extension(case, ctx(), by_unit(case, SUP1), amount=8, limit_unit="work_hours", reason="等待材料")
    L.approve_extension(case, ctx(), ext)
    assert by_unit(case, SUP1).handle_deadline == ext.new_deadline > before
    assert case.ticket.handle_deadline == before == case.lead().handle_deadline


def test_extension_deny_keeps_the_deadline():
    case = signed()
    ext = L.request_extension(case, ctx(), case.lead(), amount=5, limit_unit="work_days", reason="需协调")
    refused(InvalidInput, case, L.deny_extension, case, ctx(), ext, note="")
    before = case.lead().handle_deadline
    L.deny_extension(case, ctx(), ext, note="不符合延期条件")
    assert ext.state == Extension.State.DENIED and ext.new_deadline is None and case.lead().handle_deadline == before
    # A denied request no longer blocks a new one.
    L.request_extension(case, ctx(), case.lead(), amount=1, limit_unit="work_days", reason="再次申请")
    assert len(case.extensions) == 2


def test_extension_refused_after_deadline_or_when_one_is_pending():
    case = signed()
    deadline = case.lead().handle_deadline
    refused(InvalidState, case, L.request_extension, case, ctx(deadline + timedelta(seconds=1)), case.lead(),
            amount=1, limit_unit="work_days", reason="来不及")
    L.request_extension(case, ctx(deadline), case.lead(), amount=1, limit_unit="work_days", reason="最后一刻")
    save(case)
    refused(InvalidState, case, L.request_extension, case, ctx(), case.lead(), amount=2, limit_unit="work_days", reason="再来")
    refused(InvalidState, case, L.request_extension, case, ctx(), by_unit(case, SUP1), amount=2, limit_unit="work_days",
            reason="协办未签收")


@pytest.mark.parametrize("amount, unit", [
    (0, "work_days"), (-1, "work_days"), (366, "work_days"), ("abc", "work_days"), ("NaN", "work_days"),
    ("Infinity", "hours"), (None, "work_days"), ("", "work_days"), (1, "fortnights"), (1, None),
    ("1.5", "work_days"), ("0.001", "hours"),
])
def test_extension_amount_validation(amount, unit):
    case = signed()
    refused(InvalidInput, case, L.request_extension, case, ctx(), case.lead(), amount=amount, limit_unit=unit, reason="理由")


def test_extension_with_fractional_hours_is_fine():
    case = signed()
    ext = L.request_extension(case, ctx(), case.lead(), amount="1.5", limit_unit="work_hours", reason="理由")
    L.approve_extension(case, ctx(), ext)
    assert ext.new_deadline == CAL.add_work_hours(ext.old_deadline, 1.5)


def test_extension_reason_required():
    case = signed()
    refused(InvalidInput, case, L.request_extension, case, ctx(), case.lead(), amount=1, limit_unit="work_days", reason=" ")


def test_reporting_lapses_a_pending_extension_so_a_late_report_stays_late():
    case = signed()
    ext = L.request_extension(case, ctx(), case.lead(), amount=1, limit_unit="work_days", reason="理由")
    L.report(case, ctx(), case.lead(), result="好")
    assert ext.state == Extension.State.LAPSED
    refused(InvalidState, case, L.approve_extension, case, ctx(), ext)


# --- close, rework -------------------------------------------------------------------------------------


def test_close_withdraws_open_support_assignments():
    case = signed()
    L.sign(case, ctx(), by_unit(case, SUP1))
    L.report(case, ctx(), case.lead(), result="已处理")
    L.close(case, ctx(T0 + timedelta(days=2)), note="核查属实")
    assert case.ticket.state == S.CLOSED and case.ticket.closed_at == T0 + timedelta(days=2)
    assert by_unit(case, SUP1).state == A.WITHDRAWN and by_unit(case, SUP2).state == A.WITHDRAWN
    assert case.lead().state == A.REPORTED
    assert (case.events[-1].verb, case.events[-1].from_state, case.events[-1].to_state) == ("close", S.REPORTED, S.CLOSED)


def test_close_refused_before_the_lead_reports():
    for build in (dispatched, signed, returned, received):
        case = build()
        refused(InvalidState, case, L.close, case, ctx())


def test_rework_bumps_rework_count_and_keeps_deadline():
    case = reported()
    deadline = case.lead().handle_deadline
    refused(InvalidInput, case, L.rework, case, ctx(), reason="")
    L.rework(case, ctx(), reason="整改不到位")
    lead = case.lead()
    assert lead.rework_count == 1 and lead.state == A.SIGNED and lead.reported_at is None
    assert case.ticket.state == S.SIGNED and case.ticket.handle_deadline == deadline == lead.handle_deadline
    assert case.events[-1].assignment is lead
    L.report(case, ctx(), lead, result="再次整改")
    L.rework(case, ctx(), reason="仍不到位")
    assert lead.rework_count == 2
    refused(InvalidState, case, L.rework, case, ctx(), reason="未反馈")
    assert_timeline(case)


# --- merge -----------------------------------------------------------------------------------------------


def test_merge_and_unmerge():
    parent = make_ticket(state=S.SIGNED, number="RX202603020001")
    case = signed()
    L.sign(case, ctx(), by_unit(case, SUP1))
    L.merge(case, ctx(), parent=parent, note="同一事项")
    t = case.ticket
    assert t.state == S.MERGED and t.parent is parent and t.parent_id == parent.pk and t.handle_deadline is None
    assert all(a.state == A.WITHDRAWN for a in case.current())
    assert case.events[-1].data == {"parent": "RX202603020001"}
    assert parent.state == S.SIGNED and parent.parent_id is None
    L.unmerge(case, ctx(), note="并错了")
    assert t.state == S.RECEIVED and t.parent is None and t.parent_id is None
    assert case.events[-1].data == {"parent": "RX202603020001"} and case.events[-1].from_state == S.MERGED
    # Re-dispatch after unmerging opens a new round.
    L.dispatch(case, ctx(), lead_unit_id=SUP2)
    assert t.dispatch_round == 2 and case.lead().unit_id == SUP2
    assert_timeline(case)


def test_merge_refusals_change_nothing():
    case = dispatched()
    refused(InvalidInput, case, L.merge, case, ctx(), parent=None)
    refused(InvalidInput, case, L.merge, case, ctx(), parent=case.ticket)
    twin = make_ticket(state=S.RECEIVED)
    twin.pk = case.ticket.pk
    refused(InvalidInput, case, L.merge, case, ctx(), parent=twin)
    for state in (S.MERGED, S.REJECTED):
        bad = make_ticket(state=state)
        refused(InvalidState, case, L.merge, case, ctx(), parent=bad, extra=(bad,))
    child = make_ticket(state=S.RECEIVED)
    child.parent = make_ticket(state=S.CLOSED)
    refused(InvalidState, case, L.merge, case, ctx(), parent=child, extra=(child,))
    for build in (reported, closed, rejected, merged):
        other = build()
        refused(InvalidState, other, L.merge, other, ctx(), parent=make_ticket())
    refused(InvalidState, case, L.unmerge, case, ctx())


# --- callbacks and investigations ----------------------------------------------------------------------


def test_callback_validation():
    case = closed()
    refused(InvalidInput, case, L.callback, case, ctx(), method="phone", satisfaction="")
    refused(InvalidInput, case, L.callback, case, ctx(), method="phone", satisfaction="happy")
    refused(InvalidInput, case, L.callback, case, ctx(), method="pigeon", satisfaction="satisfied")
    refused(InvalidInput, case, L.callback, case, ctx(), method="", satisfaction="satisfied")
    cb = L.callback(case, ctx(), method="phone", answered=False, satisfaction="unsatisfied", resolved=False)
    assert (cb.answered, cb.satisfaction, cb.resolved) == (False, "", None)
    cb = L.callback(case, ctx(), method="sms", satisfaction="basic", resolved=True, note=" 还行 ")
    assert (cb.answered, cb.satisfaction, cb.resolved, cb.note, cb.by_id) == (True, "basic", True, "还行", 1)
    assert case.ticket.state == S.CLOSED and case.events[-1].to_state == S.CLOSED
    for build in (received, dispatched, reported, merged):
        other = build()
        refused(InvalidState, other, L.callback, other, ctx(), method="phone", satisfaction="satisfied", resolved=True)


def test_open_investigation_requires_unsatisfied_latest_answered_callback():
    case = closed()
    refused(InvalidState, case, L.open_investigation, case, ctx())
    L.callback(case, ctx(), method="phone", satisfaction="satisfied", resolved=True)
    refused(InvalidState, case, L.open_investigation, case, ctx())
    L.callback(case, ctx(), method="phone", satisfaction="unsatisfied", resolved=False)
    L.callback(case, ctx(), method="phone", answered=False)  # an unanswered call does not count
    save(case)
    inv = L.open_investigation(case, ctx(), note="介入")
    assert inv.callback is case.callbacks[1] and inv.state == Investigation.State.OPEN and inv.opened_by_id == 1
    refused(InvalidState, case, L.open_investigation, case, ctx())  # one open at a time
    L.conclude_investigation(case, ctx(), inv, finding="not_responsible")
    save(case)
    # The same unsatisfied verdict is not investigated twice; a new one is.
    refused(InvalidState, case, L.open_investigation, case, ctx())
    L.callback(case, ctx(), method="visit", satisfaction="unsatisfied", resolved=False)
    second = L.open_investigation(case, ctx())
    assert second.callback is case.callbacks[-1]
    L.conclude_investigation(case, ctx(), second, finding="not_responsible")
    L.callback(case, ctx(), method="visit", satisfaction="satisfied", resolved=True)
    refused(InvalidState, case, L.open_investigation, case, ctx())
    assert_timeline(case)


def test_conclude_investigation_validation():
    case = closed()
    L.callback(case, ctx(), method="phone", satisfaction="unsatisfied", resolved=False)
    inv = L.open_investigation(case, ctx(), note="调查")
    for kwargs in ({"finding": ""}, {"finding": "guilty"}, {"finding": "responsible"},
                   {"finding": "responsible", "responsible_unit_id": LEAD, "deduction_points": 101},
                   {"finding": "responsible", "responsible_unit_id": LEAD, "deduction_points": -1},
                   {"finding": "responsible", "responsible_unit_id": LEAD, "deduction_points": "x"},
                   {"finding": "responsible", "responsible_unit_id": LEAD, "deduction_points": "NaN"}):
        refused(InvalidInput, case, L.conclude_investigation, case, ctx(), inv, **kwargs)
    L.conclude_investigation(case, ctx(T0 + timedelta(days=5), actor=7), inv, finding="responsible",
                             responsible_unit_id=LEAD, deduction_points="2.5", note="属实")
    assert (inv.state, inv.finding, inv.responsible_unit_id, inv.deduction_points) == ("concluded", "responsible", LEAD, Decimal("2.5"))
    assert inv.concluded_by_id == 7 and inv.note == "调查\n属实"
    refused(InvalidState, case, L.conclude_investigation, case, ctx(), inv, finding="not_responsible")


def test_not_responsible_clears_unit_and_points():
    case = closed()
    L.callback(case, ctx(), method="phone", satisfaction="unsatisfied", resolved=False)
    inv = L.open_investigation(case, ctx())
    L.conclude_investigation(case, ctx(), inv, finding="not_responsible", responsible_unit_id=LEAD, deduction_points=5)
    assert inv.responsible_unit_id is None and inv.deduction_points == 0


# --- reopen, reject, receive ---------------------------------------------------------------------------


def test_reopen_then_redispatch_creates_round_two():
    case = closed()
    first = list(case.assignments)
    refused(InvalidInput, case, L.reopen, case, ctx(), reason=" ")
    L.reopen(case, ctx(T0 + timedelta(days=3)), reason="群众反映问题复发")
    t = case.ticket
    assert t.state == S.RECEIVED and t.closed_at is None and t.handle_deadline is None
    L.dispatch(case, ctx(T0 + timedelta(days=4)), lead_unit_id=SUP1, support_unit_ids=[LEAD])
    assert t.dispatch_round == 2 and t.state == S.DISPATCHED
    assert case.lead().round == 2 and case.lead().unit_id == SUP1 and case.lead() not in first
    assert {a.round for a in case.current()} == {2} and len(case.current()) == 2
    assert t.handle_deadline == case.lead().handle_deadline
    assert [a.state for a in first] == [A.REPORTED, A.WITHDRAWN, A.WITHDRAWN]
    # Round-one assignments can no longer be acted on.
    refused(InvalidState, case, L.sign, case, ctx(), first[1])
    assert t.dispatched_at == T0  # the first dispatch time is kept
    assert_timeline(case)


def test_reject_from_received_and_returned_only():
    case = received()
    refused(InvalidInput, case, L.reject, case, ctx(), reason="")
    L.reject(case, ctx(), reason="不属于受理范围")
    assert case.ticket.state == S.REJECTED and case.ticket.closed_at == T0
    case = returned()
    L.reject(case, ctx(), reason="无法办理")
    assert case.ticket.state == S.REJECTED
    case = dispatched()
    refused(InvalidState, case, L.reject, case, ctx(), reason="已派单")


def test_receive():
    t = make_ticket(stored=False)
    t.received_at = None
    case = L.receive(ctx(), t)
    assert t.state == S.RECEIVED and t.received_at == T0 and case.new[0] is t
    assert [(e.seq, e.verb, e.from_state, e.to_state) for e in case.events] == [(1, "receive", "", S.RECEIVED)]
    assert case.next_seq == 2
    blank = make_ticket(stored=False)
    blank.title = "  "
    with pytest.raises(InvalidInput) as info:
        L.receive(ctx(), blank)
    assert info.value.details["missing"] == ["标题"]
    blank.title, blank.channel_id = "标题", None
    with pytest.raises(InvalidInput) as info:
        L.receive(ctx(), blank)
    assert info.value.details["missing"] == ["渠道"]


def test_receive_refuses_a_ticket_already_in_the_lifecycle():
    case = dispatched()
    with pytest.raises(InvalidState):
        L.receive(ctx(), case.ticket)
    assert case.ticket.state == S.DISPATCHED


# --- every verb in every state where the table forbids it ------------------------------------------------


def _call(verb, case):
    """Call the lifecycle function of `verb` with arguments that would be fine in a legal state."""
    lead = case.lead() or Assignment(ticket=case.ticket, unit_id=LEAD, role="lead", round=1, state=A.SIGNED,
                                     dispatched_at=T0, sign_deadline=T0, handle_deadline=T0 + timedelta(days=30))
    ext = Extension(assignment=lead, requested_at=T0, amount=1, limit_unit="work_days", reason="r", old_deadline=T0)
    inv = Investigation(ticket=case.ticket, opened_at=T0)
    c = ctx()
    calls = {
        "receive": lambda: L.receive(c, case.ticket),
        "reject": lambda: L.reject(case, c, reason="r"),
        "dispatch": lambda: L.dispatch(case, c, lead_unit_id=SUP2),
        "sign": lambda: L.sign(case, c, lead),
        "return": lambda: L.return_(case, c, lead, reason="r"),
        "request_extension": lambda: L.request_extension(case, c, lead, amount=1, limit_unit="work_days", reason="r"),
        "approve_extension": lambda: L.approve_extension(case, c, ext),
        "deny_extension": lambda: L.deny_extension(case, c, ext, note="n"),
        "report": lambda: L.report(case, c, lead, result="r"),
        "close": lambda: L.close(case, c),
        "rework": lambda: L.rework(case, c, reason="r"),
        "merge": lambda: L.merge(case, c, parent=make_ticket()),
        "unmerge": lambda: L.unmerge(case, c),
        "callback": lambda: L.callback(case, c, method="phone", satisfaction="satisfied", resolved=True),
        "open_investigation": lambda: L.open_investigation(case, c),
        "conclude_investigation": lambda: L.conclude_investigation(case, c, inv, finding="not_responsible"),
        "reopen": lambda: L.reopen(case, c, reason="r"),
    }
    return calls[verb]()


@pytest.mark.parametrize("state", list(BUILDERS))
def test_every_verb_outside_its_source_states_is_refused(state):
    for verb, t in TRANSITIONS.items():
        if state in t.sources:
            continue
        case = BUILDERS[state]()
        assert case.ticket.state == state
        refused(InvalidState, case, _call, verb, case)


@pytest.mark.parametrize("state", list(BUILDERS))
def test_builders_leave_consistent_timelines(state):
    case = BUILDERS[state]()
    assert_timeline(case)
    assert case.events[-1].to_state == state
    assert not any(a.state in (A.PENDING, A.SIGNED) for a in case.assignments) or state in (S.DISPATCHED, S.SIGNED, S.REPORTED)


# --- pending extensions lapse, urgent tickets, who can be found responsible ----------------------------------

def _signed_with_pending_extension(support=(SUP1,)):
    case = dispatched(support=support)
    lead = by_unit(case, LEAD)
    L.sign(case, ctx(T0 + timedelta(minutes=5)), lead)
    ext = L.request_extension(case, ctx(T0 + timedelta(hours=1)), lead, amount=3, limit_unit="work_days", reason="需协调")
    save(case)
    return case, lead, ext


def test_merging_lapses_the_pending_extension_of_the_withdrawn_lead():
    case, lead, ext = _signed_with_pending_extension()
    L.merge(case, ctx(T0 + timedelta(hours=2)), parent=make_ticket(state=S.RECEIVED))
    assert ext.state == Extension.State.LAPSED and ext.decided_at == T0 + timedelta(hours=2)
    with pytest.raises(InvalidState):
        L.approve_extension(case, ctx(T0 + timedelta(hours=3)), ext)


def test_closing_lapses_a_support_units_pending_extension_but_keeps_decided_ones():
    case = dispatched(support=(SUP1,))
    lead, sup = by_unit(case, LEAD), by_unit(case, SUP1)
    for a in (lead, sup):
        L.sign(case, ctx(T0 + timedelta(minutes=5)), a)
    pending = L.request_extension(case, ctx(T0 + timedelta(hours=1)), sup, amount=2, limit_unit="work_days", reason="待协调")
    L.report(case, ctx(T0 + timedelta(hours=2)), lead, result="已处理")
    L.close(case, ctx(T0 + timedelta(hours=3)))
    assert sup.state == A.WITHDRAWN and pending.state == Extension.State.LAPSED


def test_an_urgent_ticket_in_a_normal_category_gets_round_the_clock_limits():
    case = received()
    case.ticket.urgency = "urgent"
    friday_evening = local(2026, 3, 6, 18)
    L.dispatch(case, ctx(friday_evening), lead_unit_id=LEAD)
    a = by_unit(case, LEAD)
    assert a.sign_deadline == friday_evening + timedelta(hours=1)
    assert a.handle_deadline == case.ticket.handle_deadline == friday_evening + timedelta(hours=24)


def test_only_a_unit_that_handled_the_ticket_can_be_found_responsible():
    case = dispatched(support=())
    lead = by_unit(case, LEAD)
    L.sign(case, ctx(), lead)
    L.report(case, ctx(), lead, result="已处理")
    L.close(case, ctx())
    L.callback(case, ctx(), method="phone", satisfaction="unsatisfied", resolved=False)
    inv = L.open_investigation(case, ctx())
    save(case)
    with pytest.raises(InvalidInput, match="签收办理过"):
        L.conclude_investigation(case, ctx(), inv, finding="responsible", responsible_unit_id=999, deduction_points=1)
    assert inv.state == Investigation.State.OPEN
    L.conclude_investigation(case, ctx(), inv, finding="responsible", responsible_unit_id=LEAD, deduction_points=1)
    assert inv.responsible_unit_id == LEAD


def test_an_answered_callback_must_say_whether_it_was_resolved():
    case = closed()
    refused(InvalidInput, case, L.callback, case, ctx(), method="phone", satisfaction="satisfied")


def test_reopen_waits_for_an_open_investigation():
    case = closed()
    L.callback(case, ctx(), method="phone", satisfaction="unsatisfied", resolved=False)
    L.open_investigation(case, ctx())
    refused(InvalidState, case, L.reopen, case, ctx(), reason="重办")
