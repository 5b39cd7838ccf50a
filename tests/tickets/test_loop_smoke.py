"""The whole closed loop through the actions, as the personas who do it."""

from datetime import timedelta

from gridgov.tickets import actions
from gridgov.tickets.models import Ticket
from tests.conftest import MONDAY_10AM


def test_full_loop(world):
    w = world
    t = actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title="夜间噪音", description="楼下酒吧夜间噪音",
                           lon=0.5, lat=0.5, citizen_name="张三", citizen_phone="13800001234", now=MONDAY_10AM)
    assert t.area_id == "430104001001001" and t.suggested_lead_id == w.unit_a.pk
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, now=MONDAY_10AM)
    a = t.assignments.get()
    actions.do_sign(w.handler_a, t.pk, assignment_id=a.pk, now=MONDAY_10AM + timedelta(minutes=10))
    actions.do_report(w.handler_a, t.pk, assignment_id=a.pk, result="已协调", now=MONDAY_10AM + timedelta(days=1))
    actions.do_close(w.dispatcher, t.pk, now=MONDAY_10AM + timedelta(days=1, hours=1))
    actions.do_callback(w.operator, t.pk, method="phone", satisfaction="unsatisfied", resolved=False, now=MONDAY_10AM + timedelta(days=2))
    inv = actions.do_open_investigation(w.investigator, t.pk, now=MONDAY_10AM + timedelta(days=2))
    actions.do_conclude_investigation(w.investigator, t.pk, investigation_id=inv.pk, finding="responsible",
                                      responsible_unit_id=w.unit_a.pk, deduction_points=2, now=MONDAY_10AM + timedelta(days=3))
    t = Ticket.objects.get(pk=t.pk)
    assert t.state == "closed"
    assert list(t.events.values_list("verb", flat=True)) == [
        "receive", "dispatch", "sign", "report", "close", "callback", "open_investigation", "conclude_investigation"]
