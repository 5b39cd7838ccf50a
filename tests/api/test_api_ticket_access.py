"""Who may see and do what through the API: 401, 403, invisible = missing, personal data masking and its audit."""

import pytest
from django.test import Client

from gridgov.audit.models import AuditLog
from gridgov.tickets import actions
from tests.api.helpers import NOISE, Api, assert_error, make_ticket


@pytest.fixture
def ticket_b(world):
    """A ticket in Lianhua town's grid, outside the grid worker's grid and unit A's street."""
    return make_ticket(world, lon=3.0, lat=1.0, title="村道积水")


def snapshot(ticket):
    ticket.refresh_from_db()
    return (ticket.state, ticket.updated_at, ticket.events.count(), ticket.assignments.count(),
            ticket.callbacks.count(), ticket.investigations.count())


@pytest.mark.parametrize("method,path", [
    ("get", "/tickets"), ("get", "/tickets/1"), ("post", "/tickets"), ("post", "/tickets/1/actions/close"),
    ("post", "/tickets/1/actions/no_such_verb"), ("get", "/areas"), ("get", "/units"), ("get", "/categories"), ("get", "/channels"),
])
def test_unauthenticated_is_401_structured(world, method, path):
    response = getattr(Api(), method)(path)
    assert_error(response, 401, "unauthenticated")


def test_bad_or_revoked_token_is_401(world):
    assert_error(Api(token="gg_not-a-real-token").get("/tickets"), 401, "unauthenticated")
    api = Api(world.operator)
    world.operator.api_tokens.update(revoked=True)
    assert_error(api.get("/tickets"), 401, "unauthenticated")


def test_inactive_user_token_is_401(world):
    api = Api(world.operator)
    world.operator.is_active = False
    world.operator.save()
    assert_error(api.get("/tickets"), 401, "unauthenticated")


def test_session_login_works_too(world):
    client = Client()
    client.force_login(world.operator)
    t = make_ticket(world)
    assert client.get(f"/api/v1/tickets/{t.pk}").json()["number"] == t.number


def test_token_records_last_use(world):
    api = Api(world.viewer)
    assert api.get("/tickets").status_code == 200
    assert world.viewer.api_tokens.get().last_used_at is not None


@pytest.mark.parametrize("persona,verb,body", [
    ("viewer", "dispatch", "unit_a"),
    ("operator", "dispatch", "unit_a"),
    ("grid_worker", "reject", {"reason": "不归我管"}),
    ("investigator", "reject", {"reason": "不归我管"}),
])
def test_refused_action_is_403_and_changes_nothing(world, persona, verb, body):
    t = make_ticket(world)
    before = snapshot(t)
    payload = {"lead_unit_id": world.unit_a.pk} if body == "unit_a" else body
    assert_error(Api(getattr(world, persona)).act(t.pk, verb, payload), 403, "forbidden")
    assert snapshot(t) == before


def test_handler_may_not_close_its_own_ticket(world, as_user):
    t = make_ticket(world)
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk)
    a = t.assignments.get()
    actions.do_sign(world.handler_a, t.pk, assignment_id=a.pk)
    actions.do_report(world.handler_a, t.pk, assignment_id=a.pk, result="已处理")
    before = snapshot(t)
    body = assert_error(as_user(world.handler_a).act(t.pk, "close"), 403, "forbidden")
    assert body["error"]["message"] == "无权执行此操作"
    assert snapshot(t) == before


def test_grid_worker_outside_their_grid_gets_exactly_the_missing_404(world, ticket_b):
    worker = Api(world.grid_worker)
    missing_id = ticket_b.pk + 1000
    hidden, missing = worker.get(f"/tickets/{ticket_b.pk}"), worker.get(f"/tickets/{missing_id}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert_error(hidden, 404, "not_found")
    for verb, body in (("reject", {"reason": "x"}), ("close", {})):
        hidden, missing = worker.act(ticket_b.pk, verb, body), worker.act(missing_id, verb, body)
        assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content
    assert ticket_b.pk not in [t["id"] for t in worker.get("/tickets").json()["items"]]


def test_grid_worker_sees_tickets_in_their_grid(world):
    t = make_ticket(world)
    worker = Api(world.grid_worker)
    assert worker.get(f"/tickets/{t.pk}").status_code == 200
    assert [item["id"] for item in worker.get("/tickets").json()["items"]] == [t.pk]


def test_handler_sees_only_tickets_assigned_to_their_unit(world, ticket_b):
    t = make_ticket(world)
    handler = Api(world.handler_a)
    assert handler.get("/tickets").json()["count"] == 0
    assert_error(handler.get(f"/tickets/{t.pk}"), 404, "not_found")
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk)
    assert [item["id"] for item in handler.get("/tickets").json()["items"]] == [t.pk]
    assert_error(Api(world.handler_b).get(f"/tickets/{t.pk}"), 404, "not_found")


def test_user_without_grants_sees_nothing(world):
    make_ticket(world)
    outsider = Api(world.outsider)
    assert outsider.get("/tickets").json() == {"count": 0, "items": []}
    assert_error(outsider.post("/tickets", NOISE), 403, "forbidden")


def pii_audits(ticket):
    return AuditLog.objects.filter(action="pii.view", object_type="tickets.ticket", object_id=str(ticket.pk))


def test_personal_data_shown_to_operator_and_audited(world):
    t = make_ticket(world)
    body = Api(world.operator).get(f"/tickets/{t.pk}").json()
    assert (body["citizen_name"], body["citizen_phone"], body["pii_masked"]) == ("张三", "13800001234", False)
    [entry] = pii_audits(t)
    assert entry.actor == world.operator and entry.reason == "api detail"


@pytest.mark.parametrize("persona", ["viewer", "grid_worker"])
def test_personal_data_masked_for_roles_without_pii_view(world, persona):
    t = make_ticket(world)
    body = Api(getattr(world, persona)).get(f"/tickets/{t.pk}").json()
    assert (body["citizen_name"], body["citizen_phone"], body["pii_masked"]) == ("张*", "138****1234", True)
    assert not pii_audits(t).exists()


def test_handler_sees_personal_data_once_assigned(world):
    t = make_ticket(world)
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk)
    body = Api(world.handler_a).get(f"/tickets/{t.pk}").json()
    assert body["citizen_phone"] == "13800001234"
    assert pii_audits(t).get().actor == world.handler_a


def test_no_audit_when_there_is_no_personal_data(world):
    t = make_ticket(world, citizen_name="", citizen_phone="")
    assert Api(world.operator).get(f"/tickets/{t.pk}").status_code == 200
    assert not pii_audits(t).exists()


def test_phone_search_only_for_users_who_may_see_phones(world):
    t = make_ticket(world)
    assert [i["id"] for i in Api(world.operator).get("/tickets", {"q": "13800001234"}).json()["items"]] == [t.pk]
    # Otherwise the search would tell a leadership viewer who called, behind the masking.
    assert Api(world.viewer).get("/tickets", {"q": "13800001234"}).json()["count"] == 0
