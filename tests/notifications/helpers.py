"""Ticket scenarios for notification tests: every action runs its after-commit signal, as in production."""

from datetime import timedelta

from gridgov.tickets import actions
from gridgov.tickets.models import Ticket
from tests.conftest import MONDAY_10AM

T = MONDAY_10AM
CITIZEN = {"citizen_name": "张三丰", "citizen_phone": "13800001234", "address": "望月湖小区7栋302",
           "description": "楼下酒吧夜间噪音扰民，张三丰家孩子无法入睡", "title": "张三丰反映夜间噪音"}


def at(**delta):
    return T + timedelta(**delta)


def receive(w, **kw):
    return actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, lon=0.5, lat=0.5, now=T,
                              **{**CITIZEN, **kw})


def lead_of(ticket):
    return ticket.assignments.get(role="lead", round=Ticket.objects.get(pk=ticket.pk).dispatch_round)


def dispatched(w, **kw):
    t = receive(w, **kw)
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk], now=at(minutes=5))
    return t


def signed(w):
    t = dispatched(w)
    actions.do_sign(w.handler_a, t.pk, assignment_id=lead_of(t).pk, now=at(minutes=10))
    return t


def reported(w):
    t = signed(w)
    actions.do_report(w.handler_a, t.pk, assignment_id=lead_of(t).pk, result="已协调", now=at(days=1))
    return t
