"""`gridgov open311 key create|list|revoke` and the system user each client acts as."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gridgov.accounts.models import RoleGrant, hash_token
from gridgov.interop.open311 import keys
from gridgov.interop.open311.models import Client


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("open311", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_hash(world):
    out, err = run("key", "create", "市民APP")
    raw = out.strip()
    assert raw.startswith("o311_") and "只显示这一次" in err
    client = Client.objects.get(name="市民APP")
    assert client.digest == hash_token(raw) and raw not in client.digest
    assert keys.authenticate(raw) == client and client.user.has_usable_password() is False
    grant = RoleGrant.objects.get(user=client.user)
    assert (grant.role, grant.area_id) == ("intake_system", world.district.code)


def test_create_twice_refused_list_and_revoke(world):
    run("key", "create", "App")
    with pytest.raises(CommandError, match="已有有效密钥"):
        run("key", "create", "App")
    out, _ = run("key", "list")
    assert "App\t有效" in out and "从未使用" in out
    out, _ = run("key", "revoke", "App")
    assert "已吊销" in out
    assert "App\t已吊销" in run("key", "list")[0]
    with pytest.raises(CommandError, match="不存在"):
        run("key", "revoke", "Nobody")


def test_create_without_a_district_is_refused(db):
    with pytest.raises(CommandError, match="区县"):
        run("key", "create", "App")
    assert not Client.objects.exists()


def test_list_when_empty(db):
    assert "还没有接入应用" in run("key", "list")[0]


def test_authenticate_notes_last_use_and_refuses_revoked(world):
    client, raw = keys.issue("App")
    assert keys.authenticate(raw) == client
    client.refresh_from_db()
    assert client.last_used_at is not None
    keys.revoke("App")
    assert keys.authenticate(raw) is None and keys.authenticate("") is None and keys.authenticate(None) is None


def test_last_use_is_written_at_most_every_few_minutes(world, fake_clock, django_assert_num_queries):
    client, raw = keys.issue("App")
    keys.authenticate(raw)
    first = Client.objects.get(pk=client.pk).last_used_at
    assert first == fake_clock.at
    fake_clock.advance(minutes=4)
    with django_assert_num_queries(1):  # the lookup only: no write
        assert keys.authenticate(raw) == client
    assert Client.objects.get(pk=client.pk).last_used_at == first
    fake_clock.advance(minutes=2)
    keys.authenticate(raw)
    assert Client.objects.get(pk=client.pk).last_used_at == fake_clock.at
