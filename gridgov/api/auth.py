"""API authentication: bearer tokens for systems, the session for the browser."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from gridgov.accounts.models import ApiToken, hash_token


TOUCH_EVERY = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gg_…` issued by `gridgov token create USERNAME`."""

    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(digest=hash_token(token), revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        # Record use at most every few minutes: a write per request would serialise all API calls on SQLite.
        if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


AUTH = [TokenAuth(), django_auth]
