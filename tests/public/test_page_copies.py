"""Copies of stored pages in a web process's memory (cms.cache.ProcessCopies).

A page served from the store again costs no query; any purge, announced by PostgreSQL at commit
(NOTIFY) or made in the process itself, drops the copies at once. These tests commit for real,
since a purge inside a test's transaction is never announced.
"""

import select

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.cache import PURGE_CHANNEL, process_copies
from cms.publication import publish_submission

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def copies(page_cache, settings):
    settings.ALSMIS_PAGE_CACHE_LOCAL_ENTRIES = 100
    process_copies.close()
    yield process_copies
    process_copies.close()


def get(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response, len(queries)


def purge_from_another_worker():
    """What another web process or node does on a publish: bump the generation, announce it.

    Returns once the announcement has reached this process's listening connection: delivery
    is asynchronous, and a request polling a moment earlier rightly still gets its copy.
    """
    other = connection.Database.connect(**connection.get_connection_params(), autocommit=True)
    try:
        other.execute("UPDATE cms_publiccachegeneration SET value = value + 1 WHERE id = 1")
        other.execute(f"NOTIFY {PURGE_CHANNEL}")
    finally:
        other.close()
    if process_copies.listener is not None:
        readable, _, _ = select.select([process_copies.listener.fileno()], [], [], 5)
        assert readable, "the purge was not announced within 5 s"


def test_a_page_served_again_costs_no_query_until_another_worker_purges(
    copies, make_submission, client
):
    item = publish_submission(make_submission(title="Counting Coffee Beans"))
    rendered, _queries = get(client, item.url)
    assert rendered["X-Page-Cache"] == "miss"
    stored, queries = get(client, item.url)
    assert (stored["X-Page-Cache"], queries) == ("hit", 1)
    again, queries = get(client, item.url)
    assert (again["X-Page-Cache"], queries) == ("hit", 0)
    assert again.content == rendered.content
    assert again["Content-Type"] == rendered["Content-Type"]

    for _ in range(3):
        listing, _queries = get(client, "/resources/")
    assert _queries == 0 and "Counting Coffee Beans" in listing.content.decode()

    purge_from_another_worker()
    # Announced: the listing is rendered again (its generation moved on)...
    listing, _queries = get(client, "/resources/")
    assert listing["X-Page-Cache"] == "miss"
    # ...and the item page is asked of the store again (still current there).
    stored, queries = get(client, item.url)
    assert (stored["X-Page-Cache"], queries) == ("hit", 1)


def test_a_publish_in_this_process_shows_at_once(copies, make_submission, client):
    publish_submission(make_submission(title="Budgeting at the Market"))
    for _ in range(3):
        listing, queries = get(client, "/resources/")
    assert queries == 0
    publish_submission(make_submission(title="Terraces and Water", division="ifugao"))
    html = client.get("/resources/").content.decode()
    assert "Terraces and Water" in html and "Budgeting at the Market" in html


def test_a_lost_listener_falls_back_to_the_store(copies, make_submission, client):
    item = publish_submission(make_submission(title="Carpentry Basics"))
    for _ in range(3):
        response, queries = get(client, item.url)
    assert queries == 0
    copies.listener.close()  # as when PostgreSQL restarts under a running worker
    response, queries = get(client, item.url)
    assert (response["X-Page-Cache"], queries) == ("hit", 1)
    # Listening again, the process keeps copies again.
    response, queries = get(client, item.url)
    assert (response["X-Page-Cache"], queries) == ("hit", 0)


def test_copies_are_kept_for_a_limited_time(copies, settings, make_submission, client):
    publish_submission(make_submission(title="Welding for Beginners"))
    settings.ALSMIS_PAGE_CACHE_LOCAL_SECONDS = 0
    for _ in range(3):
        response, queries = get(client, "/resources/")
    # Kept for no time at all: every request asks the store.
    assert (response["X-Page-Cache"], queries) == ("hit", 1)


def test_nothing_is_kept_without_a_listener(settings, monkeypatch):
    # As on SQLite (`make run`): no NOTIFY to listen for, so no copies; the stored expiry
    # (SQLite hands it back as text) is never read.
    from cms.cache import ProcessCopies

    settings.ALSMIS_PAGE_CACHE_LOCAL_ENTRIES = 100
    copies = ProcessCopies()
    monkeypatch.setattr(copies, "_listening", lambda: False)
    copies.keep("key", (200, [], b"page"), "2026-11-23 10:00:00")
    assert copies.entries == {} and copies.get("key") is None
