"""Every do_* action as every persona: the right people succeed, everyone else is refused and nothing changes."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import pytest

from gridgov.callbacks.models import Callback, Investigation
from gridgov.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from gridgov.tickets import actions
from gridgov.tickets.models import Assignment, Channel, Extension, NumberSequence, Ticket, TimelineEvent
from gridgov.tickets.states import A, S
from tests.conftest import MONDAY_10AM

T = MONDAY_10AM
PERSONAS = ["operator", "dispatcher", "handler_a", "handler_b", "handler_city", "leader_a", "grid_worker",
            "investigator", "viewer", "outsider", "admin"]
DISTRICT_WIDE = {"operator", "dispatcher", "investigator", "viewer", "admin"}
UNIT_OF = {"handler_a": "unit_a", "leader_a": "unit_a", "handler_b": "unit_b", "handler_city": "dept_city"}
CENTRE = frozenset({"dispatcher", "admin"})
UNIT_A = frozenset({"handler_a", "leader_a", "admin"})
CITY = frozenset({"handler_city", "admin"})


def at(**delta):
    return T + timedelta(**delta)


def db_state():
    """Every row an action could write, in a comparable form."""
    return {model.__name__: list(model.objects.order_by("pk").values())
            for model in (Ticket, Assignment, Extension, Callback, Investigation, TimelineEvent, NumberSequence)}


def receive(w, *, lon=0.5, lat=0.5, category=None, actor=None, now=T, **kw):
    return actions.do_receive(actor or w.operator, channel="h12345", category=(category or w.cat_noise).code, title="夜间噪音",
                              description="楼下酒吧夜间噪音", lon=lon, lat=lat, citizen_name="张三", citizen_phone="13800001234",
                              now=now, **kw)


def lead_of(ticket):
    return ticket.assignments.get(role="lead", round=Ticket.objects.get(pk=ticket.pk).dispatch_round)


def support_of(ticket, unit):
    return ticket.assignments.get(role="support", unit=unit)


# --- scenario setups: each brings a fresh ticket to where the verb is legal ------------------------------


def s_received(w):
    return {"ticket": receive(w)}


def s_dispatched(w):
    t = receive(w)
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk], now=at(minutes=5))
    return {"ticket": t, "lead": lead_of(t), "support": support_of(t, w.dept_city)}


def s_signed(w):
    s = s_dispatched(w)
    actions.do_sign(w.handler_a, s["ticket"].pk, assignment_id=s["lead"].pk, now=at(minutes=10))
    return s


def s_support_signed(w):
    s = s_signed(w)
    actions.do_sign(w.handler_city, s["ticket"].pk, assignment_id=s["support"].pk, now=at(minutes=15))
    return s


def s_extension(w):
    s = s_signed(w)
    s["ext"] = actions.do_request_extension(w.handler_a, s["ticket"].pk, assignment_id=s["lead"].pk, amount=3,
                                            limit_unit="work_days", reason="需协调", now=at(hours=1))
    return s


def s_reported(w):
    s = s_signed(w)
    actions.do_report(w.handler_a, s["ticket"].pk, assignment_id=s["lead"].pk, result="已协调", now=at(days=1))
    return s


def s_closed(w):
    s = s_reported(w)
    actions.do_close(w.dispatcher, s["ticket"].pk, now=at(days=1, hours=1))
    return s


def s_unsatisfied(w):
    s = s_closed(w)
    actions.do_callback(w.operator, s["ticket"].pk, method="phone", satisfaction="unsatisfied", resolved=False, now=at(days=2))
    return s


def s_investigating(w):
    s = s_unsatisfied(w)
    s["inv"] = actions.do_open_investigation(w.investigator, s["ticket"].pk, now=at(days=2, hours=1))
    return s


def s_merge(w):
    s = s_dispatched(w)
    s["parent"] = receive(w, now=at(minutes=20))
    return s


def s_merged(w):
    s = s_merge(w)
    actions.do_merge(w.dispatcher, s["ticket"].pk, parent_id=s["parent"].pk, now=at(minutes=30))
    return s


@dataclass(frozen=True)
class Scenario:
    setup: Callable
    call: Callable
    allowed: frozenset
    to_state: str
    verb: str = ""


SCENARIOS = {
    "receive": Scenario(lambda w: {}, lambda w, u, s: receive(w, actor=u, now=at(hours=3)),
                        frozenset({"operator", "dispatcher", "grid_worker", "admin"}), S.RECEIVED),
    "reject": Scenario(s_received, lambda w, u, s: actions.do_reject(u, s["ticket"].pk, reason="不属于受理范围", now=at(hours=3)),
                       frozenset({"operator", "dispatcher", "admin"}), S.REJECTED),
    "dispatch": Scenario(s_received, lambda w, u, s: actions.do_dispatch(u, s["ticket"].pk, lead_unit_id=w.unit_a.pk,
                                                                         support_unit_ids=[w.dept_city.pk], now=at(hours=3)),
                         CENTRE, S.DISPATCHED),
    "sign_lead": Scenario(s_dispatched, lambda w, u, s: actions.do_sign(u, s["ticket"].pk, assignment_id=s["lead"].pk, now=at(hours=3)),
                          UNIT_A, S.SIGNED, "sign"),
    "sign_support": Scenario(s_dispatched, lambda w, u, s: actions.do_sign(u, s["ticket"].pk, assignment_id=s["support"].pk,
                                                                           now=at(hours=3)), CITY, S.DISPATCHED, "sign"),
    "return_lead": Scenario(s_dispatched, lambda w, u, s: actions.do_return(u, s["ticket"].pk, assignment_id=s["lead"].pk,
                                                                            reason="非本单位职责", now=at(hours=3)),
                            UNIT_A, S.RETURNED, "return"),
    "return_support": Scenario(s_dispatched, lambda w, u, s: actions.do_return(u, s["ticket"].pk, assignment_id=s["support"].pk,
                                                                               reason="不涉及", now=at(hours=3)),
                               CITY, S.DISPATCHED, "return"),
    "request_extension": Scenario(s_signed, lambda w, u, s: actions.do_request_extension(
        u, s["ticket"].pk, assignment_id=s["lead"].pk, amount=2, limit_unit="work_days", reason="需协调", now=at(hours=3)),
        UNIT_A, S.SIGNED),
    "approve_extension": Scenario(s_extension, lambda w, u, s: actions.do_approve_extension(
        u, s["ticket"].pk, extension_id=s["ext"].pk, note="同意", now=at(hours=3)), CENTRE, S.SIGNED),
    "deny_extension": Scenario(s_extension, lambda w, u, s: actions.do_deny_extension(
        u, s["ticket"].pk, extension_id=s["ext"].pk, note="不同意", now=at(hours=3)), CENTRE, S.SIGNED),
    "report_lead": Scenario(s_signed, lambda w, u, s: actions.do_report(u, s["ticket"].pk, assignment_id=s["lead"].pk,
                                                                        result="已处理", now=at(hours=3)),
                            UNIT_A, S.REPORTED, "report"),
    "report_support": Scenario(s_support_signed, lambda w, u, s: actions.do_report(
        u, s["ticket"].pk, assignment_id=s["support"].pk, result="协办完成", now=at(hours=3)), CITY, S.SIGNED, "report"),
    "close": Scenario(s_reported, lambda w, u, s: actions.do_close(u, s["ticket"].pk, now=at(days=1, hours=3)), CENTRE, S.CLOSED),
    "rework": Scenario(s_reported, lambda w, u, s: actions.do_rework(u, s["ticket"].pk, reason="不到位", now=at(days=1, hours=3)),
                       CENTRE, S.SIGNED),
    "merge": Scenario(s_merge, lambda w, u, s: actions.do_merge(u, s["ticket"].pk, parent_id=s["parent"].pk, now=at(hours=3)),
                      CENTRE, S.MERGED),
    "unmerge": Scenario(s_merged, lambda w, u, s: actions.do_unmerge(u, s["ticket"].pk, now=at(hours=3)), CENTRE, S.RECEIVED),
    "callback": Scenario(s_closed, lambda w, u, s: actions.do_callback(u, s["ticket"].pk, method="phone", satisfaction="satisfied",
                                                                      resolved=True, now=at(days=3)),
                         frozenset({"operator", "dispatcher", "admin"}), S.CLOSED),
    "open_investigation": Scenario(s_unsatisfied, lambda w, u, s: actions.do_open_investigation(u, s["ticket"].pk, now=at(days=3)),
                                   frozenset({"investigator", "admin"}), S.CLOSED),
    "conclude_investigation": Scenario(s_investigating, lambda w, u, s: actions.do_conclude_investigation(
        u, s["ticket"].pk, investigation_id=s["inv"].pk, finding="responsible", responsible_unit_id=w.unit_a.pk,
        deduction_points=2, now=at(days=4)), frozenset({"investigator", "admin"}), S.CLOSED),
    "reopen": Scenario(s_closed, lambda w, u, s: actions.do_reopen(u, s["ticket"].pk, reason="问题复发", now=at(days=3)),
                       CENTRE, S.RECEIVED),
}


def can_see(w, persona, ticket) -> bool:
    """Who sees a ticket, written from the personas' grants rather than from access.py."""
    if persona in DISTRICT_WIDE:
        return True
    if persona == "grid_worker":
        return (ticket.area_id or "").startswith(w.grid_a1.code)
    if persona in UNIT_OF:
        return Assignment.objects.filter(ticket=ticket, unit=getattr(w, UNIT_OF[persona])).exists()
    return False


def expected_refusal(w, name, persona, s):
    if name == "receive":
        return Forbidden
    visible = can_see(w, persona, s["ticket"]) and ("parent" not in s or name != "merge" or can_see(w, persona, s["parent"]))
    return Forbidden if visible else NotFound


MATRIX = [(name, persona) for name in SCENARIOS for persona in PERSONAS]


@pytest.mark.parametrize("name, persona", MATRIX, ids=[f"{n}-{p}" for n, p in MATRIX])
def test_action_by_persona(world, name, persona):
    w, sc = world, SCENARIOS[name]
    s = sc.setup(w)
    user = getattr(w, persona)
    before = db_state()
    if persona in sc.allowed:
        result = sc.call(w, user, s)
        ticket = Ticket.objects.get(pk=(s["ticket"] if "ticket" in s else result).pk)
        assert ticket.state == sc.to_state
        event = ticket.events.order_by("-seq").first()
        assert event.verb == (sc.verb or name) and event.actor_id == user.pk and event.to_state == ticket.state
        assert len(db_state()["TimelineEvent"]) == len(before["TimelineEvent"]) + 1
    else:
        with pytest.raises((Forbidden, NotFound)) as info:
            sc.call(w, user, s)
        assert type(info.value) is expected_refusal(w, name, persona, s)
        assert db_state() == before


def test_matrix_covers_every_verb():
    from gridgov.tickets.states import TRANSITIONS

    assert {sc.verb or name for name, sc in SCENARIOS.items()} == set(TRANSITIONS)


# --- specific rules -------------------------------------------------------------------------------------


def test_handler_b_cannot_sign_handler_a_assignment(world):
    w = world
    t = receive(w)
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, now=at(minutes=5))
    lead = lead_of(t)
    before = db_state()
    with pytest.raises(NotFound):  # unit_b has nothing to do with the ticket: it does not even exist for them
        actions.do_sign(w.handler_b, t.pk, assignment_id=lead.pk)
    assert db_state() == before
    # Once unit_b supports a ticket it can see it, but still not sign the lead's assignment.
    t2 = receive(w, now=at(minutes=1))
    actions.do_dispatch(w.dispatcher, t2.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.unit_b.pk], now=at(minutes=5))
    before = db_state()
    for verb in (actions.do_sign, lambda *a, **k: actions.do_return(*a, reason="不是我们", **k)):
        with pytest.raises(Forbidden):
            verb(w.handler_b, t2.pk, assignment_id=lead_of(t2).pk)
    assert db_state() == before
    actions.do_sign(w.handler_b, t2.pk, assignment_id=support_of(t2, w.unit_b).pk)
    # An assignment id of another ticket is not found on this one.
    with pytest.raises(NotFound):
        actions.do_sign(w.handler_a, t2.pk, assignment_id=lead.pk)


def test_support_unit_signs_and_reports_without_moving_the_ticket(world):
    w = world
    t = receive(w, category=w.cat_road)
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.dept_city.pk, support_unit_ids=[w.unit_a.pk], now=at(minutes=5))
    sup = support_of(t, w.unit_a)
    actions.do_sign(w.leader_a, t.pk, assignment_id=sup.pk, now=at(minutes=10))
    t.refresh_from_db()
    sup.refresh_from_db()
    assert t.state == S.DISPATCHED and sup.state == A.SIGNED
    actions.do_report(w.handler_a, t.pk, assignment_id=sup.pk, result="协办完成", now=at(hours=2))
    t.refresh_from_db()
    sup.refresh_from_db()
    assert t.state == S.DISPATCHED and sup.state == A.REPORTED and sup.result == "协办完成"
    assert list(t.events.values_list("verb", "to_state")) == [
        ("receive", S.RECEIVED), ("dispatch", S.DISPATCHED), ("sign", S.DISPATCHED), ("report", S.DISPATCHED)]
    # The support's report does not let the centre close: the lead has not reported.
    with pytest.raises(InvalidState):
        actions.do_close(w.dispatcher, t.pk)
    lead = lead_of(t)
    actions.do_sign(w.handler_city, t.pk, assignment_id=lead.pk, now=at(hours=3))
    actions.do_report(w.handler_city, t.pk, assignment_id=lead.pk, result="已修复", now=at(hours=4))
    actions.do_close(w.dispatcher, t.pk, now=at(hours=5))
    t.refresh_from_db()
    assert t.state == S.CLOSED
    assert sorted(t.assignments.values_list("role", "state")) == [("lead", A.REPORTED), ("support", A.REPORTED)]


def test_close_withdraws_support_still_open(world):
    s = s_reported(world)
    actions.do_close(world.dispatcher, s["ticket"].pk, now=at(days=2))
    assert Assignment.objects.get(pk=s["support"].pk).state == A.WITHDRAWN


def test_grid_worker_receives_only_in_their_grid(world):
    w = world
    t = receive(w, actor=w.grid_worker, lon=0.5, lat=0.5)
    assert t.area_id == w.grid_a1.code and t.created_by_id == w.grid_worker.pk
    assert t.events.get().actor_id == w.grid_worker.pk
    before = db_state()
    with pytest.raises(Forbidden):
        receive(w, actor=w.grid_worker, lon=3.0, lat=1.0)  # 桐木第1网格, another street
    with pytest.raises(Forbidden):
        receive(w, actor=w.grid_worker, lon=None, lat=None)  # not located: belongs to the district as a whole
    assert db_state() == before
    # The district's operator may register either.
    far = receive(w, lon=3.0, lat=1.0)
    nowhere = receive(w, lon=None, lat=None)
    assert far.area_id == w.grid_b1.code and nowhere.area_id is None


def test_illegal_state_changes_nothing(world):
    w = world
    s = s_dispatched(w)
    t = s["ticket"]
    before = db_state()
    for call in (lambda: actions.do_close(w.dispatcher, t.pk),
                 lambda: actions.do_rework(w.dispatcher, t.pk, reason="x"),
                 lambda: actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_b.pk),
                 lambda: actions.do_reject(w.dispatcher, t.pk, reason="x"),
                 lambda: actions.do_reopen(w.dispatcher, t.pk, reason="x"),
                 lambda: actions.do_unmerge(w.dispatcher, t.pk),
                 lambda: actions.do_callback(w.operator, t.pk, method="phone", satisfaction="satisfied"),
                 lambda: actions.do_open_investigation(w.investigator, t.pk),
                 lambda: actions.do_report(w.handler_a, t.pk, assignment_id=s["lead"].pk, result="未签收就反馈"),
                 lambda: actions.do_request_extension(w.handler_a, t.pk, assignment_id=s["lead"].pk, amount=1,
                                                      limit_unit="work_days", reason="未签收")):
        with pytest.raises(InvalidState):
            call()
    assert db_state() == before
    actions.do_sign(w.handler_a, t.pk, assignment_id=s["lead"].pk)
    before = db_state()
    with pytest.raises(InvalidState):
        actions.do_sign(w.handler_a, t.pk, assignment_id=s["lead"].pk)
    with pytest.raises(InvalidState):
        actions.do_return(w.handler_a, t.pk, assignment_id=s["lead"].pk, reason="已签收")
    assert db_state() == before


def test_missing_required_fields(world):
    w = world
    s = s_extension(w)
    t, lead, ext = s["ticket"], s["lead"], s["ext"]
    received = receive(w, now=at(minutes=1))
    closed = s_investigating(w)
    before = db_state()
    calls = [
        lambda: actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title="  ", description="有内容"),
        lambda: actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title="有标题", description=""),
        lambda: actions.do_receive(w.operator, channel="nope", category=w.cat_noise.code, title="t", description="d"),
        lambda: actions.do_receive(w.operator, channel="h12345", category="0101", title="t", description="d"),  # not a leaf
        lambda: actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title="t", description="d", lon=1),
        lambda: actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title="t", description="d",
                                   citizen_phone="call me"),
        lambda: actions.do_reject(w.dispatcher, received.pk, reason=" "),
        lambda: actions.do_dispatch(w.dispatcher, received.pk, lead_unit_id=None),
        lambda: actions.do_dispatch(w.dispatcher, received.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.unit_a.pk]),
        lambda: actions.do_dispatch(w.dispatcher, received.pk, lead_unit_id=987654),
        lambda: actions.do_merge(w.dispatcher, received.pk, parent_id=None),
        lambda: actions.do_merge(w.dispatcher, received.pk, parent_id=received.pk),
        lambda: actions.do_request_extension(w.handler_a, t.pk, assignment_id=lead.pk, amount=None, limit_unit="work_days", reason="r"),
        lambda: actions.do_request_extension(w.handler_a, t.pk, assignment_id=lead.pk, amount=1, limit_unit="", reason="r"),
        lambda: actions.do_request_extension(w.handler_a, t.pk, assignment_id=lead.pk, amount="1.5", limit_unit="work_days",
                                             reason="r"),
        lambda: actions.do_deny_extension(w.dispatcher, t.pk, extension_id=ext.pk, note=""),
        lambda: actions.do_report(w.handler_a, t.pk, assignment_id=lead.pk, result=""),
        lambda: actions.do_callback(w.operator, closed["ticket"].pk, method="", satisfaction="satisfied"),
        lambda: actions.do_callback(w.operator, closed["ticket"].pk, method="phone", satisfaction=""),
        lambda: actions.do_conclude_investigation(w.investigator, closed["ticket"].pk, investigation_id=closed["inv"].pk, finding=""),
        lambda: actions.do_conclude_investigation(w.investigator, closed["ticket"].pk, investigation_id=closed["inv"].pk,
                                                  finding="responsible"),
        lambda: actions.do_conclude_investigation(w.investigator, closed["ticket"].pk, investigation_id=closed["inv"].pk,
                                                  finding="responsible", responsible_unit_id=987654),
        lambda: actions.do_reopen(w.dispatcher, closed["ticket"].pk, reason=""),
    ]
    for i, call in enumerate(calls):
        with pytest.raises(InvalidInput):
            call()
        assert db_state() == before, f"call {i} changed the database"
    s2, s3 = s_reported(w), s_dispatched(w)
    before = db_state()
    with pytest.raises(InvalidInput):
        actions.do_rework(w.dispatcher, s2["ticket"].pk, reason=None)
    with pytest.raises(InvalidInput):
        actions.do_return(w.handler_a, s3["ticket"].pk, assignment_id=s3["lead"].pk, reason="")
    assert db_state() == before


def test_external_id_unique_per_channel(world):
    w = world
    first = receive(w, external_id="12345-0001")
    before = db_state()
    with pytest.raises(InvalidInput) as info:
        receive(w, external_id="12345-0001", now=at(hours=1))
    assert info.value.details == {"field": "external_id", "existing": first.number}
    assert db_state() == before  # not even a number was used up
    Channel.objects.create(code="mailbox", name="区长信箱", prefix="XX")
    other = actions.do_receive(w.operator, channel="mailbox", category=w.cat_noise.code, title="t", description="d",
                               external_id="12345-0001", now=T)
    assert other.external_id == first.external_id and other.channel_id != first.channel_id
    # Blank external ids are not ids: any number of tickets may have none.
    a, b = receive(w, external_id=""), receive(w, external_id=None)
    assert a.external_id is None and b.external_id is None


def test_ticket_numbers_sequential_per_channel_and_local_day(world):
    w = world
    numbers = [receive(w, now=at(minutes=i)).number for i in range(3)]
    assert numbers == ["RX2026030200001", "RX2026030200002", "RX2026030200003"]
    patrol = actions.do_receive(w.operator, channel="patrol", category=w.cat_noise.code, title="t", description="d", now=T)
    assert patrol.number == "WG2026030200001"  # the standard 网格巡查 channel numbers with its own prefix
    # 16:30 UTC on 2 March is 00:30 on 3 March in Shanghai: a new day, a new sequence.
    assert receive(w, now=T + timedelta(hours=14, minutes=30)).number == "RX2026030300001"
    assert receive(w, now=T + timedelta(hours=13, minutes=59)).number == "RX2026030200004"
    all_numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(all_numbers) == len(set(all_numbers)) == 6


def test_unknown_or_foreign_ids_are_not_found(world):
    w = world
    s = s_extension(w)
    other = s_investigating(w)
    for call in (lambda: actions.do_close(w.dispatcher, 987654),
                 lambda: actions.do_close(w.dispatcher, "abc"),
                 lambda: actions.do_sign(w.handler_a, s["ticket"].pk, assignment_id=987654),
                 lambda: actions.do_approve_extension(w.dispatcher, other["ticket"].pk, extension_id=s["ext"].pk),
                 lambda: actions.do_conclude_investigation(w.investigator, s["ticket"].pk, investigation_id=other["inv"].pk,
                                                           finding="not_responsible"),
                 lambda: actions.do_merge(w.dispatcher, s["ticket"].pk, parent_id=987654)):
        before = db_state()
        with pytest.raises(NotFound):
            call()
        assert db_state() == before


def test_inactive_user_is_refused(world):
    w = world
    s = s_reported(w)
    w.dispatcher.is_active = False
    w.dispatcher.save()
    before = db_state()
    with pytest.raises(NotFound):
        actions.do_close(w.dispatcher, s["ticket"].pk)
    with pytest.raises(Forbidden):
        receive(w, actor=w.dispatcher)
    assert db_state() == before


def test_merge_is_one_level_deep(world):
    w = world
    a, b, c = (receive(w, now=at(minutes=i)) for i in range(3))
    actions.do_merge(w.dispatcher, c.pk, parent_id=b.pk)
    before = db_state()
    with pytest.raises(InvalidState):  # b has a child: it cannot itself be merged
        actions.do_merge(w.dispatcher, b.pk, parent_id=a.pk)
    with pytest.raises(InvalidState):  # c is merged: it cannot be a parent
        actions.do_merge(w.dispatcher, a.pk, parent_id=c.pk)
    assert db_state() == before
    actions.do_merge(w.dispatcher, a.pk, parent_id=b.pk)
    assert set(Ticket.objects.get(pk=b.pk).merged_children.values_list("pk", flat=True)) == {a.pk, c.pk}


def test_extension_lifecycle_through_actions(world):
    w = world
    s = s_extension(w)
    t, lead, ext = s["ticket"], s["lead"], s["ext"]
    with pytest.raises(InvalidState):  # one pending request at a time
        actions.do_request_extension(w.handler_a, t.pk, assignment_id=lead.pk, amount=1, limit_unit="work_days", reason="再来")
    actions.do_approve_extension(w.dispatcher, t.pk, extension_id=ext.pk, now=at(hours=2))
    ext.refresh_from_db()
    lead.refresh_from_db()
    t.refresh_from_db()
    assert ext.state == Extension.State.APPROVED and ext.new_deadline > ext.old_deadline
    assert lead.handle_deadline == ext.new_deadline == t.handle_deadline
    with pytest.raises(InvalidState):
        actions.do_deny_extension(w.dispatcher, t.pk, extension_id=ext.pk, note="晚了")
    with pytest.raises(InvalidState):  # too late to ask
        actions.do_request_extension(w.handler_a, t.pk, assignment_id=lead.pk, amount=1, limit_unit="work_days", reason="再来",
                                     now=t.handle_deadline + timedelta(minutes=1))


def test_reopen_and_redispatch_through_actions(world):
    w = world
    s = s_closed(w)
    t = s["ticket"]
    actions.do_reopen(w.dispatcher, t.pk, reason="复发", now=at(days=5))
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_b.pk, now=at(days=5, hours=1))
    t.refresh_from_db()
    assert t.dispatch_round == 2 and t.state == S.DISPATCHED
    assert lead_of(t).unit_id == w.unit_b.pk and lead_of(t).round == 2
    # unit_a handled round one: it still sees the ticket but can no longer act on its old assignment.
    with pytest.raises(InvalidState):
        actions.do_report(w.handler_a, t.pk, assignment_id=s["lead"].pk, result="再报")
    assert list(t.events.values_list("seq", flat=True)) == list(range(1, t.events.count() + 1))


def test_parent_with_children_cannot_be_rejected(world):
    w = world
    parent, child = receive(w), receive(w, now=at(minutes=1))
    actions.do_merge(w.dispatcher, child.pk, parent_id=parent.pk)
    before = db_state()
    with pytest.raises(InvalidState):
        actions.do_reject(w.dispatcher, parent.pk, reason="不属于受理范围")
    assert db_state() == before
    actions.do_unmerge(w.dispatcher, child.pk)
    actions.do_reject(w.dispatcher, parent.pk, reason="不属于受理范围")
    assert Ticket.objects.get(pk=parent.pk).state == S.REJECTED
