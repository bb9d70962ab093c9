"""Searching the Resources: full text plus facets with counts, sorting, paging.

Every search is a plain GET URL (`?q=...&kind=lr&strand=ls1&sort=newest&page=2`), so it can be
shared and cached. Facet values come from `ResourceFacetValue`; values within one facet are
ORed, different facets are ANDed; counts are those of the current results (drill-down).

Full text: on PostgreSQL, `ResourcePage.search_document` (a weighted vector with a GIN index,
written at publication and by `update_search_documents`) answers the query directly; elsewhere
(SQLite for `make run`) Wagtail's search backend does, on an FTS5 table whose tokenizer stems
(migration cms 0007). Both match word forms: "coin" finds "Coins", "farming" finds "farm".
Facets: which live, public pages carry each facet value is kept as one bit set per value
(`FacetIndex`), built once per collection version (`cms.purge.collection_version`: every
publish, withdrawal and change of the site bumps it) and cached. Filtering and counting a
search are then set operations in memory instead of GROUP BY queries over the whole collection.
"""

import re
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Max
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cms.models import ResourceFacetValue, ResourcePage, kind_label
from cms.purge import collection_version

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
# The fields of a result in the list (`ResultRow`, templates/cms/resources_index_page.html).
RESULT_FIELDS = (
    "pk",
    "title",
    "url_path",
    "kind",
    "origin_name",
    "date_published",
    "summary",
)
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 20
# The GIN index of ResourcePage.search_document, and from how many pages written at once its
# pending list is worth merging at once.
DOCUMENT_INDEX = "resource_search_document"
BULK_UPDATE = 100
# Search texts (with their sort) whose ordered matches each process remembers per version:
# at most 20,000 ids (160 kB) each, and usually a few thousand.
REMEMBERED_SEARCHES = 200
# Result rows (the fields of `RESULT_FIELDS`) each process remembers per version: about
# 500 bytes each, so at most about 10 MB.
REMEMBERED_ROWS = 20_000
# Entries of superseded versions are never read again; this only bounds how long they linger.
FACET_INDEX_SECONDS = 24 * 3600


class SearchRequest:
    """The normalised parameters of one search, and how to write them back as a clean URL."""

    def __init__(self, params):
        # NUL cannot travel to PostgreSQL as text; whitespace runs collapse to one space.
        text = (params.get("q") or "").replace("\x00", " ")
        self.q = " ".join(text.split())[:MAX_QUERY_LENGTH]
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
        self._encoded = None

    @property
    def chosen(self):
        """How many facet values are chosen (the phone's filter toggle says it)."""
        return sum(len(values) for values in self.selected.values())

    def query_string(self, *, toggle=None, sort=None, page=None):
        """The canonical query string, optionally toggling one facet value or changing sort/page.

        A results page writes some forty of these (one per facet value): the pairs that do not
        change are encoded once per request.
        """
        encoded = self._encoded_pairs()
        parts = list(encoded["q"])
        for key in FACET_KEYS:
            if toggle is not None and toggle[0] == key:
                values = set(self.selected.get(key, ())) ^ {toggle[1]}
                parts += [_encoded_pair(key, str(value)) for value in sorted(values)]
            else:
                parts += encoded.get(key, ())
        chosen_sort = sort or self.sort
        if chosen_sort != ("relevance" if self.q else "newest"):
            parts.append(_encoded_pair("sort", chosen_sort))
        if page and str(page) != "1":
            parts.append(_encoded_pair("page", str(page)))
        return "?" + "&".join(parts)

    def _encoded_pairs(self):
        if self._encoded is None:
            self._encoded = {"q": [_encoded_pair("q", self.q)] if self.q else []}
            for key, values in self.selected.items():
                self._encoded[key] = [_encoded_pair(key, value) for value in values]
        return self._encoded


@lru_cache(maxsize=4096)
def _encoded_pair(key, value):
    # What urlencode() writes for one pair; a results page writes some forty query strings
    # out of the same few pairs.
    return urlencode([(key, value)])


# Full text ----------------------------------------------------------------------------------


def uses_search_document():
    """Whether searches run on `ResourcePage.search_document` (PostgreSQL) or Wagtail search."""
    return connection.vendor == "postgresql"


def search_config():
    """The text-search configuration (stemming, stop words) of documents and queries.

    The one Wagtail's backend is configured with, else English: PostgreSQL's default, which the
    backend used implicitly. Migration 0004 repeats this rule for its backfill.
    """
    backend = settings.WAGTAILSEARCH_BACKENDS.get("default", {})
    return backend.get("SEARCH_CONFIG") or "english"


# Title (A); keywords and authors (B); summary, origin unit and languages (C): the fields Wagtail
# indexes for ResourcePage, weighted like its boosts. ts_rank weighs A 1.0, B 0.4, C 0.2.
_DOCUMENT_SQL = """
    UPDATE cms_resourcepage AS rp SET search_document =
        setweight(to_tsvector(%s::regconfig, coalesce(p.title, '')), 'A')
        || setweight(to_tsvector(%s::regconfig, concat_ws(' ', rp.keywords, rp.authors)), 'B')
        || setweight(to_tsvector(%s::regconfig,
               concat_ws(' ', rp.summary, rp.origin_name, rp.languages_display)), 'C')
    FROM wagtailcore_page AS p
    WHERE p.id = rp.page_ptr_id
"""


def update_search_documents(queryset=None):
    """(Re)compute `search_document` from the pages' current fields, in one SQL UPDATE.

    `queryset` (of resource pages) limits it to those pages; default: all of them. Publication
    calls it for the page it publishes; bulk loads and existing deployments call it (or
    `manage.py update_search_documents`) for everything. Returns the number of pages written:
    0 without PostgreSQL, where the column is not used.
    """
    if not uses_search_document():
        return 0
    sql, params = _DOCUMENT_SQL, [search_config()] * 3
    if queryset is not None:
        ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
        sql += f" AND rp.page_ptr_id IN ({ids_sql})"
        params += list(ids_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.rowcount
        if count >= BULK_UPDATE:
            # GIN queues new entries in a pending list that every search scans until a vacuum
            # merges it; after a bulk write that list is megabytes: merge it now.
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [DOCUMENT_INDEX])
    return count


def refresh_search_document(sender=None, instance=None, **kwargs):
    """Recompute one published page's vector; a receiver for Wagtail's `page_published`.

    Publication already does this; connected to the signal it also covers an editor's publish
    from the Wagtail admin, whose revision carries the vector of the text it was opened with.
    """
    if isinstance(instance, ResourcePage):
        update_search_documents(ResourcePage.objects.filter(pk=instance.pk))


def _text_matches(search, allowed, index):
    """The pages among `allowed` (bits) that match the search text: (ordered ids, bits).

    The ordered matches of the whole collection are worked out once per text and sort in a
    collection version (`FacetIndex.remembered_matches`): for relevance, by a ranked query;
    for the other sorts, by picking the matches out of the collection's order for the sort
    (`FacetIndex.order`), so that one cheaper, unranked query serves them all. Refining a
    search by its facets, or paging through it, then only intersects bit sets, and reads the
    order as far as the page.
    """
    if not allowed:
        return [], 0
    ranked = search.sort == "relevance"
    ordered, bits = index.remembered_matches(
        (search.q, ranked), lambda: _all_text_matches(search, ranked=ranked)
    )
    if not ranked:
        matching = bits
        ordered, bits = index.remembered_matches(
            (search.q, search.sort), lambda: _OrderedMembers(index.order(search.sort), matching)[:]
        )
    chosen = bits & allowed
    return _OrderedMembers(ordered, chosen), chosen


def _all_text_matches(search, *, ranked):
    """Ids of the live pages that match the search text, by relevance if `ranked`."""
    if uses_search_document():
        # Split like Wagtail's backend did (a hyphen separates words), then every word must
        # match, stemmed: plainto_tsquery ANDs the words and drops stop words. Pages that are
        # not live or not public are left out by the facet index's bits.
        words = " ".join(re.split(r"[\s\-]+", search.q))
        query = SearchQuery(words, config=search_config(), search_type="plain")
        pages = ResourcePage.objects.filter(search_document=query).order_by()
        if ranked:
            pages = pages.annotate(rank=SearchRank(F("search_document"), query))
            pages = pages.order_by("-rank", "-page_ptr_id")
        return pages.values_list("pk", flat=True)
    # Wagtail quotes each word for SQLite's FTS5 (whose Porter tokenizer stems it: migration
    # cms 0007) without escaping a double quote inside it, which FTS5 would refuse.
    words = search.q.replace('"', " ").split()
    if not words:
        return []
    results = ResourcePage.objects.live().search(
        " ".join(words), operator="and", order_by_relevance=ranked
    )
    return results.get_queryset().values_list("pk", flat=True)


# Facets ------------------------------------------------------------------------------------


def _bits(ids):
    """A set of page ids as an int whose bit n is set for id n (fast AND, OR and counts)."""
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray(max(ids) // 8 + 1)
    for pk in ids:
        buffer[pk >> 3] |= 1 << (pk & 7)
    return int.from_bytes(buffer, "little")


class _OrderedMembers:
    """The ids of `ordered` whose bit is set in `bits`, in order, read only as far as a slice
    asks (a results page), not filtered whole on every search."""

    def __init__(self, ordered, bits):
        self.ordered = ordered
        self.bits = bits

    def __getitem__(self, window):
        buffer = self.bits.to_bytes(self.bits.bit_length() // 8 + 1, "little")
        size, found = len(buffer), []
        for pk in self.ordered:
            if (pk >> 3) < size and buffer[pk >> 3] >> (pk & 7) & 1:
                found.append(pk)
                if window.stop is not None and len(found) >= window.stop:
                    break
        return found[window]


@dataclass
class FacetIndex:
    """The live, public resource pages, and which of them carry each facet value, as bit sets.

    It also remembers, in the process that uses it, the ordered matches of recent search texts
    and the rows of results shown lately: all hold exactly as long as the collection version
    the index was built for (publishing, editing or withdrawing any page bumps it).
    """

    pages: int = 0
    # {facet: [(value, label, bits)]}
    values: dict = field(default_factory=dict)
    # {(text, sort): (array of page ids, bits)}, least recently used first; not shared through
    # the cache.
    matches: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)
    # {page id: row of RESULT_FIELDS}, least recently used first; not shared either.
    rows: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)
    # {sort: array of page ids in its order}, read on first use; not shared either.
    orders: dict = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self):
        return {"pages": self.pages, "values": self.values}

    def __setstate__(self, state):
        self.__init__(**state)

    def remembered_matches(self, key, find):
        """(ordered page ids, their bits) of what `find()` gives for `key`, computed once while
        this index holds."""
        found = self.matches.get(key)
        if found is None:
            ordered = array("q", find())
            found = (ordered, _bits(ordered))
            self.matches[key] = found
            while len(self.matches) > REMEMBERED_SEARCHES:
                self.matches.popitem(last=False)
        else:
            self.matches.move_to_end(key)
        return found

    def order(self, sort):
        """The ids of the live, public pages in the order of `sort` (newest, oldest, title),
        read once (one query) while this index holds."""
        ordered = self.orders.get(sort)
        if ordered is None:
            pages = ResourcePage.objects.live().public().order_by(*ORDERING[sort])
            ordered = self.orders[sort] = array("q", pages.values_list("pk", flat=True))
        return ordered

    def remembered_rows(self, ids):
        """{page id: row of `RESULT_FIELDS`} of the live pages among `ids`; only the rows not
        remembered yet are read (one statement)."""
        found, missing = {}, []
        for pk in ids:
            row = self.rows.get(pk)
            if row is None:
                missing.append(pk)
            else:
                self.rows.move_to_end(pk)
                found[pk] = row
        if missing:
            for row in _read_rows(missing):
                found[row[0]] = self.rows[row[0]] = row
            while len(self.rows) > REMEMBERED_ROWS:
                self.rows.popitem(last=False)
        return found

    @classmethod
    def build(cls):
        """Read the collection from the database (two queries)."""
        live = ResourcePage.objects.live().public().order_by().values_list("pk", flat=True)
        index = cls(pages=_bits(live))
        for key, value, label, ids in _facet_value_ids():
            # The facet rows of every page: those of pages that are not live are masked here,
            # which costs less than joining the pages in the query (a third of it, at 20,000).
            bits = _bits(ids) & index.pages
            if bits:
                index.values.setdefault(key, []).append((value, label, bits))
        return index

    def select(self, selected):
        """The pages (bits) with the chosen facet values: ORed within a facet, ANDed across."""
        bits = self.pages
        for key, chosen in selected.items():
            either = 0
            for value, _label, value_bits in self.values.get(key, []):
                if value in chosen:
                    either |= value_bits
            bits &= either
        return bits

    def counts(self, bits):
        """{facet: [{"value", "label", "count"}]} of the values present among `bits`."""
        counted = {}
        for key, values in self.values.items():
            rows = []
            for value, label, value_bits in values:
                count = (bits & value_bits).bit_count()
                if count:
                    rows.append({"value": value, "label": label, "count": count})
            counted[key] = rows
        return counted


def _facet_value_ids():
    """(facet, value, label, page ids) of every facet value, live pages or not."""
    rows = ResourceFacetValue.objects.filter(facet__in=FACET_KEYS)
    # One label per value even if a later publication renamed it (a program, a strand).
    if uses_search_document():
        from django.contrib.postgres.aggregates import ArrayAgg

        grouped = rows.values("facet", "value").annotate(label=Max("label"), ids=ArrayAgg("page"))
        for row in grouped.order_by():
            yield row["facet"], row["value"], row["label"], row["ids"]
        return
    groups = {}
    for key, value, label, page_id in rows.values_list("facet", "value", "label", "page_id"):
        entry = groups.setdefault((key, value), [label, []])
        entry[0] = max(entry[0], label)
        entry[1].append(page_id)
    for (key, value), (label, ids) in groups.items():
        yield key, value, label, ids


def _read_rows(ids):
    """The rows of `RESULT_FIELDS` of the live pages among `ids` (at most a results page)."""
    pages = ResourcePage.objects.filter(live=True, pk__in=ids).order_by()
    return list(pages.values_list(*RESULT_FIELDS))


_local = {}


def facet_index():
    """The `FacetIndex` of the collection as published now, built once per collection version.

    Kept in Django's cache (shared by the web workers when it is Redis) and in this process,
    under the version that every publish, withdrawal and change of the site replaces
    (`cms.purge.collection_version`, one read of the shared cache).
    """
    key = f"cms.search.facets:{collection_version()}"
    index = _local.get(key)
    if index is None:
        index = cache.get(key)
        if index is None:
            index = FacetIndex.build()
            cache.set(key, index, FACET_INDEX_SECONDS)
        _local.clear()
        _local[key] = index
    return index


def _display_label(key, row):
    """Labels stored at publish time, except the ones the interface translates."""
    if key == "kind":
        return kind_label(row["value"]) or row["label"]
    if key == "division" and row["value"] == "region":
        return _("Regional Office")
    return row["label"]


def facet_entries(counted, search):
    """[(key, label, [{"value", "label", "count", "count_display", "selected", "url"}])]."""
    facets = []
    for key, label in FACETS:
        items = list(counted.get(key, []))
        if key == "year":
            items.sort(key=lambda r: r["value"], reverse=True)
        else:
            items.sort(key=lambda r: (-r["count"], r["label"]))
        chosen = search.selected.get(key, [])
        language = translation.get_language()
        entries = [
            {
                "value": row["value"],
                "label": _display_label(key, row),
                "count": row["count"],
                "count_display": _in_language(intcomma, row["count"], language),
                "selected": row["value"] in chosen,
                "url": search.query_string(toggle=(key, row["value"])),
            }
            for row in items
        ]
        if entries:
            facets.append((key, label, entries))
    return facets


# Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One search result as the list shows it: a few fields of the page, and its URL."""

    pk: int
    title: str
    url: str
    kind: str
    origin_name: str
    date_published: object
    summary: str

    @property
    def kind_label(self):
        return _in_language(kind_label, self.kind, translation.get_language())

    @property
    def date_display(self):
        """The publication date in the language's DATE_FORMAT ("March 2, 2026")."""
        return _in_language(date_format, self.date_published, translation.get_language())


@lru_cache(maxsize=4096)
def _in_language(function, value, language):
    # A result list shows twenty kind labels and dates and the facets sixty counts, mostly the
    # same few: formatting one, in the template, took longer than the rest of its entry.
    return str(function(value))


class _Results:
    """A Paginator-friendly sequence of results: ordered ids (`_OrderedMembers`, or an empty
    list) whose number is already known, so paging never runs a COUNT query.

    Rows are plain values, not page instances (those cost three times the query), remembered
    by the facet index, and their URLs made from the Resources page's own: every result is
    one of its children.
    """

    def __init__(self, ids, total, listing, index):
        self.ids = ids
        self.total = total
        self.listing_path, self.listing_url = listing
        self.index = index

    def __len__(self):
        return self.total

    def count(self):
        return self.total

    def __getitem__(self, window):
        wanted = list(self.ids[window])
        found = self.index.remembered_rows(wanted)
        return [self._row(*found[pk]) for pk in wanted if pk in found]

    def _row(self, pk, title, url_path, kind, origin_name, date_published, summary):
        return ResultRow(
            pk=pk,
            title=title,
            url=self.listing_url + url_path.removeprefix(self.listing_path),
            kind=kind,
            origin_name=origin_name,
            date_published=date_published,
            summary=summary,
        )


def run_search(params, listing):
    """Everything the Resources index template needs for one request's GET parameters.

    `listing` is the Resources page's (url_path, URL) the result URLs are made from.

    The facet index gives the live, public pages with the chosen facet values (bits). With
    search text, the matches of the text (one full-text query, remembered for the version)
    intersected with those bits are the results, whose facets the index counts; without, the
    index gives the results, their number and the facet counts by itself. Either way the
    current page's ids are read off an order kept in memory, and its rows not remembered yet
    take one more statement.
    """
    search = SearchRequest(params)
    index = facet_index()
    allowed = index.select(search.selected)
    if search.q:
        ids, chosen = _text_matches(search, allowed, index)
        results = _Results(ids, chosen.bit_count(), listing, index)
    else:
        chosen = allowed
        ordered = _OrderedMembers(index.order(search.sort), allowed)
        results = _Results(ordered, allowed.bit_count(), listing, index)
    paginator = Paginator(results, PER_PAGE)
    counted = index.counts(chosen)
    page_obj = paginator.get_page(search.page)
    return {
        "search": search,
        "results": page_obj,
        "total": paginator.count,
        "facets": facet_entries(counted, search),
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
