"""The OpenAPI document describes every ticket endpoint, each verb with its own body schema."""

import inspect

import pytest
from django.test import Client

from gridgov.tickets import actions
from gridgov.tickets.api import VERB_BODIES
from gridgov.tickets.states import TRANSITIONS

VERBS = sorted(v for v in TRANSITIONS if v != "receive")


@pytest.fixture(scope="module")
def schema():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operation(schema, method, path):
    return schema["paths"][f"/api/v1{path}"][method]


def test_ticket_endpoints_are_described(schema):
    assert operation(schema, "post", "/tickets")["operationId"] == "tickets_create"
    assert operation(schema, "get", "/tickets")["operationId"] == "tickets_list"
    assert operation(schema, "get", "/tickets/{ticket_id}")["operationId"] == "tickets_get"
    listed = {p["name"] for p in operation(schema, "get", "/tickets")["parameters"]}
    assert {"state", "channel", "category", "area", "unit", "received_from", "received_to", "q", "overdue",
            "ordering", "limit", "offset"} <= listed
    create = operation(schema, "post", "/tickets")
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TicketIn")
    assert {"201", "401", "403", "422"} <= set(create["responses"])


@pytest.mark.parametrize("verb", VERBS)
def test_each_verb_has_its_own_operation_and_body(schema, verb):
    op = operation(schema, "post", f"/tickets/{{ticket_id}}/actions/{verb}")
    assert op["operationId"] == f"tickets_{verb}"
    assert op["summary"] == TRANSITIONS[verb].label
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{VERB_BODIES[verb].__name__}"
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TicketDetail")
    assert {"403", "404", "409", "422"} <= set(op["responses"])


def test_every_verb_but_receive_is_exposed(schema):
    exposed = {p.rsplit("/", 1)[-1] for p in schema["paths"] if "/actions/" in p}
    assert exposed == set(VERBS) == set(VERB_BODIES)
    assert len({VERB_BODIES[v] for v in VERBS}) == len(VERBS)


@pytest.mark.parametrize("verb", VERBS)
def test_body_fields_are_the_action_keywords(verb):
    """Bodies are passed to `do_<verb>` as keywords, so every field must be one of its parameters."""
    params = inspect.signature(getattr(actions, f"do_{verb}")).parameters
    fields = set(VERB_BODIES[verb].model_fields)
    assert fields <= set(params) - {"actor", "ticket_id", "now"}
    required = {n for n, p in params.items() if p.default is inspect.Parameter.empty and p.kind == p.KEYWORD_ONLY}
    assert required <= fields


def test_master_data_endpoints_are_described(schema):
    ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    assert {"areas_list", "areas_get", "areas_children", "areas_export_geojson", "units_list", "categories_list", "channels_list"} <= ids


def test_security_schemes_are_bearer_and_session(schema):
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert any(s.get("in") == "cookie" for s in schemes.values())
