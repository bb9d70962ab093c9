"""Searching the Resources: full text (Wagtail search) plus facets with counts, sorting, paging.

Every search is a plain GET URL (`?q=...&kind=lr&strand=ls1&sort=newest&page=2`), so it can be
shared and cached. Facet values come from `ResourceFacetValue`; values within one facet are
ORed, different facets are ANDed; counts are those of the current results (drill-down).
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cms.models import ResourceFacetValue, ResourcePage

FACETS = [
    ("kind", _("Kind")),
    ("strand", _("Learning strand")),
    ("program", _("Program")),
    ("type", _("Resource type")),
    ("division", _("Division")),
    ("language", _("Language")),
    ("year", _("Year")),
]
FACET_KEYS = [key for key, _label in FACETS]
SORTS = {
    "relevance": _("Relevance"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "title": _("Title (A to Z)"),
}
ORDERING = {
    "newest": ("-date_published", "-page_ptr_id"),
    "oldest": ("date_published", "page_ptr_id"),
    "title": ("title", "page_ptr_id"),
}
PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 20


class SearchRequest:
    """The normalised parameters of one search, and how to write them back as a clean URL."""

    def __init__(self, params):
        self.q = " ".join((params.get("q") or "").split())[:MAX_QUERY_LENGTH]
        self.selected = {}
        for key in FACET_KEYS:
            values = sorted({v.strip()[:80] for v in params.getlist(key) if v.strip()})
            if values:
                self.selected[key] = values[:MAX_VALUES_PER_FACET]
        sort = params.get("sort") or ""
        if sort not in SORTS or (sort == "relevance" and not self.q):
            sort = "relevance" if self.q else "newest"
        self.sort = sort
        self.page = params.get("page") or "1"

    def query_string(self, *, toggle=None, sort=None, page=None):
        """The canonical query string, optionally toggling one facet value or changing sort/page."""
        selected = {key: list(values) for key, values in self.selected.items()}
        if toggle is not None:
            key, value = toggle
            values = selected.setdefault(key, [])
            if value in values:
                values.remove(value)
            else:
                values.append(value)
        pairs = []
        if self.q:
            pairs.append(("q", self.q))
        for key in FACET_KEYS:
            pairs += [(key, value) for value in sorted(selected.get(key, []))]
        chosen_sort = sort or self.sort
        if chosen_sort != ("relevance" if self.q else "newest"):
            pairs.append(("sort", chosen_sort))
        if page and str(page) != "1":
            pairs.append(("page", page))
        return "?" + urlencode(pairs) if pairs else "?"


def matching_pages(search):
    """The live, public resource pages matching the search text and the chosen facets."""
    if search.q:
        results = ResourcePage.objects.live().search(
            search.q, operator="and", order_by_relevance=search.sort == "relevance"
        )
        pages = results.get_queryset().public()
    else:
        pages = ResourcePage.objects.live().public()
    for key, values in search.selected.items():
        pages = pages.filter(
            pk__in=ResourceFacetValue.objects.filter(facet=key, value__in=values).values("page_id")
        )
    if search.sort != "relevance":
        pages = pages.order_by(*ORDERING[search.sort])
    return pages


def _display_label(key, row):
    """Labels stored at publish time, except the ones the interface translates."""
    from repository.models import Submission

    if key == "kind" and row["value"] in Submission.Kind.values:
        return Submission.Kind(row["value"]).label
    if key == "division" and row["value"] == "region":
        return _("Regional Office")
    return row["label"]


def facet_counts(pages, search):
    """[(key, label, [{"value", "label", "count", "selected", "url"}])] for the current results."""
    rows = (
        ResourceFacetValue.objects.filter(page_id__in=pages.order_by().values("pk"))
        .values("facet", "value", "label")
        .annotate(count=Count("id"))
    )
    grouped = {key: [] for key in FACET_KEYS}
    for row in rows:
        if row["facet"] in grouped:
            grouped[row["facet"]].append(row)
    facets = []
    for key, label in FACETS:
        items = grouped[key]
        if key == "year":
            items.sort(key=lambda r: r["value"], reverse=True)
        else:
            items.sort(key=lambda r: (-r["count"], r["label"]))
        chosen = search.selected.get(key, [])
        entries = [
            {
                "value": row["value"],
                "label": _display_label(key, row),
                "count": row["count"],
                "selected": row["value"] in chosen,
                "url": search.query_string(toggle=(key, row["value"])),
            }
            for row in items
        ]
        if entries:
            facets.append((key, label, entries))
    return facets


class _IdPage:
    """A Paginator-friendly sequence over an ordered list of page ids (one text search only)."""

    def __init__(self, ids):
        self.ids = ids

    def __len__(self):
        return len(self.ids)

    def count(self):
        return len(self.ids)

    def __getitem__(self, window):
        wanted = self.ids[window]
        pages = ResourcePage.objects.in_bulk(wanted)
        return [pages[pk] for pk in wanted if pk in pages]


def run_search(params):
    """Everything the Resources index template needs for one request's GET parameters.

    With search text, the full-text query runs once: its ordered ids feed the count, the facet
    counts and the current page, instead of repeating the text search three times.
    """
    search = SearchRequest(params)
    pages = matching_pages(search)
    if search.q:
        ids = list(pages.values_list("pk", flat=True))
        paginator = Paginator(_IdPage(ids), PER_PAGE)
        facet_source = ResourcePage.objects.filter(pk__in=ids)
    else:
        paginator = Paginator(pages, PER_PAGE)
        facet_source = pages
    page_obj = paginator.get_page(search.page)
    return {
        "search": search,
        "results": page_obj,
        "total": paginator.count,
        "facets": facet_counts(facet_source, search),
        "sorts": [
            (key, label, search.query_string(sort=key))
            for key, label in SORTS.items()
            if key != "relevance" or search.q
        ],
        "has_filters": bool(search.q or search.selected),
        "page_urls": {
            "previous": search.query_string(page=page_obj.previous_page_number())
            if page_obj.has_previous()
            else None,
            "next": search.query_string(page=page_obj.next_page_number())
            if page_obj.has_next()
            else None,
        },
    }
