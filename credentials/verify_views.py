"""Public verification of a printed certificate, phone-first and without a login.

`/verify/` is a form to type the code from paper; `/verify/<code>/` (the QR code's target) shows
what the certificate says and its status in plain words. It never shows the LRN, birthdate,
sex, address or CLC: only the award's own fields and the issuing division and region.

Every look-up that reaches the application counts against the shared per-address rate limit
(accounts.throttle, CREDENTIALS_VERIFY_RATE). A wrong code gets one answer whether it is
malformed or unknown, so the page gives no hint about which codes exist.

Caching: the page of a code that exists may be kept by the shared HTTP cache in front (the
`verify_award` row of cms/http_cache.py's POLICIES: an hour at most, never past the next local
midnight, because "valid" or "expired" depends on today's date). Revoking or re-issuing an award
purges its page in every language (cms/signals.py, on django-fsm's post_transition), so the
change shows at once. Only a code someone already knew is served from the cache: the form, a
wrong code (404) and a throttled look-up (429) are never stored, so every guess reaches the
application and counts against the limit.
"""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.throttle import SharedAddressRateThrottle

from . import codes
from .models import Award, AwardState

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


class VerifyThrottle(SharedAddressRateThrottle):
    """Certificate look-ups per client address, counted apart from the API's token requests."""

    scope = "verify"

    def __init__(self):
        super().__init__(settings.CREDENTIALS_VERIFY_RATE)


def _throttled(request):
    return not VerifyThrottle().allow_request(request)


def _localised(achievement, field):
    """The achievement's text in the page's language, English when not given."""
    language = (get_language() or "en").split("-")[0]
    if language in ("fil", "ilo"):
        return getattr(achievement, f"{field}_{language}", "") or getattr(achievement, field)
    return getattr(achievement, field)


def find_award(code):
    """The award with this code (as typed: normalised first), or None for any wrong code."""
    stored = codes.normalise(code)
    if not codes.is_well_formed(stored):
        return None
    return (
        Award.objects.select_related("achievement", "batch__division__region", "replaced_by")
        .filter(code=stored)
        .first()
    )


def status_of(award, today=None):
    """(key, plain words) for the award's status today."""
    today = today or timezone.localdate()
    if award.state == AwardState.REVOKED:
        when = timezone.localdate(award.revoked_at) if award.revoked_at else None
        return "revoked", _("Revoked on %(date)s. This certificate is no longer valid.") % {
            "date": _date(when)
        }
    if award.state == AwardState.REPLACED:
        return "replaced", _("Replaced by a newer certificate. This one is no longer valid.")
    if award.valid_until and award.valid_until < today:
        return "expired", _("Expired on %(date)s.") % {"date": _date(award.valid_until)}
    return "valid", _("Valid. This certificate was issued by DepEd and has not been revoked.")


def _date(value):
    from django.utils.formats import date_format

    return date_format(value, "j F Y") if isinstance(value, date) else ""


def organisation_name(award):
    """The issuer as a reader (and LinkedIn) names it: DepEd's division office and region."""
    division = award.batch.division
    return _("Department of Education, %(division)s, %(region)s") % {
        "division": division.name,
        "region": division.region.name,
    }


def linkedin_url(award, verify_url):
    """LinkedIn's "add to profile" address, with the certification filled in."""
    return f"{LINKEDIN_ADD_TO_PROFILE}?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": award.achievement.name,
            "organizationName": organisation_name(award),
            "issueYear": award.issued_on.year,
            "issueMonth": award.issued_on.month,
            "certUrl": verify_url,
            "certId": codes.display(award.code),
        }
    )


def _too_many(request):
    response = render(request, "credentials/verify_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


@never_cache
def verify_form(request):
    """The form to type a code; a typed code goes to its page (normalised)."""
    typed = request.GET.get("code", "")
    if typed.strip():
        stored = codes.normalise(typed)
        if codes.is_well_formed(stored):
            return HttpResponseRedirect(reverse("verify_award", args=[stored]))
        if _throttled(request):
            return _too_many(request)
        return render(
            request,
            "credentials/verify_form.html",
            {"typed": typed[:64], "wrong": True},
            status=404,
        )
    return render(request, "credentials/verify_form.html", {"typed": "", "wrong": False})


def verify_award(request, code):
    """What the certificate with `code` says, and whether it is still valid.

    No `never_cache`: CachePolicyMiddleware makes the 200 answer shareable (see the module) and
    every other answer (404, 429, the redirect) `private, no-store`."""
    if _throttled(request):
        return _too_many(request)
    award = find_award(code)
    if award is None:
        return render(
            request,
            "credentials/verify_form.html",
            {"typed": str(code)[:64], "wrong": True},
            status=404,
        )
    if award.code != code:
        # Typed in lower case or with dashes: one address per certificate.
        return HttpResponseRedirect(reverse("verify_award", args=[award.code]))
    status, status_words = status_of(award)
    verify_url = f"{settings.ALSMIS_PUBLIC_URL.rstrip('/')}/verify/{award.code}/"
    division = award.batch.division
    return render(
        request,
        "credentials/verify_award.html",
        {
            "award": award,
            "achievement_name": _localised(award.achievement, "name"),
            "achievement_description": _localised(award.achievement, "description"),
            "code_display": codes.display(award.code),
            "division_name": division.name,
            "region_name": division.region.name,
            "status": status,
            "status_words": status_words,
            "replacement": award.replaced_by if status == "replaced" else None,
            "linkedin_url": linkedin_url(award, verify_url) if status == "valid" else "",
            "json_url": reverse("credentials_award_json", args=[award.code]),
        },
    )
