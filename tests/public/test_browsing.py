"""Resources index: full-text search, facets with counts, sorting, paging, clean URLs; CLMD page."""

import re

import pytest

from cms.publication import publish_submission
from tests.public.conftest import submission_maker


def titles(response):
    html = response.content.decode()
    return re.findall(r'<li class="result">\s*<h3><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture(scope="module")
def catalogue_ids(module_transaction):
    """Four published items of different kinds, divisions, strands and languages, one draft;
    made once for the module (tests/conftest.py module_transaction): their ids by name."""
    make_submission = submission_maker()
    items = {
        "typhoon": make_submission(
            title="Typhoon Signals Module",
            summary="Learners interpret PAGASA bulletins for barangay evacuation.",
            strand="ls2",
            language="english",
        ),
        "fractions": make_submission(
            title="Fractions at the Market",
            summary="Buying vegetables teaches fractions and decimals.",
            keywords="mathematics, market",
            strand="ls3",
            language="filipino",
            division="abra",
            program="blp",
        ),
        "research": make_submission(
            "research",
            title="Attendance of Working Learners",
            summary="An action research on evening sessions for farmers.",
            keywords="attendance",
            division="abra",
        ),
        "story": make_submission(
            "story",
            title="From Farm to Diploma",
            summary="A farmer finishes A&E through ALS.",
            keywords="completer",
        ),
    }
    for submission in items.values():
        publish_submission(submission)
    make_submission(title="Unpublished Draft About Typhoons", summary="typhoon typhoon")
    return {name: submission.pk for name, submission in items.items()}


@pytest.fixture
def catalogue(catalogue_ids, db):
    """The four published submissions, fresh for each test."""
    from repository.models import Submission

    found = Submission.objects.in_bulk(catalogue_ids.values())
    return {name: found[pk] for name, pk in catalogue_ids.items()}


@pytest.mark.django_db
@pytest.mark.postgres
def test_full_text_search_finds_a_word_of_the_summary_and_only_live_items(catalogue, client):
    response = client.get("/resources/?q=bulletins")
    assert response.status_code == 200
    assert titles(response) == ["Typhoon Signals Module"]
    # Words from different fields combine (AND); the unpublished draft is never found.
    assert titles(client.get("/resources/?q=typhoon")) == ["Typhoon Signals Module"]
    assert titles(client.get("/resources/?q=fractions+vegetables")) == ["Fractions at the Market"]
    assert titles(client.get("/resources/?q=nonexistentword")) == []
    assert "Nothing matches this search" in client.get("/resources/?q=zzzz").content.decode()


@pytest.mark.django_db
def test_facets_filter_and_count(catalogue, client):
    html = client.get("/resources/").content.decode()
    assert "4 results" in html
    # Counts per facet value, with links that add the filter.
    assert re.search(r'href="\?division=abra">Abra <span class="count">\(2\)</span>', html)
    assert re.search(r'href="\?kind=lr">Learning resource <span class="count">\(2\)</span>', html)

    response = client.get("/resources/?division=abra")
    assert sorted(titles(response)) == ["Attendance of Working Learners", "Fractions at the Market"]
    response = client.get("/resources/?division=abra&kind=lr")
    assert titles(response) == ["Fractions at the Market"]
    # Two values of one facet are ORed.
    response = client.get("/resources/?kind=research&kind=story")
    assert sorted(titles(response)) == ["Attendance of Working Learners", "From Farm to Diploma"]
    response = client.get("/resources/?language=filipino")
    assert titles(response) == ["Fractions at the Market"]
    html = client.get("/resources/?strand=ls3-mathematical-problem-solving").content.decode()
    assert "result" in html


@pytest.mark.django_db
def test_selected_facet_links_remove_the_filter_and_urls_are_canonical(catalogue, client):
    html = client.get("/resources/?kind=lr&division=abra&q=").content.decode()
    # The selected division link leads back to the kind-only search; order is canonical.
    assert 'href="?kind=lr" aria-current="true" class="selected"' in html
    assert 'href="?kind=lr&amp;division=abra&amp;sort=title"' in html


@pytest.mark.django_db
def test_facet_labels_and_result_fields_are_escaped(catalogue, client):
    from wagtail.models import Page

    from cms.models import ResourceFacetValue
    from cms.purge import collection_changed

    label = '<script>alert("x")</script> & Co'
    ResourceFacetValue.objects.filter(facet="strand", value="ls2").update(label=label)
    Page.objects.filter(title="Typhoon Signals Module").update(title="Typhoon <b>Signals</b>")
    collection_changed()  # what an edit does: the facet index and rows are read again
    html = client.get("/resources/?strand=ls2&q=").content.decode()
    assert '<script>alert("x")' not in html and "<b>Signals" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert titles(client.get("/resources/?strand=ls2")) == ["Typhoon &lt;b&gt;Signals&lt;/b&gt;"]


@pytest.mark.django_db
def test_sorting_and_pagination(catalogue, client, settings, monkeypatch):
    import cms.search

    monkeypatch.setattr(cms.search, "PER_PAGE", 3)
    first = client.get("/resources/?sort=title")
    assert titles(first) == [
        "Attendance of Working Learners",
        "Fractions at the Market",
        "From Farm to Diploma",
    ]
    assert 'href="?sort=title&amp;page=2" rel="next"' in first.content.decode()
    second = client.get("/resources/?sort=title&page=2")
    assert titles(second) == ["Typhoon Signals Module"]
    assert "Page 2 of 2" in second.content.decode()
    # Nonsense parameters fall back to defaults instead of failing.
    assert client.get("/resources/?sort=evil&page=abc&kind=").status_code == 200


@pytest.mark.django_db
def test_clmd_page_lists_latest_publications_and_links_into_resources(catalogue, client):
    html = client.get("/clmd/").content.decode()
    assert "Latest publications" in html
    assert "From Farm to Diploma" in html and "Typhoon Signals Module" in html
    assert 'href="/resources/?kind=research"' in html
    assert "Unpublished Draft" not in html
