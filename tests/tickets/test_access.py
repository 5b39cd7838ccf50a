"""Default-deny visibility, permission scope, personal-data access and masking."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from gridgov.accounts.models import RoleGrant, User
from gridgov.core.errors import Forbidden, NotFound
from gridgov.tickets import actions
from gridgov.tickets.access import can, can_view_pii, get_visible, mask_name, mask_phone, require, visible_to
from gridgov.tickets.models import Ticket
from tests import factories as f
from tests.conftest import MONDAY_10AM

T = MONDAY_10AM


def receive(w, lon, lat, minutes=0, category=None):
    return actions.do_receive(w.operator, channel="h12345", category=(category or w.cat_noise).code, title="事项", description="内容",
                              lon=lon, lat=lat, citizen_name="李四", citizen_phone="13912345678", now=T + timedelta(minutes=minutes))


@pytest.fixture
def tickets(world):
    """Tickets placed around the district, some dispatched, one closed."""
    w = world
    t = {
        "a1": receive(w, 0.5, 0.5, 1),  # 金茂第1网格 (the grid worker's)
        "a2": receive(w, 0.5, 1.5, 2),  # 金茂第2网格, same community
        "a_other": receive(w, 1.5, 1.0, 3),  # 桃花岭社区, same street
        "b1": receive(w, 3.0, 1.0, 4),  # 桐木第1网格, another street
        "nowhere": receive(w, None, None, 5),  # not located
        "b_to_a": receive(w, 3.5, 0.5, 6),  # in street B but handed to unit A
        "city": receive(w, 3.2, 1.2, 7, category=w.cat_road),  # city lead, unit B support, closed below
        "returned": receive(w, 2.5, 0.5, 8),  # unit A returns it
    }
    d = w.dispatcher
    actions.do_dispatch(d, t["b_to_a"].pk, lead_unit_id=w.unit_a.pk, now=T + timedelta(minutes=10))
    actions.do_dispatch(d, t["city"].pk, lead_unit_id=w.dept_city.pk, support_unit_ids=[w.unit_b.pk], now=T + timedelta(minutes=10))
    lead = t["city"].assignments.get(role="lead")
    actions.do_sign(w.handler_city, t["city"].pk, assignment_id=lead.pk, now=T + timedelta(minutes=20))
    actions.do_report(w.handler_city, t["city"].pk, assignment_id=lead.pk, result="已修复", now=T + timedelta(hours=3))
    actions.do_close(d, t["city"].pk, now=T + timedelta(hours=4))
    actions.do_dispatch(d, t["returned"].pk, lead_unit_id=w.unit_a.pk, now=T + timedelta(minutes=10))
    actions.do_return(w.handler_a, t["returned"].pk, assignment_id=t["returned"].assignments.get().pk, reason="非本单位",
                      now=T + timedelta(minutes=30))
    return t


def seen(user, tickets):
    names = {t.pk: name for name, t in tickets.items()}
    qs = visible_to(user)
    pks = list(qs.values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), "visible_to must not return a ticket twice"
    return {names[pk] for pk in pks}


ALL = {"a1", "a2", "a_other", "b1", "nowhere", "b_to_a", "city", "returned"}


@pytest.mark.parametrize("persona, expected", [
    ("operator", ALL), ("dispatcher", ALL), ("investigator", ALL), ("viewer", ALL), ("admin", ALL),
    ("grid_worker", {"a1"}),
    ("handler_a", {"b_to_a", "returned"}), ("leader_a", {"b_to_a", "returned"}),
    ("handler_b", {"city"}), ("handler_city", {"city"}), ("handler_labour", set()),
    ("outsider", set()),
])
def test_visible_to_per_persona(world, tickets, persona, expected):
    assert seen(getattr(world, persona), tickets) == expected


def test_refusal_looks_the_same_as_a_missing_ticket(world, tickets):
    w = world
    with pytest.raises(NotFound) as hidden:
        get_visible(w.grid_worker, tickets["b1"].pk)
    with pytest.raises(NotFound) as missing:
        get_visible(w.grid_worker, 987654321)
    assert hidden.value.message == missing.value.message and hidden.value.code == missing.value.code
    for bad in ("abc", "", None, "1 OR 1=1", -1):
        with pytest.raises(NotFound):
            get_visible(w.dispatcher, bad)
    assert get_visible(w.grid_worker, tickets["a1"].pk) == tickets["a1"]


def test_handler_keeps_seeing_closed_and_returned_tickets(world, tickets):
    assert Ticket.objects.get(pk=tickets["city"].pk).state == "closed"
    assert get_visible(world.handler_city, tickets["city"].pk)
    assert get_visible(world.handler_b, tickets["city"].pk)  # its support assignment was withdrawn at close
    assert Ticket.objects.get(pk=tickets["returned"].pk).state == "returned"
    assert get_visible(world.handler_a, tickets["returned"].pk)


def test_inactive_anonymous_and_grantless_users_see_nothing(world, tickets):
    w = world
    assert seen(AnonymousUser(), tickets) == set()
    assert seen(w.outsider, tickets) == set()
    dispatcher = User.objects.get(pk=w.dispatcher.pk)
    dispatcher.is_active = False
    dispatcher.save()
    assert seen(User.objects.get(pk=w.dispatcher.pk), tickets) == set()
    assert not can(User.objects.get(pk=w.dispatcher.pk), "ticket.close", tickets["a1"])
    # A grant of a role the catalogue does not know carries no permission.
    odd = f.UserFactory(username="odd")
    RoleGrant.objects.create(user=odd, role="superhero", area=w.district)
    assert seen(User.objects.get(pk=odd.pk), tickets) == set()
    with pytest.raises(NotFound):
        get_visible(AnonymousUser(), tickets["a1"].pk)


def test_area_grants_cover_their_subtree(world, tickets):
    w = world

    def user_with(name, role, **scope):
        user = f.UserFactory(username=name)
        f.GrantFactory(user=user, role=role, **scope)
        return User.objects.get(pk=user.pk)

    assert seen(user_with("street_leader", "grid_leader", area=w.street_a), tickets) == {"a1", "a2", "a_other"}
    assert seen(user_with("community", "grid_instructor", area=w.community_a1), tickets) == {"a1", "a2"}
    assert seen(user_with("street_b", "grid_leader", area=w.street_b), tickets) == {"b1", "b_to_a", "city", "returned"}
    # Grants add up, and a grant nested in a wider one changes nothing.
    both = f.UserFactory(username="both")
    f.GrantFactory(user=both, role="grid_worker", area=w.grid_a1)
    f.GrantFactory(user=both, role="grid_worker", area=w.grid_b1)
    f.GrantFactory(user=both, role="unit_handler", unit=w.unit_a)
    assert seen(User.objects.get(pk=both.pk), tickets) == {"a1", "b1", "b_to_a", "city", "returned"}
    nested = f.UserFactory(username="nested")
    f.GrantFactory(user=nested, role="leadership_viewer", area=w.district)
    f.GrantFactory(user=nested, role="grid_worker", area=w.grid_a1)
    assert seen(User.objects.get(pk=nested.pk), tickets) == ALL


def test_visible_to_narrows_a_given_queryset(world, tickets):
    qs = Ticket.objects.filter(state="received")
    assert set(visible_to(world.dispatcher, qs)) == set(qs)
    assert set(visible_to(world.grid_worker, qs)) == {tickets["a1"]}
    assert set(visible_to(world.handler_a, qs)) == set()


def test_permissions_are_scoped(world, tickets):
    w = world
    b_to_a, city = tickets["b_to_a"], tickets["city"]
    lead_a = b_to_a.assignments.get()
    assert can(w.handler_a, "ticket.sign", b_to_a, unit_id=lead_a.unit_id)
    assert not can(w.handler_b, "ticket.sign", b_to_a, unit_id=lead_a.unit_id)
    assert not can(w.handler_b, "ticket.sign", city, unit_id=w.dept_city.pk)  # sees it, but for unit B's work only
    assert can(w.handler_b, "ticket.sign", city, unit_id=w.unit_b.pk)
    assert not can(w.handler_a, "ticket.close", b_to_a)
    assert can(w.dispatcher, "ticket.close", b_to_a) and not can(w.operator, "ticket.close", b_to_a)
    assert can(w.operator, "ticket.callback", city) and not can(w.viewer, "ticket.callback", city)
    assert can(w.investigator, "investigation.open", city) and not can(w.dispatcher, "investigation.open", city)
    # Receiving is scoped by where the ticket is.
    assert can(w.grid_worker, "ticket.receive", area_code=w.grid_a1.code)
    assert not can(w.grid_worker, "ticket.receive", area_code=w.grid_b1.code)
    assert not can(w.grid_worker, "ticket.receive", area_code=None)
    assert can(w.operator, "ticket.receive", area_code=None)
    assert not can(w.handler_a, "ticket.receive", area_code=w.grid_a1.code)
    assert not can(w.dispatcher, "no.such.permission", b_to_a)
    with pytest.raises(Forbidden):
        require(w.viewer, "ticket.dispatch", b_to_a)
    require(w.dispatcher, "ticket.dispatch", b_to_a)


@pytest.mark.parametrize("persona, pii", [
    ("operator", True), ("dispatcher", True), ("investigator", True), ("admin", True),
    ("handler_city", True),
    ("handler_b", False),  # its support assignment was withdrawn at closing: it no longer needs the citizen's data
    ("handler_a", False), ("leader_a", False), ("handler_labour", False),
    ("grid_worker", False), ("viewer", False), ("outsider", False),
])
def test_can_view_pii_by_role(world, tickets, persona, pii):
    assert can_view_pii(getattr(world, persona), tickets["city"]) is pii


def test_unit_handler_sees_pii_only_of_its_units_tickets(world, tickets):
    w = world
    assert can_view_pii(w.handler_a, tickets["b_to_a"])
    assert not can_view_pii(w.handler_a, tickets["a1"])
    assert not can_view_pii(w.handler_a, tickets["returned"])  # it returned the ticket: not its business any more
    assert not can_view_pii(w.grid_worker, tickets["a1"])  # sees the ticket, not the citizen
    assert not can_view_pii(AnonymousUser(), tickets["a1"])


@pytest.mark.parametrize("phone, masked", [
    ("13800001234", "138****1234"),
    ("0731-88881234", "073****1234"),
    ("+8613800001234", "+86****1234"),
    ("88881234", "****1234"),  # an 8-digit landline: showing 3 + 4 would hide one digit
    ("0731888812", "******8812"),
    ("1234567", "*******"),
    ("12345", "*****"),
    ("", ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_phone_never_shows_more_than_all_but_four():
    for n in range(0, 21):
        phone = "".join(str(i % 10) for i in range(n))
        masked = mask_phone(phone)
        assert len(masked.replace("*", "")) <= max(0, n - 4), (phone, masked)


@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("", ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked
