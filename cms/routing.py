"""Routing answers that hold until the next purge, kept in each web process.

Before Wagtail serves a public page it finds the Site for the host (one query), walks the page
tree to the page for the path (two or three queries) and reads the view restrictions of the page
and its ancestors (two queries); the site menu then reads the root's children (one more). For
an anonymous render that the page store lets through, none of these answers can change while
the store's generations hold: every publish, unpublish, deletion, move, view restriction and
Site change bumps one of them (cms/signals.py). The store's middleware reads the generations on
every request anyway; it hands them to `prime`, which gives the request the answers of the last
render of the same path and language under the same generations, and `remember` keeps a
render's answers for the next one.

The answers reach Wagtail through the attributes it caches a request's Site and route on
(`request._wagtail_site`, `request._wagtail_route_for_request`, see `Page.route_for_request`).
Remembered page instances are shared by the renders of one process, which serve one request at
a time (gunicorn's sync workers); they are read, never changed.
"""

from collections import OrderedDict
from dataclasses import dataclass

from django.utils import translation

# Distinct paths remembered per process (an LRU): the site's sections and listings, and the
# item pages rendered lately (most item pages are served stored and never routed).
MAX_ROUTES = 512

_memo = {"state": None, "routes": OrderedDict(), "sections": {}}


def _current(state):
    """The memo's entries, emptied first if they belong to other generations than `state`."""
    if _memo["state"] != state:
        _memo.update(state=state, routes=OrderedDict(), sections={})
    return _memo


def prime(request, state, language):
    """Give `request` the Site and route remembered for it under `state`, if any.

    `state` identifies what the site looks like now: the page store's generations and the
    highest page id (generations start again from zero when a database is recreated or a test
    rolls back; page ids never repeat). `language` is the one the path asks for. Called by the
    page store's middleware, on a miss, before the rest of the stack runs.
    """
    key = (request.get_host(), request.get_port(), language, request.path_info)
    request.alsmis_route = (state, key)
    routes = _current(state)["routes"]
    remembered = routes.get(key)
    if remembered is not None:
        routes.move_to_end(key)
        request._wagtail_site, request._wagtail_route_for_request = remembered


def generations(request):
    """The (site generation, listing generation, highest page id) the page store read for
    `request` before it rendered, or None (the store is off, or the visitor signed in)."""
    return getattr(request, "alsmis_route", (None, None))[0]


def remember(request, response):
    """Keep the Site and route of a successful render of a primed request."""
    state, key = getattr(request, "alsmis_route", (None, None))
    route = getattr(request, "_wagtail_route_for_request", None)
    if state is None or route is None or response.status_code != 200:
        return
    routes = _current(state)["routes"]
    if key in routes:
        return
    page = route[0]
    # The view restrictions of a page and its ancestors are part of the answer (a restriction
    # added or removed bumps the site generation); Wagtail asks the page for them on every
    # serve, so this instance answers from the list.
    restrictions = list(page.get_view_restrictions())
    page.get_view_restrictions = lambda: restrictions
    routes[key] = (request._wagtail_site, route)
    while len(routes) > MAX_ROUTES:
        routes.popitem(last=False)


@dataclass(frozen=True)
class MenuSection:
    """A section of the site in the header menu."""

    title: str
    url: str
    # The section page's tree path: pages below it start with it (the menu's current item).
    path: str


def menu_sections(request, site):
    """The live sections of `site` shown in menus (the root page's children), in tree order.

    Remembered per site and language while the request's generations hold.
    """
    if site is None:
        return []
    state = generations(request)
    key = (site.pk, translation.get_language())
    if state is not None:
        sections = _current(state)["sections"].get(key)
        if sections is not None:
            return sections
    sections = [
        MenuSection(title=page.title, url=page.get_url(request), path=page.path)
        for page in site.root_page.get_children().live().in_menu()
    ]
    if state is not None:
        _current(state)["sections"][key] = sections
    return sections
