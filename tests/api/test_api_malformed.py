"""Malformed input always gets a structured 4xx, never a 500 — including random JSON from hypothesis."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.tickets import actions
from gridgov.tickets.api import VERB_BODIES
from gridgov.tickets.models import Ticket
from tests.api.helpers import NOISE, Api, assert_error, make_ticket


@pytest.fixture
def dispatched(world):
    """A ticket dispatched to unit A and signed, so most verbs have something to act on."""
    t = make_ticket(world)
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk)
    actions.do_sign(world.handler_a, t.pk, assignment_id=t.assignments.get().pk)
    return t


@pytest.mark.parametrize("raw", [b"{not json", b'{"title": ', b"\xff\xfe\x00", b"NaN NaN", b"{'a': 1}"])
def test_unparsable_body_is_400(world, raw):
    assert_error(Api(world.operator).post("/tickets", raw=raw), 400)


@pytest.mark.parametrize("raw", [b"[]", b"1", b'"text"', b"null", b"true", b"[{}]"])
def test_body_that_is_not_an_object_is_422(world, raw):
    assert_error(Api(world.operator).post("/tickets", raw=raw), 422, "invalid_input")


def test_empty_body_is_422(world):
    assert_error(Api(world.operator).post("/tickets", raw=b""), 422, "invalid_input")


def test_missing_fields_are_listed(world):
    body = assert_error(Api(world.operator).post("/tickets", {"lon": 1.0}), 422, "invalid_input")
    missing = {f["loc"][-1] for f in body["error"]["details"]["fields"]}
    assert {"channel", "category", "title", "description"} <= missing


@pytest.mark.parametrize("change,field", [
    ({"title": None}, "title"),
    ({"title": 123}, "title"),
    ({"title": "长" * 201}, "title"),
    ({"title": "含\x00空字符"}, "title"),
    ({"description": "\ud800"}, "description"),
    ({"lon": "east"}, "lon"),
    ({"lon": 1e400, "lat": 0.5}, "lon"),
    ({"lat": float("nan")}, "lat"),
    ({"urgency": "very"}, "urgency"),
    ({"channel": ["h12345"]}, "channel"),
    ({"citizen_phone": "1" * 21}, "citizen_phone"),
    ({"unknown_field": 1}, "unknown_field"),
])
def test_wrong_types_and_sizes_are_422(world, change, field):
    body = assert_error(Api(world.operator).post("/tickets", raw=json.dumps({**NOISE, **change})), 422, "invalid_input")
    assert field in {f["loc"][-1] for f in body["error"]["details"]["fields"]}
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("change,message", [
    ({"lat": 999}, "经纬度超出范围"),
    ({"lon": None}, "经度和纬度必须同时填写"),
    ({"category": "999999"}, "事项分类不存在"),
    ({"category": "01"}, "不是末级分类"),
    ({"channel": "pigeon"}, "渠道不存在"),
    ({"citizen_phone": "call me"}, "联系电话格式不正确"),
    ({"title": "   "}, "标题"),
])
def test_domain_refusals_are_422_in_chinese(world, change, message):
    body = assert_error(Api(world.operator).post("/tickets", {**NOISE, **change}), 422, "invalid_input")
    assert message in body["error"]["message"]
    assert not Ticket.objects.exists()


def test_duplicate_external_id_is_422_naming_the_existing_ticket(world):
    api = Api(world.operator)
    first = api.post("/tickets", {**NOISE, "external_id": "SH-1"}).json()
    body = assert_error(api.post("/tickets", {**NOISE, "external_id": "SH-1"}), 422, "invalid_input")
    assert body["error"]["details"]["existing"] == first["number"]


@pytest.mark.parametrize("path", ["/tickets/abc", "/tickets/1.5", "/tickets/-1", "/tickets/0", f"/tickets/{2**64}"])
def test_bad_ticket_ids_are_422(world, path):
    assert_error(Api(world.dispatcher).get(path), 422, "invalid_input")


def test_largest_id_is_just_missing(world):
    assert_error(Api(world.dispatcher).get(f"/tickets/{2**63 - 1}"), 404, "not_found")


@pytest.mark.parametrize("verb,body", [
    ("dispatch", {"lead_unit_id": "abc"}),
    ("dispatch", {"lead_unit_id": 10**30}),
    ("dispatch", {"lead_unit_id": 1, "support_unit_ids": "2"}),
    ("dispatch", {}),
    ("sign", {"assignment_id": None}),
    ("request_extension", {"assignment_id": 1, "amount": "NaN", "limit_unit": "hours", "reason": "x"}),
    ("request_extension", {"assignment_id": 1, "amount": 1.234, "limit_unit": "hours", "reason": "x"}),
    ("request_extension", {"assignment_id": 1, "amount": 1, "limit_unit": "fortnights", "reason": "x"}),
    ("callback", {"method": "pigeon"}),
    ("callback", {"method": "phone", "satisfaction": "ecstatic"}),
    ("conclude_investigation", {"investigation_id": 1, "finding": "guilty"}),
    ("conclude_investigation", {"investigation_id": 1, "finding": "responsible", "deduction_points": "Infinity"}),
    ("merge", {"parent_id": -5}),
    ("close", {"note": "x" * 301}),
    ("return", {"assignment_id": 1, "reason": "x" * 301}),
])
def test_bad_action_bodies_are_422(world, dispatched, verb, body):
    before = dispatched.events.count()
    assert_error(Api(world.dispatcher).act(dispatched.pk, verb, body), 422, "invalid_input")
    assert dispatched.events.count() == before


def test_action_with_unparsable_body_is_400(world, dispatched):
    assert_error(Api(world.dispatcher).post(f"/tickets/{dispatched.pk}/actions/close", raw=b"{"), 400)


@pytest.mark.parametrize("path", [
    "/tickets/1/actions/explode", "/tickets/1/actions/receive", "/tickets/abc/actions/explode", "/tickets/1/actions/%00",
])
def test_unknown_verb_is_404_structured(world, path):
    assert_error(Api(world.dispatcher).post(path, {}), 404, "not_found")


def test_non_numeric_id_on_a_known_verb_is_422(world):
    assert_error(Api(world.dispatcher).act("abc", "close"), 422, "invalid_input")


def test_unknown_ids_inside_bodies_are_404_or_422(world, dispatched):
    api = Api(world.dispatcher)
    assert_error(api.act(dispatched.pk, "dispatch", {"lead_unit_id": 999999}), 422, "invalid_input")
    assert_error(Api(world.handler_a).act(dispatched.pk, "report", {"assignment_id": 999999, "result": "x"}), 404, "not_found")
    assert_error(api.act(dispatched.pk, "approve_extension", {"extension_id": 999999}), 404, "not_found")
    assert_error(api.act(dispatched.pk, "merge", {"parent_id": 999999}), 404, "not_found")


# ---------------------------------------------------------------- random bodies

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def bodies(fields):
    """Objects using the real field names with random values, plus arbitrary JSON documents."""
    keyed = st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields))
    plausible = st.fixed_dictionaries({}, optional={name: json_values for name in fields})
    return keyed | plausible | json_values


def assert_handled(response):
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert_error(response, response.status_code)


HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@HYPOTHESIS
@given(body=bodies(list(NOISE) + ["address", "urgency", "external_id", "reporter_area_code"]))
def test_random_create_bodies_never_500(world, body):
    assert_handled(Api(world.operator).post("/tickets", raw=json.dumps(body)))


@HYPOTHESIS
@given(verb_body=st.sampled_from([
    ("dispatch", ["lead_unit_id", "support_unit_ids", "note"]),
    ("request_extension", ["assignment_id", "amount", "limit_unit", "reason"]),
    ("callback", ["method", "answered", "satisfaction", "resolved", "note"]),
    ("conclude_investigation", ["investigation_id", "finding", "responsible_unit_id", "deduction_points", "note"]),
    ("merge", ["parent_id", "note"]),
]).flatmap(lambda vf: st.tuples(st.just(vf[0]), bodies(vf[1]))))
def test_random_action_bodies_never_500(world, dispatched, verb_body):
    verb, body = verb_body
    persona = world.handler_a if verb == "request_extension" else world.dispatcher
    assert_handled(Api(persona).act(dispatched.pk, verb, body))


# Well-typed values, so the examples get past the schema and into the actions' own checks.
small_ids = st.integers(min_value=1, max_value=12)
words = st.text(max_size=12) | st.sampled_from(["", "  ", "已处理", "x" * 300])
TYPED = {
    "assignment_id": small_ids, "extension_id": small_ids, "investigation_id": small_ids, "parent_id": small_ids,
    "lead_unit_id": small_ids, "responsible_unit_id": st.none() | small_ids, "support_unit_ids": st.lists(small_ids, max_size=3),
    "reason": words, "result": words, "note": words,
    "amount": st.decimals(min_value=-1, max_value=400, places=2, allow_nan=False).map(str),
    "deduction_points": st.decimals(min_value=-5, max_value=120, places=2, allow_nan=False).map(str),
    "limit_unit": st.sampled_from(["hours", "work_hours", "work_days"]),
    "method": st.sampled_from(["phone", "sms", "visit", "online"]), "answered": st.booleans(),
    "satisfaction": st.sampled_from(["", "satisfied", "basic", "unsatisfied"]), "resolved": st.none() | st.booleans(),
    "finding": st.sampled_from(["responsible", "not_responsible"]),
}


@HYPOTHESIS
@given(data=st.data())
def test_random_well_typed_actions_never_500(world, dispatched, data):
    verb = data.draw(st.sampled_from(sorted(VERB_BODIES)))
    fields = VERB_BODIES[verb].model_fields
    body = data.draw(st.fixed_dictionaries({}, optional={name: TYPED[name] for name in fields}))
    assert_handled(Api(world.admin).act(dispatched.pk, verb, body))


@HYPOTHESIS
@given(params=st.dictionaries(
    st.sampled_from(["state", "channel", "category", "area", "unit", "received_from", "received_to", "q", "overdue",
                     "ordering", "limit", "offset"]),
    st.text(max_size=25) | st.integers().map(str), max_size=5))
def test_random_list_queries_never_500(world, params):
    assert_handled(Api(world.dispatcher).get("/tickets", params))


@pytest.mark.django_db(transaction=True)
def test_unknown_reporter_area_is_422(world):
    api = Api(world.operator)
    api.client.raise_request_exception = False
    body = {**NOISE, "lon": None, "lat": None, "reporter_area_code": "430104999"}
    assert_error(api.post("/tickets", body), 422, "invalid_input")


def test_unparsable_json_and_a_trailing_newline_phone_are_structured_errors(world):
    api = Api(world.operator)
    bad = api.post("/tickets", raw="{not json")
    assert_error(bad, 400, "bad_request")
    assert_error(api.post("/tickets", {**NOISE, "citizen_phone": "13800001234\n"}), 422, "invalid_input")


def test_unknown_paths_and_wrong_methods_under_the_api_keep_the_error_shape(world):
    api = Api(world.operator)
    assert_error(api.client.get("/api/v1/no-such-thing", **api.headers), 404, "not_found")
    wrong = api.client.put("/api/v1/tickets", data="{}", content_type="application/json", **api.headers)
    assert_error(wrong, 405, "method_not_allowed")
