"""Issuing, checking and revoking API tokens.

Tokens are Wagtail's own `wagtail.models.APIToken` rows: only an HMAC-SHA-256 digest of the token
is stored (keyed with SECRET_KEY, so a database dump alone yields no working credential), and
Wagtail records `last_used_at` and `revoked_at`. What Wagtail leaves open, this project closes: a
token expires `API_TOKEN_TTL_HOURS` after it was created.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from wagtail.models import APIToken

# Tokens issued by POST /api/v1/auth/token carry this name, so they stand out from tokens an
# administrator creates by hand.
LOGIN_TOKEN_NAME = "API login"


def token_ttl():
    """How long a token lives (setting API_TOKEN_TTL_HOURS)."""
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def expires_at(token):
    """When `token` stops working."""
    return token.created + token_ttl()


def is_expired(token, now=None):
    return expires_at(token) <= (now or timezone.now())


def issue_token(user):
    """Create a token for `user`; returns (plain token, APIToken). The plain token is never stored."""
    token, plaintext = APIToken.create_token(user=user, name=LOGIN_TOKEN_NAME)
    return plaintext, token


def revoke_token(token):
    """Revoke one token (logout); the row stays for the audit trail."""
    if token.revoked_at is None:
        token.revoke()


def live_tokens():
    """Tokens that still authenticate: not revoked, not expired."""
    return APIToken.objects.filter(
        revoked_at__isnull=True, created__gt=timezone.now() - token_ttl()
    )
