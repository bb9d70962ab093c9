"""How shared HTTP caches (Varnish in front of gunicorn, a CDN later) may keep each response.

One table, `POLICIES`, says for how long a shared cache may keep each kind of public page; the
page types and views it does not name are never shared. `CachePolicyMiddleware` writes the
answer on every response:

- a public page for an anonymous visitor: `Cache-Control: public, max-age=0, s-maxage=<its
  policy's seconds>`. Browsers ask again every time; the shared cache keeps the page until
  `cms/purge.py` purges it (on every change that alters it) or the seconds run out (the bound if
  a purge is ever lost). A policy may also end at the next local midnight (`TIME_ZONE`), for a
  page whose words depend on the date;
- anything for a visitor with a session (signed-in staff) or a response that sets a cookie:
  `private, no-store`, whatever the page, so no cache ever keeps a personal page;
- everything else (the admin, the API, errors, pages not in the table) keeps what its view said,
  or gets `private, no-store` when it said nothing.

Language: the public URLs are `i18n_patterns` without a prefix for English
(`prefix_default_language=False`), so the path alone decides the language (`/fil/…` is
Filipino, everything else English: LocaleMiddleware reads no cookie or header for them). The
`Vary: Accept-Language` that LocaleMiddleware adds to unprefixed URLs would only split the cache
per browser language for identical pages, so it is dropped from shareable responses.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.cache import patch_cache_control


@dataclass(frozen=True)
class Policy:
    """How long a shared cache may keep one kind of public response.

    `until_midnight`: never past the next local midnight either, because the page says
    something about today (a certificate that expires today is still valid until midnight).
    """

    name: str
    shared_seconds: int
    until_midnight: bool = False

    def seconds(self, now=None):
        """The s-maxage to send now: `shared_seconds`, cut at the next local midnight if asked."""
        if not self.until_midnight:
            return self.shared_seconds
        now = timezone.localtime(now)
        midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
        return max(1, min(self.shared_seconds, int((midnight - now).total_seconds())))


# An item's page changes only when that item is published again, withdrawn or the site's
# sections change, and each of those purges it.
ITEM = Policy("item", 24 * 3600)
# Pages that list the collection or its statistics: purged on every publish, withdrawal and
# accepted snapshot; a short lifetime bounds the cost of a purge that was lost.
LISTING = Policy("listing", 600)
# Sections edited in the admin: purged when any page other than an item is published.
SECTION = Policy("section", 3600)
# A certificate's verification page (credentials/verify_views.py), only for a code that exists:
# purged when the award is revoked or replaced. It says "Valid" or "Expired" by today's date, so
# it is kept until the next local midnight at most; the hour bounds what nothing purges (an
# achievement's or a division's name edited in the admin).
VERIFICATION = Policy("verification", 3600, until_midnight=True)

# The one table: Wagtail page types (app label.model, the most specific type decides) and the
# URL names of the public views that are not pages.
POLICIES = {
    "cms.resourcepage": ITEM,
    "cms.resourcesindexpage": LISTING,
    "cms.clmdpage": LISTING,
    "home.homepage": SECTION,
    "cms.issuancesindexpage": SECTION,
    "cms.issuancepage": SECTION,
    "cms.directorypage": SECTION,
    "resources_feed": LISTING,
    "sitemap": LISTING,
    "oai_pmh": LISTING,
    # Not the form (`verify_form`) nor a wrong code (404) or a throttled look-up (429): those
    # always reach the application, so every guess counts against the rate limit.
    "verify_award": VERIFICATION,
}
SHAREABLE_STATUS = {200}
NEVER_STORED = "private, no-store"


def page_policy(page):
    """The policy of a Wagtail page: its own type's, else its nearest ancestor type's, or None."""
    for model in type(page).__mro__:
        meta = getattr(model, "_meta", None)
        if meta is not None and not meta.abstract:
            policy = POLICIES.get(meta.label_lower)
            if policy is not None:
                return policy
    return None


def mark_page(page, request):
    """Remember on the request which page type it serves (the `before_serve_page` hook)."""
    request.alsmis_cache_policy = page_policy(page)


def request_policy(request):
    """The policy of the page or view that answered `request`, or None (never shared)."""
    policy = getattr(request, "alsmis_cache_policy", None)
    if policy is not None:
        return policy
    match = getattr(request, "resolver_match", None)
    return POLICIES.get(match.url_name) if match is not None and match.url_name else None


def signed_in(request):
    """Whether the request belongs to someone with a session (staff), or a signed-in user."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def apply_policy(request, response):
    """Write `Cache-Control` (and a cache-friendly `Vary`) on `response`; see the module."""
    if signed_in(request) or response.cookies:
        response.headers.pop("Cache-Control", None)
        patch_cache_control(response, private=True, no_store=True)
        return response
    policy = request_policy(request) if request.method in ("GET", "HEAD") else None
    shareable = (
        policy is not None
        and response.status_code in SHAREABLE_STATUS
        and not response.has_header("Cache-Control")
    )
    if not shareable:
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = NEVER_STORED
        return response
    patch_cache_control(response, public=True, max_age=0, s_maxage=policy.seconds())
    _drop_language_vary(response)
    return response


def _drop_language_vary(response):
    if not response.has_header("Vary"):
        return
    kept = [
        value.strip()
        for value in response["Vary"].split(",")
        if value.strip() and value.strip().lower() != "accept-language"
    ]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]


class CachePolicyMiddleware:
    """Say on every response how shared caches may keep it (`apply_policy`).

    Placed before the session, locale, CSRF and authentication middlewares, so that it sees the
    cookies and `Vary` they add to the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return apply_policy(request, self.get_response(request))
