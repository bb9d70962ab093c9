"""Anonymous pages are cached whole; publish, withdraw and page edits purge the cache."""

import pytest
from django.core.cache import cache

from cms.models import ResourcePage
from cms.publication import publish_submission, withdraw_submission


@pytest.fixture
def page_cache(settings):
    settings.ALSMIS_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_anonymous_pages_are_served_from_cache_until_a_publish(page_cache, make_submission, client):
    first = client.get("/resources/")
    assert first["X-Page-Cache"] == "miss"
    assert client.get("/resources/")["X-Page-Cache"] == "hit"
    # The cached copy is served even though the database changed behind Wagtail's back...
    ResourcePage.objects.none()
    from cms.models import ResourcesIndexPage

    ResourcesIndexPage.objects.update(title="Changed Behind The Cache")
    assert "Changed Behind The Cache" not in client.get("/resources/").content.decode()

    # ...until something is published: then every cached page is stale.
    submission = make_submission(title="Freshly Published Module")
    page = publish_submission(submission)
    html = client.get("/resources/").content.decode()
    assert "Freshly Published Module" in html and "Changed Behind The Cache" in html

    assert client.get(page.url)["X-Page-Cache"] == "miss"
    assert client.get(page.url)["X-Page-Cache"] == "hit"
    withdraw_submission(submission)
    assert client.get(page.url).status_code == 404
    assert "Freshly Published Module" not in client.get("/resources/").content.decode()


@pytest.mark.django_db
def test_editing_a_page_in_wagtail_purges_the_cache(page_cache, site_tree, client):
    from cms.models import ClmdPage

    assert client.get("/clmd/")["X-Page-Cache"] == "miss"
    assert client.get("/clmd/")["X-Page-Cache"] == "hit"
    clmd = ClmdPage.objects.get()
    clmd.office_phone = "(074) 422-1318"
    clmd.save_revision().publish()
    response = client.get("/clmd/")
    assert response["X-Page-Cache"] == "miss"
    assert "(074) 422-1318" in response.content.decode()


@pytest.mark.django_db
def test_signed_in_users_and_query_variants_are_handled(page_cache, user_named, client):
    assert client.get("/resources/?q=a")["X-Page-Cache"] == "miss"
    assert client.get("/resources/?q=b")["X-Page-Cache"] == "miss"
    assert client.get("/fil/resources/?q=a")["X-Page-Cache"] == "miss"
    client.force_login(user_named("als.region"))
    assert "X-Page-Cache" not in client.get("/resources/?q=a")
