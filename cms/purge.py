"""The one place that tells the HTTP cache in front of the public site what changed.

Public responses are kept by a shared HTTP cache (Varnish, `deploy/varnish/default.vcl`) for as
long as their `Cache-Control: s-maxage` allows (`cms/http_cache.py`). Whatever changes what
visitors see purges the pages that show it, right after the change commits, through Wagtail's
frontend cache backends (`WAGTAILFRONTENDCACHE`, configured from `ALSMIS_FRONTEND_CACHE_URL`;
nothing is sent when it is unset). `cms/signals.py` calls these functions on each event:

| event | purged |
|---|---|
| an item published, edited, withdrawn or unpublished (`item_changed`) | the item's page in every language, and the collection's pages |
| a snapshot accepted or reopened, a batch of awards issued (`statistics_changed`) | the collection's pages (the CLMD page shows the statistics and the micro-credential counts) |
| an award revoked (`award_changed`) | the award's verification page (`/verify/<code>/`) in every language, and the collection's pages (the counts) |
| an award replaced by a re-issue (`award_changed`, not counted) | the award's verification page in every language (the counts stay: the new award takes its place) |
| a directory entry saved or deleted (`directory_changed`) | the directory page |
| any other page published, unpublished, moved or deleted; a view restriction; the Site (`site_changed`) | everything: menus and breadcrumbs are on every page |

The collection's pages are Resources, CLMD (latest publications, statistics), the Atom feed,
the sitemap and OAI-PMH, in every language. The cache in front takes a PURGE of a path as "this
path with any query string" (see the VCL), so purging `/resources/` purges every search too.

Every event but `award_changed` also replaces the collection version, the key under which the
Resources search keeps its facet index (`cms.search.facet_index`); an award is not in it.
"""

import logging
import uuid
from urllib.error import URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from wagtail.contrib.frontend_cache.backends import HTTPBackend
from wagtail.contrib.frontend_cache.utils import get_backends

logger = logging.getLogger(__name__)

VERSION_KEY = "cms.collection_version"
# The URL names of the public views that list the collection (besides its pages).
COLLECTION_VIEWS = ("resources_feed", "sitemap", "oai_pmh")
# The URL name of a certificate's verification page (credentials/verify_views.py).
VERIFY_VIEW = "verify_award"
# What a whole-site purge bans: every path.
EVERYTHING = "^/"


# The collection version ----------------------------------------------------------------------


def collection_version():
    """The current collection version: a random token that every change replaces.

    Kept in the cache every web process shares (`CACHES["shared"]`: a database table, or Redis),
    so a publish on one node is seen by all. A token rather than a counter: a database restored
    or rolled back to an older state never meets an index built for a newer one.
    """
    shared = caches["shared"]
    version = shared.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not shared.add(VERSION_KEY, version, timeout=None):
            version = shared.get(VERSION_KEY) or version
    return version


def _new_collection_version():
    caches["shared"].set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


# Events ----------------------------------------------------------------------------------------


def item_changed(page):
    """An item's page was published, edited, withdrawn or unpublished."""
    _changed(lambda: page_urls(page) + collection_urls())


def collection_changed():
    """Something every listing shows changed (e.g. the search vectors were recomputed)."""
    _changed(collection_urls)


def statistics_changed():
    """A snapshot was accepted or reopened, or a batch of awards issued: the public statistics
    (the CLMD page, its enrolment tables and micro-credential counts) change."""
    _changed(collection_urls)


def award_changed(code, *, counted=True):
    """The award with verification code `code` was revoked or replaced: its page now says so.

    `counted`: the public micro-credential counts (the CLMD page) change too, as on a revoke; a
    re-issue leaves them as they were (the new award stands where the old one did)."""
    _changed(
        lambda: verify_urls(code) + (collection_urls() if counted else []),
        collection=False,
    )


def directory_changed():
    """A directory entry was saved or deleted."""
    from cms.models import DirectoryPage

    _changed(lambda: [url for page in DirectoryPage.objects.live() for url in page_urls(page)])


def site_changed():
    """Something every page shows changed (the sections, a move, a restriction, the Site)."""
    _changed(list, everything=True)


def _changed(urls, *, everything=False, collection=True):
    """Replace the collection version and, once the change commits, purge the cache in front.

    `urls()` gives the full URLs to purge; it is read now (the pages' URLs as they are) and only
    when a cache is configured. The version is replaced now, so the rest of this transaction
    searches the new collection, and again at the commit, so that no process keeps an index it
    built from the old collection between the two. `collection=False` keeps the version: the
    change is to nothing the Resources search shows.
    """
    if collection:
        _new_collection_version()
    backends = get_backends()
    batch = (frozenset(urls()) if backends and not everything else frozenset(), everything)

    def send():
        if collection:
            _new_collection_version()
        purge(*batch, backends=backends)

    transaction.on_commit(send, robust=True)


# URLs ------------------------------------------------------------------------------------------


def page_urls(page):
    """The full URLs of a Wagtail page in every language of the interface (`/…` and `/fil/…`)."""
    urls = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            url = page.get_full_url()
        if url and url not in urls:
            urls.append(url)
    return urls


def collection_urls():
    """The full URLs of every page that lists the collection, in every language."""
    from cms.models import ClmdPage, ResourcesIndexPage
    from cms.site_setup import absolute_url

    urls = []
    for model in (ResourcesIndexPage, ClmdPage):
        for page in model.objects.live():
            urls += page_urls(page)
    with translation.override(settings.LANGUAGE_CODE):
        urls += [absolute_url(reverse(name)) for name in COLLECTION_VIEWS]
    return urls


def verify_urls(code):
    """The full URLs of the verification page of the award with `code`, in every language."""
    from cms.site_setup import absolute_url

    urls = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            url = absolute_url(reverse(VERIFY_VIEW, args=[code]))
        if url not in urls:
            urls.append(url)
    return urls


# Sending -------------------------------------------------------------------------------------


def purge(urls=(), everything=False, *, backends=None):
    """Purge `urls` (or everything) from every configured cache, now.

    Returns {backend name: whether it took a whole-site purge}; URL purges are only logged when
    they fail (Wagtail's backends report nothing back).
    """
    backends = get_backends() if backends is None else backends
    done = {}
    for name, backend in backends.items():
        if everything:
            if hasattr(backend, "ban"):
                done[name] = backend.ban(EVERYTHING) is not False
            else:
                logger.warning("Frontend cache %s cannot purge everything", name)
                done[name] = False
        elif urls:
            backend.purge_batch(sorted(urls))
            done[name] = True
    return done


class _Method(Request):
    def __init__(self, method, url, headers):
        super().__init__(url, headers=headers, method=method)


class VarnishBackend(HTTPBackend):
    """Wagtail's HTTP backend for Varnish, with a timeout, and BAN for a whole-site purge.

    PURGE <path> makes the VCL ban that path with any query string; BAN with `X-Ban-Path: <regex>`
    bans every path the expression matches. Varnish accepts both only from its `purgers` ACL.
    `TIMEOUT` (seconds, default 3) bounds each request: purges run at the end of the request that
    published, and an unreachable cache must not hold it up for long. Failures are logged; the
    page then stays cached until its s-maxage runs out.
    """

    def __init__(self, params):
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", 3))
        super().__init__(params)

    def purge(self, url):
        """Purge one URL (its path and every query string of it)."""
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        return self._send("PURGE", parts.path, {"Host": host}, url)

    def purge_batch(self, urls):
        """Purge each URL; stop at the first one the cache does not accept (down, or refusing
        this host): the others would fail the same way, each after its timeout."""
        for url in urls:
            if not self.purge(url):
                break

    def ban(self, path_regex):
        """Ban every cached path that `path_regex` (a Varnish regular expression) matches."""
        return self._send("BAN", "/", {"X-Ban-Path": path_regex}, path_regex)

    def _send(self, method, path, headers, what):
        target = urlunsplit((self.cache_scheme, self.cache_netloc, path, "", ""))
        request = _Method(method, target, {**headers, "User-Agent": "alsmis-purge"})
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                response.read()
        except (URLError, OSError) as error:
            logger.error("Could not %s %s in the HTTP cache at %s: %s", method, what, target, error)
            return False
        return True
