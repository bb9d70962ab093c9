"""The public site on a phone (issue 14, part D), as rendered HTML: the item's download button
right under its title, the filters folded behind a toggle, a search box on the home page, and a
search that matches word forms on PostgreSQL and SQLite alike (this module runs on both)."""

import importlib
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cms.publication import publish_submission
from cms.purge import collection_changed
from tests.conftest import ON_SQLITE
from tests.public.conftest import pdf_bytes, submission_maker

from .test_browsing import titles

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# The item page ---------------------------------------------------------------------------------


def test_the_download_button_for_the_main_file_comes_first_after_the_title(make_submission, client):
    page = publish_submission(make_submission(title="Reading Typhoon Signals"))
    main = page.public_files().get(role="main")
    html = html_of(client, page.url)

    after_title = html.split("<h1>Reading Typhoon Signals</h1>", 1)[1].lstrip()
    button = re.match(
        r'<p class="download">\s*<a class="button download-button" ([^>]*)>(.*?)</a>',
        after_title,
        re.S,
    )
    assert button, after_title[:300]
    assert f'href="{main.get_absolute_url()}"' in button.group(1)
    assert "download" in button.group(1).split()
    size = unescape(re.sub(r"\s+", " ", button.group(2)))
    assert re.fullmatch(r'<span aria-hidden="true">↓</span> Download \(PDF, [\d.]+ KB\)', size)
    # Only file: no second table listing it again.
    assert 'id="files-heading"' not in html


def test_the_files_table_lists_the_other_files_below(make_submission, client):
    from repository.services import add_file

    submission = make_submission("story", title="From Farm to Diploma", photo=True)
    add_file(
        submission,
        SimpleUploadedFile("Interview notes.pdf", pdf_bytes("notes")),
        "supporting",
        submission.created_by,
    )
    page = publish_submission(submission)
    html = html_of(client, page.url)

    table = html[html.index('id="files-heading"') :]
    assert ">Other files</h2>" in table
    assert "Interview-notes.pdf" in table and "graduation.jpg" in table
    assert "Typhoon-Module-(final).pdf" not in table
    assert "<td>PDF</td>" in table and "<td>JPG</td>" in table
    # The main file is the button above, once.
    assert html.count(page.public_files().get(role="main").get_absolute_url()) == 2  # + meta tag


# Resources: the filters, the home page's search box ------------------------------------------


def test_the_filters_fold_behind_a_toggle_before_the_results(make_submission, client):
    publish_submission(make_submission(title="Typhoon Signals"))
    html = html_of(client, "/resources/?kind=lr&strand=ls2")

    toggle = re.search(r'<details class="facets-toggle">\s*<summary>(.*?)</summary>', html, re.S)
    assert toggle, "the facets are inside a closed <details>"
    summary = re.sub(r"<[^>]+>", "", toggle.group(1))
    assert " ".join(summary.split()) == "Show filters (2 chosen)"
    details = html[toggle.start() : html.index("</details>", toggle.start())]
    assert 'id="facets-heading"' in details and 'class="facet"' in details
    assert "Clear all filters" in details
    # The fold comes before the results, so on a phone the results follow one closed line.
    assert html.index("</details>") < html.index('id="results-heading"')
    assert "Show filters</summary>" in html_of(client, "/resources/")


def test_the_home_page_has_a_search_box_that_searches_the_resources(make_submission, client):
    publish_submission(make_submission(title="Typhoon Signals"))
    html = html_of(client, "/")
    form = re.search(
        r'<form class="search-form home-search" role="search" ([^>]*)>(.*?)</form>', html, re.S
    )
    assert form
    assert 'method="get"' in form.group(1) and 'action="/resources/"' in form.group(1)
    assert '<label for="home-q">Search the resources</label>' in form.group(2)
    assert 'id="home-q" type="search" name="q"' in form.group(2)
    # In Filipino the box sends to the Filipino Resources page.
    filipino = html_of(client, "/fil/")
    assert re.search(r'role="search" method="get" action="/fil/resources/"', filipino)
    # What it sends is an ordinary search.
    assert titles(client.get("/resources/?q=typhoon")) == ["Typhoon Signals"]


# Word forms, on both databases -----------------------------------------------------------------


@pytest.fixture(scope="module")
def shelf(module_transaction):
    """Two published items, made once for the module (tests/conftest.py module_transaction)."""
    make_submission = submission_maker()
    publish_submission(
        make_submission(
            title="Coins and Change at the Market",
            summary="Counting money while buying vegetables.",
            keywords="money",
        )
    )
    publish_submission(
        make_submission(
            "story",
            title="From the Farm to a Diploma",
            summary="A farmer in Kapangan finishes A&E.",
            keywords="completer",
        )
    )


@pytest.mark.parametrize(
    "words, found",
    [
        ("coin", ["Coins and Change at the Market"]),
        ("Coins", ["Coins and Change at the Market"]),
        ("counted", ["Coins and Change at the Market"]),
        ("farming", ["From the Farm to a Diploma"]),
        ("farms diplomas", ["From the Farm to a Diploma"]),
        ("coin farm", []),
    ],
)
def test_search_matches_word_forms(shelf, client, words, found):
    assert titles(client.get("/resources/", {"q": words})) == found


@pytest.mark.parametrize("words", ['coin"', '"', '"coin" "', "*", "coin AND", "NOT", "(farm"])
def test_search_text_with_query_syntax_is_plain_words(shelf, client, words):
    response = client.get("/resources/", {"q": words})
    assert response.status_code == 200


@pytest.mark.skipif(not ON_SQLITE, reason="the FTS5 table exists on SQLite only (TEST_DB=sqlite)")
def test_the_sqlite_migration_stems_an_index_that_already_has_entries(shelf, client):
    """`make run` databases had entries before migration cms 0007: it copies them over."""
    migration = importlib.import_module("cms.migrations.0007_stemmed_search_on_sqlite")

    class Editor:  # what the migration uses of a schema editor (the real one refuses a transaction)
        connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    def fts_definition():
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [migration.FTS_TABLE])
            return cursor.fetchone()[0]

    assert "porter unicode61" in fts_definition()
    migration.unstem(None, Editor())
    collection_changed()  # searches are remembered per collection version
    assert "tokenize" not in fts_definition()
    assert titles(client.get("/resources/?q=Coins")) == ["Coins and Change at the Market"]
    assert titles(client.get("/resources/?q=coin")) == []

    migration.stem(None, Editor())
    collection_changed()
    assert "porter unicode61" in fts_definition()
    assert titles(client.get("/resources/?q=coin")) == ["Coins and Change at the Market"]
