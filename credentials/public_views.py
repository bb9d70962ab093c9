"""The machine-readable public side of the credentials, for wallets and verifiers (no login).

- `/.well-known/did.json`: the issuer's DID document (`did:web`), every signing key.
- `/verify/<code>/credential.json`: the award as a signed Open Badges 3.0 credential.
- `/credentials/status/1`: the signed revocation status list.

Every answer is `Cache-Control: no-store`, unlike the human-readable page `/verify/<code>/`
(verify_views), which the HTTP cache in front keeps for an hour at most (never past midnight) and
purges when its award is revoked or replaced. The status list must show a revocation at once
and is computed from the database on each request; the credential is signed at request time;
the DID document changes on a key rotation, which nothing purges. All three are cheap to make (a
few milliseconds), so no shared or browser cache keeps them, and every credential look-up counts
against the rate limit.
"""

import json

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import openbadges
from .verify_views import VerifyThrottle, find_award

JSON_LD = "application/ld+json"
DID_JSON = "application/did+json"


def _json(document, content_type=JSON_LD, status=200):
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type=f"{content_type}; charset=utf-8",
        status=status,
    )
    response["Cache-Control"] = "no-store"
    # Wallets and verifiers in browsers fetch these from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(message, status):
    response = JsonResponse({"detail": message}, status=status)
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def did_document(request):
    """The issuer's DID document (did:web)."""
    return _json(openbadges.did_document(), DID_JSON)


@require_safe
def award_credential(request, code):
    """The award with `code` as a signed OpenBadgeCredential; 404 for any wrong code.

    Counted against the same per-address limit as the verification page, so the JSON is no
    faster way to try codes."""
    if not VerifyThrottle().allow_request(request):
        response = _error(_("Too many look-ups from this address; try again in a minute."), 429)
        response["Retry-After"] = "60"
        return response
    award = find_award(code)
    # The stored form only: one address per credential (the credential's id names it).
    if award is None or award.code != code:
        return _error(_("No certificate has this code."), 404)
    return _json(openbadges.credential_for(award))


@require_safe
def status_list(request, list_id):
    """The revocation status list credential, as the database says now."""
    if list_id != openbadges.STATUS_LIST_ID:
        return _error(_("No such status list."), 404)
    return _json(openbadges.status_list_credential())
