"""API test helpers: a JSON client per persona (bearer token), the error-shape check, ticket making."""

import json

from django.test import Client

from gridgov.accounts.models import ApiToken
from gridgov.core import clock
from gridgov.tickets import actions

PREFIX = "/api/v1"


class Api:
    """Calls /api/v1 as one user (or anonymously) and returns Django test responses."""

    def __init__(self, user=None, *, token: str | None = None):
        self.client = Client()
        if user is not None and token is None:
            token = ApiToken.issue(user, name="test")[1]
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path: str, params=None):
        return self.client.get(PREFIX + path, params or {}, **self.headers)

    def post(self, path: str, body=None, *, raw: bytes | str | None = None, content_type="application/json"):
        data = raw if raw is not None else json.dumps({} if body is None else body)
        return self.client.post(PREFIX + path, data, content_type=content_type, **self.headers)

    def act(self, ticket_id, verb: str, body=None):
        return self.post(f"/tickets/{ticket_id}/actions/{verb}", body or {})


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Assert the structured error shape and return its body."""
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body


NOISE = {
    "channel": "h12345", "category": "010101", "title": "夜间噪音", "description": "楼下酒吧夜间噪音扰民",
    "lon": 0.5, "lat": 0.5, "citizen_name": "张三", "citizen_phone": "13800001234",
}


def make_ticket(world, *, at=None, **overrides):
    """Receive a ticket through the action (as the operator), defaulting to a noise complaint in grid A1."""
    values = {**NOISE, **overrides}
    return actions.do_receive(world.operator, now=at or clock.now(), **values)
