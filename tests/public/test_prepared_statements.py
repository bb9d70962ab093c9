"""The public site's hot statements (cms.db.run_prepared) and the page store's write.

Prepared once per connection; the first statement of a request doubles as the connection's
health check; a stored page is written in one statement that commits on its own.
"""

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext

import cms.cache
from cms.db import run_prepared
from cms.models import RenderedPage
from cms.publication import publish_submission

pytestmark = pytest.mark.postgres


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def request_start():
    """The connection as Django leaves it between requests: due for a health check."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    enabled = wrapper.health_check_enabled
    wrapper.health_check_enabled, wrapper.health_check_done = True, False
    yield wrapper
    wrapper.health_check_enabled = enabled


def terminate(pid):
    """End a server process from another connection, as a database restart would."""
    other = connection.Database.connect(**connection.get_connection_params(), autocommit=True)
    try:
        # With a timeout, PostgreSQL (14 and later) waits until the process has ended.
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


@pytest.mark.django_db
def test_the_store_lookup_and_result_rows_are_prepared_once_per_connection(
    page_cache, make_submission, client
):
    item = publish_submission(make_submission(title="Counting Coffee Beans"))
    for _ in range(3):
        assert client.get(item.url).status_code == 200
        assert b"Counting Coffee Beans" in client.get("/resources/?q=coffee").content
    statements = prepared_statements()
    lookups = [sql for sql in statements if "LEFT JOIN cms_renderedpage" in sql]
    rows = [sql for sql in statements if '"cms_resourcepage"."summary"' in sql]
    assert len(lookups) == 1 and len(rows) == 1, statements
    # Counted like any other query (DEBUG, assertNumQueries).
    with CaptureQueriesContext(connection) as queries:
        client.get(item.url)
    assert any("LEFT JOIN cms_renderedpage" in query["sql"] for query in queries)


@pytest.mark.django_db(transaction=True)
def test_on_a_healthy_connection_the_first_statement_is_the_health_check(
    request_start, monkeypatch
):
    checks = []
    monkeypatch.setattr(type(request_start), "is_usable", lambda self: checks.append(1) or True)
    assert run_prepared("SELECT 40 + 2", []) == (42,)
    with connection.cursor() as cursor:  # the request's next statement, through Django
        cursor.execute("SELECT 1")
    assert checks == []


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_found_by_the_first_statement_and_replaced(request_start):
    broken = request_start.connection.info.backend_pid
    terminate(broken)
    assert run_prepared("SELECT 40 + 2", []) == (42,)
    assert request_start.connection.info.backend_pid != broken
    # Later in a request (the check done), a broken connection is an error, not a retry.
    terminate(request_start.connection.info.backend_pid)
    with pytest.raises(OperationalError):
        run_prepared("SELECT 1", [])
    request_start.close()


@pytest.mark.django_db(transaction=True)
def test_a_page_stored_outside_a_transaction_commits_alone_and_leaves_the_session_as_it_was(
    page_cache, make_submission, client
):
    publish_submission(make_submission(title="Counting Coffee Beans"))
    response = client.get("/resources/?q=coffee")
    assert response["X-Page-Cache"] == "miss"
    stored = RenderedPage.objects.get(path="/resources/?q=coffee")
    assert bytes(stored.content) == response.content
    assert stored.expires_at > stored.rendered_at
    assert ["Content-Type", "text/html; charset=utf-8"] in stored.headers
    # The write's asynchronous commit was its own transaction's setting, not the session's.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    again = client.get("/resources/?q=coffee")
    assert again["X-Page-Cache"] == "hit" and again.content == response.content


@pytest.mark.django_db
def test_a_page_stored_inside_a_transaction_is_written_in_a_savepoint(
    page_cache, make_submission, client, monkeypatch
):
    publish_submission(make_submission(title="Counting Coffee Beans"))
    assert connection.in_atomic_block
    assert client.get("/resources/")["X-Page-Cache"] == "miss"
    assert RenderedPage.objects.filter(path="/resources/").exists()
    # A write that fails leaves the surrounding transaction usable.
    monkeypatch.setattr(cms.cache, "_store_sql", lambda asynchronous: "INSERT INTO nowhere")
    response = client.get("/resources/?q=coffee")
    assert response.status_code == 200 and b"Counting Coffee Beans" in response.content
    assert not RenderedPage.objects.filter(path="/resources/?q=coffee").exists()


@pytest.mark.django_db
def test_stored_pages_are_compressed_with_lz4():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'cms_renderedpage'::regclass AND attname = 'content'"
        )
        assert cursor.fetchone()[0] == "l"
