"""Ticket events reach the right people: the assigned units, the centre's dispatchers, the unit concerned."""

import pytest

from gridgov.notifications.models import Notification
from gridgov.tickets import actions
from tests.notifications.helpers import at, dispatched, lead_of, receive, reported, signed

# Real commits: ticket_changed is sent after the action's transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def recipients(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_dispatch_notifies_the_handlers_and_leaders_of_every_assigned_unit(world):
    t = dispatched(world)
    assert recipients("assigned") == ["handler_a", "handler_city", "leader_a"]
    n = Notification.objects.get(kind="assigned", user=world.handler_a)
    assert n.ticket_id == t.pk and t.number in n.title and n.created_at == at(minutes=5) and not n.urgent
    # Nobody else: not the dispatcher who acted, not other units, not the centre.
    assert Notification.objects.count() == 3


def test_receiving_alone_notifies_nobody(world):
    receive(world)
    assert not Notification.objects.exists()


def test_urgent_ticket_gives_urgent_notifications(world):
    dispatched(world, urgency="urgent")
    assert set(Notification.objects.values_list("urgent", flat=True)) == {True}


def test_return_notifies_the_centres_dispatchers_not_the_unit(world):
    t = dispatched(world)
    actions.do_return(world.handler_a, t.pk, assignment_id=lead_of(t).pk, reason="不属于本单位职责", now=at(minutes=20))
    assert recipients("returned") == ["dispatcher"]
    n = Notification.objects.get(kind="returned")
    assert world.unit_a.name in n.title and n.body == "不属于本单位职责"


def test_extension_decision_notifies_the_requesting_unit(world):
    t = signed(world)
    lead = lead_of(t)
    ext = actions.do_request_extension(world.handler_a, t.pk, assignment_id=lead.pk, amount=3, limit_unit="work_days",
                                       reason="需协调", now=at(hours=1))
    assert not Notification.objects.filter(kind="extension_decided").exists()
    actions.do_approve_extension(world.dispatcher, t.pk, extension_id=ext.pk, now=at(hours=2))
    assert recipients("extension_decided") == ["handler_a", "leader_a"]
    assert "已批准" in Notification.objects.filter(kind="extension_decided").first().title


def test_rework_notifies_the_lead_unit(world):
    t = reported(world)
    actions.do_rework(world.dispatcher, t.pk, reason="现场仍有噪音", now=at(days=1, hours=2))
    assert recipients("reworked") == ["handler_a", "leader_a"]


def test_investigation_notifies_the_unit_that_handled_it(world):
    t = reported(world)
    actions.do_close(world.dispatcher, t.pk, now=at(days=1, hours=1))
    actions.do_callback(world.operator, t.pk, method="phone", satisfaction="unsatisfied", resolved=False, now=at(days=2))
    actions.do_open_investigation(world.investigator, t.pk, now=at(days=2, hours=1))
    assert recipients("investigation") == ["handler_a", "leader_a"]


def test_the_actor_is_not_told_of_their_own_action(world):
    """leader_a is both the unit's leader and here the one who returns: only the dispatcher hears of it."""
    t = dispatched(world)
    actions.do_return(world.leader_a, t.pk, assignment_id=lead_of(t).pk, reason="非本单位", now=at(minutes=20))
    assert recipients("returned") == ["dispatcher"]


def test_inactive_users_are_skipped(world):
    world.leader_a.is_active = False
    world.leader_a.save()
    dispatched(world)
    assert "leader_a" not in recipients("assigned")


def test_a_failing_receiver_does_not_break_the_action(world, monkeypatch):
    from gridgov.notifications import receivers

    monkeypatch.setattr(receivers, "notify", lambda *a, **k: 1 / 0)
    t = dispatched(world)
    t.refresh_from_db()
    assert t.state == "dispatched" and not Notification.objects.exists()
