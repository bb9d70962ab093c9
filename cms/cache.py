"""Anonymous page store: whole public responses kept in the database and served before Django.

`AnonymousPageCacheMiddleware` is the outermost middleware. For an anonymous GET it runs one
prepared statement that both finds a stored response (`RenderedPage`) and checks that it is
still current, and answers with its bytes without routing, sessions or templates. On a miss the
page renders as usual and the response is stored, so every web worker (and every restart) can
serve it.

What keeps stored pages current (see `PublicCacheGeneration`):

- a published item's own page ("page" scope) is current while that page is live at the same
  revision, the site generation holds and the code release is the same; publishing, editing or
  withdrawing one item therefore leaves every other item page stored;
- everything else ("listing" scope: home, Resources and its searches, CLMD, feeds, sitemap,
  OAI-PMH) is current while the listing generation holds, for `ALSMIS_PAGE_CACHE_SECONDS` at most;
- `purge_public_cache` bumps the listing generation (any publish, withdraw or edit);
  `purge_whole_site` bumps both (a change of the site's sections, a move, a view restriction).

Item pages are rendered ahead of time by the `render_public_page` task when published and by
`manage.py render_public_pages` after a deploy or a site-wide change, so visitors rarely wait
for a render. `ALSMIS_PAGE_CACHE_SECONDS = 0` switches the whole store off.
"""

import hashlib
import json
import logging
import os
import random
import threading
import time
from collections import OrderedDict
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone, translation

from cms import routing
from cms.db import run_prepared

logger = logging.getLogger(__name__)

CACHEABLE_TYPES = ("text/html", "application/xml", "text/xml", "application/atom+xml")
# Headers that belong to one exchange, not to the page.
UNSTORED_HEADERS = {"content-length", "date", "set-cookie", "x-page-cache"}
# The PostgreSQL channel on which every purge is announced to the web processes.
PURGE_CHANNEL = "alsmis_page_store_purge"
# How long a process that cannot listen for purges waits before trying again.
LISTEN_RETRY_SECONDS = 30
# One store in this many prunes expired and superseded entries.
PRUNE_ONE_IN = 200
RELEASE_SUFFIXES = {".py", ".html", ".mo", ".css", ".js", ".svg", ".txt"}
RELEASE_SKIPPED_DIRS = {
    ".venv",
    ".git",
    "tests",
    "bench",
    "docs",
    "media",
    "static_collected",
    "node_modules",
    "__pycache__",
}


def _timeout():
    return int(getattr(settings, "ALSMIS_PAGE_CACHE_SECONDS", 300))


def store_enabled():
    """Whether anonymous pages are stored at all (`ALSMIS_PAGE_CACHE_SECONDS` > 0)."""
    return _timeout() > 0


@lru_cache(maxsize=1)
def current_release():
    """A short id of the deployed code: `ALSMIS_RELEASE`, or a hash of the project's sources.

    Templates, translations, static files and Python all change what a page looks like, so a
    stored page rendered by other code is never served.
    """
    configured = getattr(settings, "ALSMIS_RELEASE", "")
    if configured:
        return str(configured)[:16]
    import django
    import wagtail

    digest = hashlib.sha256(f"{django.__version__}|{wagtail.__version__}".encode())
    base = Path(settings.BASE_DIR)
    for path in sorted(_release_files(base)):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _release_files(directory):
    for entry in directory.iterdir():
        if entry.is_dir():
            if entry.name not in RELEASE_SKIPPED_DIRS and not entry.name.startswith("."):
                yield from _release_files(entry)
        elif entry.suffix in RELEASE_SUFFIXES:
            yield entry


def generations():
    """(site generation, listing generation) now in force (0, 0 before the first purge)."""
    from cms.models import PublicCacheGeneration

    row = PublicCacheGeneration.objects.filter(pk=1).values_list("site", "value").first()
    return row or (0, 0)


def _bump(*, site):
    from cms.models import PublicCacheGeneration

    changes = {"value": F("value") + 1}
    if site:
        changes["site"] = F("site") + 1
    if not PublicCacheGeneration.objects.filter(pk=1).update(**changes):
        PublicCacheGeneration.objects.get_or_create(
            pk=1, defaults={"value": 1, "site": 1 if site else 0}
        )
    # Every process drops its copies in memory: this one now, the others when the change
    # commits (PostgreSQL delivers a NOTIFY at commit, and not at all on rollback).
    process_copies.clear()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {PURGE_CHANNEL}")


def purge_public_cache(**_kwargs):
    """Make every stored listing stale (usable directly as a signal receiver).

    Item pages stay: each is checked against its own page's live revision.
    """
    _bump(site=False)


def purge_whole_site(**_kwargs):
    """Make every stored page stale, items included, and queue rendering the items again."""
    _bump(site=True)
    if store_enabled():
        from cms.tasks import render_public_pages

        transaction.on_commit(render_public_pages.enqueue)


def sections_digest():
    """A digest of what every public page shows of the rest of the site.

    The menu lists the root's live children shown in menus and the item pages' breadcrumb the
    Resources page; a change to either (title, URL, status) alters every stored page.
    """
    from wagtail.models import Site

    from cms.models import ResourcesIndexPage

    rows = []
    for site in Site.objects.order_by("pk"):
        rows.append((site.pk, site.hostname, site.port, site.root_page_id, site.is_default_site))
        rows += list(
            site.root_page.get_children().live().in_menu().values_list("pk", "title", "url_path")
        )
    rows += list(ResourcesIndexPage.objects.live().values_list("pk", "title", "url_path"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def purge_for_page_change():
    """Purge after a page other than an item changed: listings, and items if sections changed."""
    from cms.models import PublicCacheGeneration

    digest = sections_digest()
    counters, _created = PublicCacheGeneration.objects.get_or_create(pk=1)
    if counters.sections_digest == digest:
        purge_public_cache()
    else:
        PublicCacheGeneration.objects.filter(pk=1).update(sections_digest=digest)
        purge_whole_site()


def mark_single_page(response, page):
    """Tell the store that this response shows `page` alone (stays current while it does)."""
    response.alsmis_single_page = (page.pk, page.live_revision_id)
    return response


def entry_key(path, language):
    """The store key of one request: its language and full path (query string included).

    The host is left out on purpose: the ALS MIS serves one Wagtail site, and the same page
    reached through another allowed host name is the same page.
    """
    return hashlib.sha256(f"{language}|{path}".encode()).hexdigest()


def _language(request):
    # The public URLs are i18n_patterns without a prefix for the default language, so the
    # path alone decides the language, exactly as LocaleMiddleware will.
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def _excluded(path):
    prefixes = getattr(settings, "ALSMIS_PAGE_CACHE_EXCLUDE", ())
    return any(path.startswith(prefix) for prefix in prefixes)


def _lookup(key, now):
    """One statement: the generations now in force, the highest page id (see
    `cms.routing.prime`), and the stored response (expiry, status, headers, content) if still
    current."""
    return run_prepared(_lookup_sql(), [key, current_release(), now])


@lru_cache(maxsize=1)
def _lookup_sql():
    from cms.models import PublicCacheGeneration, RenderedPage

    stored = RenderedPage._meta.db_table
    counters = PublicCacheGeneration._meta.db_table
    return f"""
        SELECT g.site, g.listing, (SELECT MAX(id) FROM wagtailcore_page),
            r.expires_at, r.status, r.headers, r.content
        FROM (SELECT COALESCE(MAX(site), 0) AS site, COALESCE(MAX(value), 0) AS listing
              FROM {counters} WHERE id = 1) g
        LEFT JOIN {stored} r ON r.key = %s AND r.release = %s AND (
            (r.scope = 'page' AND r.generation = g.site AND EXISTS (
                SELECT 1 FROM wagtailcore_page p
                WHERE p.id = r.page_id AND p.live AND (p.live_revision_id = r.revision_id
                    OR (p.live_revision_id IS NULL AND r.revision_id IS NULL))))
            OR (r.scope = 'listing' AND r.generation = g.listing AND r.expires_at > %s))
    """


# The stored entry's columns, in the order `_store` passes them.
STORED_FIELDS = (
    "key",
    "path",
    "scope",
    "page",
    "revision_id",
    "generation",
    "release",
    "status",
    "headers",
    "content",
    "rendered_at",
    "expires_at",
)


@lru_cache(maxsize=2)
def _store_sql(asynchronous):
    """The upsert of one entry; `asynchronous` makes it commit without waiting for the disk.

    A stored page can always be rendered again, so the write-ahead log's flush is not worth
    the visitor's wait. `set_config(..., true)` lasts to the end of the statement's own
    transaction; the CTE is read (by RETURNING) only so that PostgreSQL runs it.
    """
    from cms.models import RenderedPage

    columns = [RenderedPage._meta.get_field(name).column for name in STORED_FIELDS]
    sql = (
        f"INSERT INTO {RenderedPage._meta.db_table} ({', '.join(columns)})"
        f" VALUES ({', '.join(['%s'] * len(columns))})"
        f" ON CONFLICT (key) DO UPDATE SET "
        + ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[1:])
    )
    if asynchronous:
        sql = (
            "WITH settings AS (SELECT set_config('synchronous_commit', 'off', true) AS value) "
            + sql
            + " RETURNING (SELECT value FROM settings)"
        )
    return sql


def _store(request, response, key, site_generation, listing_generation, now):
    from cms.models import RenderedPage

    single = getattr(response, "alsmis_single_page", None)
    path = request.get_full_path()
    if single and not request.META.get("QUERY_STRING"):
        page_id, revision_id = single
        scope, generation, expires = RenderedPage.Scope.PAGE, site_generation, None
    else:
        page_id = revision_id = None
        scope, generation = RenderedPage.Scope.LISTING, listing_generation
        expires = now + timezone.timedelta(seconds=_timeout())
    headers = [
        [name, value] for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
    ]
    values = {
        "key": key,
        "path": path[:2000],
        "scope": scope,
        "page": page_id,
        "revision_id": revision_id,
        "generation": generation,
        "release": current_release(),
        "status": response.status_code,
        "headers": headers,
        "content": response.content,
        "rendered_at": now,
        "expires_at": expires,
    }
    params = [
        RenderedPage._meta.get_field(name).get_db_prep_save(values[name], connection)
        for name in STORED_FIELDS
    ]
    # Outside a transaction (always, in production: this middleware is the outermost), the
    # write is a transaction of its own and may commit asynchronously.
    asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
    run_prepared(_store_sql(asynchronous), params, fetch=None)
    if scope == RenderedPage.Scope.LISTING and random.randrange(PRUNE_ONE_IN) == 0:
        prune_rendered_pages()


def prune_rendered_pages():
    """Delete stored pages that can never be served again; returns how many."""
    from django.db.models import Q

    from cms.models import RenderedPage

    site_generation, listing_generation = generations()
    stale = (
        ~Q(release=current_release())
        | Q(scope=RenderedPage.Scope.PAGE, generation__lt=site_generation)
        | Q(scope=RenderedPage.Scope.LISTING, generation__lt=listing_generation)
        | Q(scope=RenderedPage.Scope.LISTING, expires_at__lte=timezone.now())
    )
    return RenderedPage.objects.filter(stale).delete()[0]


class ProcessCopies:
    """Stored pages this web process served lately, kept in its memory so that serving one again
    costs no database round trip (on this kind of machine, most of a stored page's cost).

    A copy is good while no purge has been announced since it was kept: every generation bump
    sends a PostgreSQL NOTIFY on `PURGE_CHANNEL` with its transaction, and each process listens
    on a connection of its own, which it polls (without waiting) on every request. Any
    announcement drops every copy. A copy is also dropped after `ALSMIS_PAGE_CACHE_LOCAL_SECONDS`
    (so a notification lost with a broken connection costs at most that long) and when its
    stored listing expires. If the listening connection fails, copies are dropped and the
    store's one query serves until it is back. Off without PostgreSQL, or with
    `ALSMIS_PAGE_CACHE_LOCAL_ENTRIES = 0`.
    """

    def __init__(self):
        # Threaded servers share one instance between requests.
        self.lock = threading.Lock()
        self.entries = OrderedDict()
        self.listener = None
        self.pid = None
        self.retry_at = 0.0

    def _limits(self):
        return (
            int(getattr(settings, "ALSMIS_PAGE_CACHE_LOCAL_ENTRIES", 0)),
            int(getattr(settings, "ALSMIS_PAGE_CACHE_LOCAL_SECONDS", 30)),
        )

    def get(self, key):
        """The (status, headers, content) kept for `key`, or None."""
        with self.lock:
            if not self.entries or not self._announcements_heard():
                return None
            entry = self.entries.get(key)
            if entry is None:
                return None
            response, until = entry
            if time.monotonic() >= until:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return response

    def keep(self, key, response, expires_at):
        """Keep a current stored response (and until when its stored listing is current)."""
        size, seconds = self._limits()
        if size <= 0:
            return
        with self.lock:
            if not self._listening():
                return
            until = time.monotonic() + seconds
            if expires_at is not None:  # an aware datetime: copies exist on PostgreSQL only
                remaining = (expires_at - timezone.now()).total_seconds()
                until = min(until, time.monotonic() + remaining)
            self.entries[key] = (response, until)
            self.entries.move_to_end(key)
            while len(self.entries) > size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()

    def _listening(self):
        """Whether this process has a working connection that listens for purges."""
        if self.pid != os.getpid():  # a forked worker gets its own connection
            self.listener, self.pid = None, os.getpid()
            self.entries.clear()
        if self.listener is not None:
            return True
        if connection.vendor != "postgresql" or time.monotonic() < self.retry_at:
            return False
        try:
            listener = connection.Database.connect(
                **connection.get_connection_params(), autocommit=True
            )
            listener.execute(f"LISTEN {PURGE_CHANNEL}")
        except Exception:  # noqa: BLE001 - without a listener, every hit asks the store
            logger.warning("Cannot listen for page store purges", exc_info=True)
            self.retry_at = time.monotonic() + LISTEN_RETRY_SECONDS
            return False
        # Anything kept before this connection listened may have missed a purge.
        self.entries.clear()
        self.listener = listener
        return True

    def _announcements_heard(self):
        """Drop every copy if a purge was announced; False if copies cannot be trusted."""
        if not self._listening():
            self.entries.clear()
            return False
        try:
            announced = any(True for _notice in self.listener.notifies(timeout=0))
        except Exception:  # noqa: BLE001 - a broken connection: listen again later
            logger.warning("Lost the page store purge listener", exc_info=True)
            self.listener = None
            self.entries.clear()
            return False
        if announced:
            self.entries.clear()
        return True

    def close(self):
        """Stop listening (tests; a worker's connection otherwise ends with the process)."""
        with self.lock:
            if self.listener is not None:
                self.listener.close()
            self.listener = None
            self.entries.clear()


process_copies = ProcessCopies()


class AnonymousPageCacheMiddleware:
    """Serve anonymous GET requests for public pages from the page store when possible.

    It comes right after the security headers and the input guard (HTTPS redirect, CSP, bad
    input are decided for stored pages too) and before everything else: a stored response
    already carries the headers the rest of the stack added (Content-Language, Vary), and it is
    answered without running that stack again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        request.get_host()  # refuse a host outside ALLOWED_HOSTS before serving anything
        language = _language(request)
        key = entry_key(request.get_full_path(), language)
        copy = process_copies.get(key)
        if copy is not None:
            return self._replay(*copy)
        now = timezone.now()
        site_generation, listing_generation, highest_page, expires, status, headers, content = (
            _lookup(key, now)
        )
        if content is not None:
            process_copies.keep(key, (status, headers, content), expires)
            return self._replay(status, headers, content)
        routing.prime(request, (site_generation, listing_generation, highest_page), language)
        response = self.get_response(request)
        routing.remember(request, response)
        if self._cacheable_response(response):
            self._store_quietly(request, response, key, site_generation, listing_generation, now)
            response["X-Page-Cache"] = "miss"
        return response

    def _store_quietly(self, request, response, key, site_generation, listing_generation, now):
        # A store that fails (say, a read-only replica) must not fail the visitor's request,
        # nor leave a transaction around it unusable (hence the savepoint inside one).
        try:
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                _store(request, response, key, site_generation, listing_generation, now)
        except Exception:  # noqa: BLE001 - logged, and the rendered response still goes out
            logger.exception("Could not store %s", request.path)

    @staticmethod
    def _replay(status, headers, content):
        if isinstance(headers, str):  # SQLite hands JSON back as text
            headers = json.loads(headers)
        response = HttpResponse(bytes(content), status=status)
        for name, value in headers:
            response[name] = value
        response["Content-Length"] = str(len(response.content))
        response["X-Page-Cache"] = "hit"
        return response

    def _cacheable_request(self, request):
        if not store_enabled() or request.method != "GET":
            return False
        if _excluded(request.path):
            return False
        # Anyone with a session (staff signed in to the admin) sees fresh, personal pages.
        return settings.SESSION_COOKIE_NAME not in request.COOKIES

    def _cacheable_response(self, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if "private" in response.get("Cache-Control", "") or response.has_header("Set-Cookie"):
            return False
        return response.get("Content-Type", "").split(";")[0].strip() in CACHEABLE_TYPES
