"""Rendering published item pages ahead of their first visitor, into the page store (cms.cache).

Each page is requested through Django's full request handler, exactly as a visitor's request
would be, so what is stored is byte for byte what a visitor would get. A page already stored
and current is answered by the store itself and costs one query.
"""

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.http.request import validate_host
from django.test import RequestFactory
from django.utils import translation

from cms.cache import store_enabled


def item_paths(page, languages=None):
    """The site-relative URL of one item page in each language (default: every one)."""
    paths = []
    for code in languages or [code for code, _name in settings.LANGUAGES]:
        with translation.override(code):
            _site_id, _root_url, path = page.get_url_parts()
        if path and path not in paths:
            paths.append(path)
    return paths


def _request_host():
    """A host name this deployment accepts (the default site's, if allowed)."""
    from wagtail.models import Site

    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    site = Site.objects.filter(is_default_site=True).first()
    candidates = [site.hostname] if site else []
    candidates += [host.lstrip(".") for host in allowed if host != "*"]
    for host in candidates:
        if host and validate_host(host, allowed):
            return host
    return "localhost"


def render_item_pages(pages, *, languages=None, progress=None):
    """Store the rendered page of every live, public item in `pages`; returns how many rendered.

    `languages` limits the interface languages (default: every one); `progress(done, total)`,
    if given, is called every 500 pages.
    """
    if not store_enabled():
        return 0
    handler = BaseHandler()
    handler.load_middleware()
    factory = RequestFactory(SERVER_NAME=_request_host())
    live = list(pages.live().public().order_by("pk"))
    rendered = 0
    # Each request activates its own language; leave the caller's as it was.
    with translation.override(translation.get_language()):
        for done, page in enumerate(live, start=1):
            for path in item_paths(page, languages):
                response = handler.get_response(factory.get(path))
                rendered += response.get("X-Page-Cache") == "miss"
            if progress and done % 500 == 0:
                progress(done, len(live))
    return rendered
