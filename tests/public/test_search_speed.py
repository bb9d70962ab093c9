"""The Resources search on its own full-text vector (PostgreSQL) and the cached facet index."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from cms.publication import publish_submission, withdraw_submission
from cms.search import run_search
from tests.public.conftest import submission_maker


def search(query=""):
    # The Resources page passes its own url_path and URL; result URLs are not checked here.
    return run_search(QueryDict(query), listing=("/home/resources/", "/resources/"))


def titles(context):
    return [page.title for page in context["results"]]


def counts(context, key):
    return {
        entry["value"]: entry["count"]
        for facet, _label, entries in context["facets"]
        if facet == key
        for entry in entries
    }


def bump_collection_version():
    """What every publish, withdrawal or edit does to the collection version."""
    from cms.purge import collection_changed

    collection_changed()


@pytest.fixture(scope="module")
def shelf_ids(module_transaction):
    """Three published items; the summary-only "terraces" item is published last (higher id).
    Made once for the module (tests/conftest.py module_transaction): their pages' ids by name."""
    make_submission = submission_maker()
    items = {
        "terraces": make_submission(
            title="Rice Terraces of Banaue",
            summary="How families in Ifugao keep their fields.",
            keywords="heritage",
        ),
        "market": make_submission(
            title="Fractions at the Market",
            summary="Buying vegetables teaches fractions and decimals.",
            keywords="mathematics",
            division="abra",
        ),
        "water": make_submission(
            "research",
            title="Water Use in Upland Farms",
            summary="A survey of irrigation near the terraces of Kiangan.",
            keywords="irrigation",
        ),
    }
    return {name: publish_submission(submission).pk for name, submission in items.items()}


@pytest.fixture
def shelf(shelf_ids, db):
    """The three items' live pages (specific), fresh for each test, under a new collection
    version: as after a publish, nothing this process keyed by the version applies."""
    from wagtail.models import Page

    bump_collection_version()
    pages = Page.objects.filter(pk__in=shelf_ids.values()).specific().in_bulk()
    return {name: pages[pk] for name, pk in shelf_ids.items()}


@pytest.mark.django_db
@pytest.mark.postgres
def test_publication_writes_the_search_document_and_a_summary_word_finds_the_item(shelf):
    from cms.models import ResourcePage

    document = ResourcePage.objects.values_list("search_document", flat=True).get(
        pk=shelf["market"].pk
    )
    # Stemmed (english), weighted: title A, keywords B, summary C.
    assert "'fraction':1A" in document and "'mathemat':" in document and "'veget':" in document
    assert titles(search("q=vegetables")) == ["Fractions at the Market"]
    assert titles(search("q=Decimal")) == ["Fractions at the Market"]


@pytest.mark.django_db
@pytest.mark.postgres
def test_every_word_must_match(shelf):
    assert titles(search("q=fractions+vegetables")) == ["Fractions at the Market"]
    # Words of two different items: nothing has both.
    assert titles(search("q=fractions+irrigation")) == []
    # A hyphen separates words, as in Wagtail's backend; stop words are ignored.
    assert titles(search("q=irrigation-survey")) == ["Water Use in Upland Farms"]
    assert titles(search("q=the+irrigation")) == ["Water Use in Upland Farms"]
    assert search("q=the")["total"] == 0


@pytest.mark.django_db
@pytest.mark.postgres
def test_relevance_puts_a_title_match_before_a_summary_only_match(shelf):
    # The summary-only match has the higher id, so the tie-break alone would put it first.
    assert shelf["water"].pk > shelf["terraces"].pk
    assert titles(search("q=terraces")) == ["Rice Terraces of Banaue", "Water Use in Upland Farms"]
    # Other sorts still apply to text searches.
    assert titles(search("q=terraces&sort=title")) == [
        "Rice Terraces of Banaue",
        "Water Use in Upland Farms",
    ]
    assert titles(search("q=terraces&sort=newest")) == [
        "Water Use in Upland Farms",
        "Rice Terraces of Banaue",
    ]


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_withdrawn_page_is_not_found(shelf, client):
    withdraw_submission(shelf["market"].submission)
    assert titles(search("q=fractions")) == []
    assert search("")["total"] == 2
    html = client.get("/resources/?q=vegetables").content.decode()
    assert "Nothing matches this search" in html


@pytest.mark.django_db
@pytest.mark.postgres
def test_text_search_with_facets_counts_the_current_results_in_few_queries(shelf):
    context = search("q=terraces")
    assert context["total"] == 2
    assert counts(context, "kind") == {"lr": 1, "research": 1}
    context = search("q=terraces&kind=research")
    assert titles(context) == ["Water Use in Upland Farms"]
    assert counts(context, "kind") == {"research": 1}
    assert counts(context, "division") == {"benguet": 1}
    assert titles(search("q=terraces&kind=research&kind=lr&division=abra")) == []
    # The facet index is built; new words in a new sort are then: the version, the full
    # text (unranked), the collection's title order (once per version), the page's rows.
    with CaptureQueriesContext(connection) as queries:
        context = search("q=terraces&division=benguet&sort=title")
        assert titles(context) == ["Rice Terraces of Banaue", "Water Use in Upland Farms"]
    assert len(queries) == 4, [q["sql"] for q in queries]
    # Other words in that sort: the version, the full text, the one row not yet read.
    with CaptureQueriesContext(connection) as queries:
        context = search("q=vegetables&sort=title")
        assert titles(context) == ["Fractions at the Market"]
    assert len(queries) == 3, [q["sql"] for q in queries]


@pytest.mark.django_db
@pytest.mark.postgres
def test_refining_a_search_reuses_its_text_matches_until_the_next_publication(
    shelf, make_submission
):
    assert titles(search("q=terraces")) == ["Rice Terraces of Banaue", "Water Use in Upland Farms"]
    # The same words, refined by a facet: no full-text query, and the row is remembered.
    with CaptureQueriesContext(connection) as queries:
        context = search("q=terraces&kind=lr")
        assert titles(context) == ["Rice Terraces of Banaue"]
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert "@@" not in " ".join(q["sql"] for q in queries)
    assert counts(context, "kind") == {"lr": 1}

    # Another sort of the same words is another ordering: worked out once, then reused.
    assert titles(search("q=terraces&sort=title")) == [
        "Rice Terraces of Banaue",
        "Water Use in Upland Farms",
    ]
    # A publication moves the version on: the new item is found at once.
    publish_submission(make_submission(title="Terraces and Tourism", summary="Visitors."))
    assert "Terraces and Tourism" in titles(search("q=terraces&kind=lr"))


@pytest.mark.django_db
@pytest.mark.postgres
def test_sorts_other_than_relevance_read_the_collections_order_once_per_version(
    shelf, make_submission
):
    everything = ["Fractions at the Market", "Rice Terraces of Banaue", "Water Use in Upland Farms"]
    assert titles(search("sort=title")) == everything
    # Order, facets and rows are in memory now: only the version is read.
    with CaptureQueriesContext(connection) as queries:
        assert titles(search("sort=title&kind=lr")) == everything[:2]
    assert len(queries) == 1, [q["sql"] for q in queries]

    # One unranked full-text query serves every such sort of the same words.
    newest = titles(search("q=terraces&sort=newest"))
    with CaptureQueriesContext(connection) as queries:
        oldest = titles(search("q=terraces&sort=oldest"))
    assert "@@" not in " ".join(q["sql"] for q in queries)
    assert sorted(oldest) == ["Rice Terraces of Banaue", "Water Use in Upland Farms"]
    assert oldest == list(reversed(newest))

    # A publication moves the version on: the new page takes its place in each order.
    publish_submission(make_submission(title="Abaca Weaving", summary="Looms by the terraces."))
    assert titles(search("sort=title"))[0] == "Abaca Weaving"
    assert titles(search("q=terraces&sort=newest"))[0] == "Abaca Weaving"
    assert titles(search("q=terraces&sort=oldest"))[-1] == "Abaca Weaving"


@pytest.mark.django_db
def test_unfiltered_facet_counts_are_cached_per_collection_version(shelf, make_submission):
    from cms.models import ResourceFacetValue

    first = search("")
    assert first["total"] == 3
    assert counts(first, "kind") == {"lr": 2, "research": 1}
    assert counts(first, "division") == {"benguet": 2, "abra": 1}
    # Computed once: the next request reads no facet rows and runs no COUNT.
    with CaptureQueriesContext(connection) as queries:
        again = search("")
        list(again["results"])
    sql = " ".join(q["sql"] for q in queries)
    assert "cms_resourcefacetvalue" not in sql and "COUNT(" not in sql.upper()
    assert counts(again, "kind") == counts(first, "kind")

    # A change that bypasses publication is not seen until the version moves on.
    ResourceFacetValue.objects.filter(facet="kind", value="research").delete()
    assert counts(search(""), "kind") == {"lr": 2, "research": 1}
    bump_collection_version()
    assert counts(search(""), "kind") == {"lr": 2}

    # Publishing bumps the version: the new item is counted at once.
    publish_submission(make_submission("story", title="From Farm to Diploma", division="abra"))
    after = search("")
    assert after["total"] == 4
    assert counts(after, "kind") == {"lr": 2, "story": 1}
    assert counts(after, "division") == {"benguet": 2, "abra": 2}
    assert counts(search("division=abra"), "kind") == {"lr": 1, "story": 1}


@pytest.mark.django_db
@pytest.mark.postgres
def test_backfill_command_fills_pages_without_a_search_document(shelf):
    from io import StringIO

    from cms.models import ResourcePage

    # As after a bulk load that bypassed publication.
    ResourcePage.objects.filter(pk=shelf["market"].pk).update(search_document=None)
    assert titles(search("q=vegetables")) == []

    out = StringIO()
    call_command("update_search_documents", "--missing", stdout=out)
    assert "written for 1 pages" in out.getvalue()
    assert not ResourcePage.objects.filter(search_document__isnull=True).exists()
    # The command moves the collection version on: searches made before see the new vectors.
    assert titles(search("q=vegetables")) == ["Fractions at the Market"]

    out = StringIO()
    call_command("update_search_documents", stdout=out)
    assert "written for 3 pages" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.postgres
def test_an_editors_publish_is_searchable_at_once(shelf):
    # Wagtail's page_published signal rewrites the vector (cms.signals); nothing else is called.
    page = shelf["market"]
    page.title = "Percentages at the Market"
    page.save_revision().publish()
    assert titles(search("q=percentages")) == ["Percentages at the Market"]
    assert titles(search("q=fractions+vegetables")) == ["Percentages at the Market"]
