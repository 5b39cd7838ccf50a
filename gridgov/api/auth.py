"""API authentication: bearer tokens for systems, the session for the browser."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from gridgov.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gg_…` issued by `gridgov token create USERNAME`."""

    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(digest=hash_token(token), revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


AUTH = [TokenAuth(), django_auth]
