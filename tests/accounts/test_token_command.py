"""`gridgov token create|revoke|list`: the printed token authenticates, revoked tokens do not."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from gridgov.accounts.models import ApiToken, hash_token
from tests import factories as f


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def get_tickets(raw: str):
    return Client().get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def alice(db):
    user = f.UserFactory(username="alice", display_name="爱丽丝")
    f.GrantFactory(user=user, role="dispatcher", area=f.AreaFactory(code="430104", name="岳麓区"))
    return user


def test_create_prints_a_token_that_authenticates(alice):
    out, err = run("create", "alice", "--name", "12345平台对接")
    raw = out.strip()
    assert raw.startswith("gg_") and "\n" not in raw
    token = ApiToken.objects.get(user=alice)
    assert token.name == "12345平台对接" and token.digest == hash_token(raw) and raw not in token.digest
    assert f"#{token.pk}" in err and "只显示这一次" in err
    response = get_tickets(raw)
    assert response.status_code == 200 and response.json() == {"count": 0, "items": []}


def test_list_shows_tokens_but_never_the_secret(alice):
    raw = run("create", "alice", "--name", "对接")[0].strip()
    token = ApiToken.objects.get()
    out, _ = run("list", "alice")
    assert str(token.pk) in out and "有效" in out and "对接" in out and "从未使用" in out
    assert raw not in out
    get_tickets(raw)
    assert "从未使用" not in run("list", "alice")[0]


def test_list_without_tokens(alice):
    assert "没有令牌" in run("list", "alice")[0]


def test_revoke_stops_the_token(alice):
    raw = run("create", "alice")[0].strip()
    token = ApiToken.objects.get()
    out, _ = run("revoke", str(token.pk))
    assert "已吊销" in out
    token.refresh_from_db()
    assert token.revoked
    assert get_tickets(raw).status_code == 401
    assert "此前已吊销" in run("revoke", str(token.pk))[0]
    assert "已吊销" in run("list", "alice")[0]


@pytest.mark.parametrize("args,message", [
    (("create", "nobody"), "用户“nobody”不存在"),
    (("list", "nobody"), "用户“nobody”不存在"),
    (("revoke", "999"), "令牌 #999 不存在"),
    (("revoke", "abc"), "令牌 #abc 不存在"),
    (("revoke", str(2**70)), "不存在"),
])
def test_clear_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_inactive_user_gets_no_token(alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(CommandError, match="已停用"):
        run("create", "alice")
    assert not ApiToken.objects.exists()


def test_a_subcommand_is_required(db):
    with pytest.raises(CommandError):
        run()
