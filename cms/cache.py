"""Anonymous page cache: whole responses of anonymous GETs, purged on publish, withdraw and edit.

Keys carry a generation number kept in the database (`PublicCacheGeneration`); `purge_public_cache`
bumps it, which makes every older entry unreachable in every worker at once. Entries also expire
after `ALSMIS_PAGE_CACHE_SECONDS` (0 switches the cache off).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse
from django.utils import translation

CACHEABLE_TYPES = ("text/html", "application/xml", "text/xml", "application/atom+xml")
KEPT_HEADERS = ("Content-Type", "Content-Language", "Last-Modified")


def _timeout():
    return int(getattr(settings, "ALSMIS_PAGE_CACHE_SECONDS", 300))


def current_generation():
    """The cache generation now in force (0 before the first purge)."""
    from cms.models import PublicCacheGeneration

    value = PublicCacheGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    return value or 0


def purge_public_cache(**_kwargs):
    """Make every cached anonymous page stale (usable directly as a signal receiver)."""
    from cms.models import PublicCacheGeneration

    updated = PublicCacheGeneration.objects.filter(pk=1).update(value=F("value") + 1)
    if not updated:
        PublicCacheGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


def _excluded(path):
    prefixes = getattr(settings, "ALSMIS_PAGE_CACHE_EXCLUDE", ())
    return any(path.startswith(prefix) for prefix in prefixes)


class AnonymousPageCacheMiddleware:
    """Serve anonymous GET/HEAD requests for public pages from the cache when possible."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        cached = cache.get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._cacheable_response(response):
            headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
            cache.set(key, (response.status_code, headers, response.content), _timeout())
            response["X-Page-Cache"] = "miss"
        return response

    def _cacheable_request(self, request):
        if _timeout() <= 0 or request.method != "GET":
            return False
        if _excluded(request.path):
            return False
        # Anyone with a session (staff signed in to the admin) sees fresh, personal pages.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)

    def _cacheable_response(self, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if "private" in response.get("Cache-Control", "") or response.has_header("Set-Cookie"):
            return False
        return response.get("Content-Type", "").split(";")[0].strip() in CACHEABLE_TYPES

    def _key(self, request):
        raw = f"{request.get_host()}|{translation.get_language()}|{request.get_full_path()}"
        digest = hashlib.sha256(raw.encode()).hexdigest()
        return f"alsmis:page:{current_generation()}:{digest}"
