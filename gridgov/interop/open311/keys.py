"""Client applications: issuing, revoking and checking api_keys, and the system user each one acts as."""

from django.db import transaction
from django.utils.text import slugify

from gridgov.accounts.models import RoleGrant, User, hash_token
from gridgov.api.auth import TOUCH_EVERY
from gridgov.areas.models import Area
from gridgov.core import clock
from gridgov.core.errors import InvalidInput
from gridgov.interop.open311.models import Client

# An Open311 client registers requests district-wide and can do nothing else (no reading, no personal data).
ACTOR_ROLE = "intake_system"


def _username(name: str) -> str:
    base = "open311-" + (slugify(name)[:40] or "app")
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def grant_districts(user: User) -> int:
    """Give the client's user the receiving role over every district (level-0 area); return how many it holds.

    Only issuing a key grants: an administrator may narrow the grants afterwards, and a POST never restores them.
    """
    for area in Area.objects.filter(level=0):
        RoleGrant.objects.get_or_create(user=user, role=ACTOR_ROLE, area=area, unit=None)
    return RoleGrant.objects.filter(user=user, role=ACTOR_ROLE).count()


def can_receive(user: User) -> bool:
    """Whether the client's user still holds a receiving grant somewhere (read only)."""
    return RoleGrant.objects.filter(user=user, role=ACTOR_ROLE).exists()


@transaction.atomic
def issue(name: str, raw: str | None = None) -> tuple[Client, str]:
    """Create a client (or re-key a revoked one) with its system user; return it and the raw key, shown once.

    `raw` fixes the key instead of drawing one: only the demo does that, so its README can print the key.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写应用名称")
    raw = raw or Client.new_key()
    client = Client.objects.select_for_update().filter(name=name).first()
    if client and not client.revoked:
        raise InvalidInput(f"应用“{name}”已有有效密钥；如需更换，请先吊销")
    if client is None:
        # No password: the system user exists to own grants and timeline entries, never to log in.
        user = User(username=_username(name), display_name=f"Open311：{name}"[:50])
        user.set_unusable_password()
        user.save()
        client = Client(name=name, user=user)
    client.digest, client.revoked = hash_token(raw), False
    client.save()
    if not grant_districts(client.user):
        raise InvalidInput("尚未导入区县（0级区域），无法为应用授权受理工单")
    return client, raw


def revoke(name: str) -> Client:
    """Revoke a client's key; its past requests keep naming it."""
    client = Client.objects.filter(name=name).first()
    if client is None:
        raise InvalidInput(f"应用“{name}”不存在")
    client.revoked = True
    client.save(update_fields=["revoked"])
    return client


def authenticate(raw: str | None) -> Client | None:
    """Return the active client whose key this is, noting its use; None for a missing, unknown or revoked key."""
    if not raw:
        return None
    client = Client.objects.select_related("user").filter(digest=hash_token(raw.strip()), revoked=False).first()
    if client is None or not client.user.is_active:
        return None
    now = clock.now()
    # As for API tokens: note use at most every few minutes, not a write per request.
    if client.last_used_at is None or now - client.last_used_at > TOUCH_EVERY:
        Client.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
