"""The page store: anonymous pages are stored whole in the database and purged precisely.

Listings (home, Resources, searches, CLMD) go stale on any publish, withdraw or edit; an item's
own page stays stored until that item changes or the site around it does.
"""

import pytest
from django.core.management import call_command

from cms.cache import current_release, prune_rendered_pages
from cms.models import RenderedPage, ResourcePage
from cms.publication import publish_submission, withdraw_submission


@pytest.mark.django_db
def test_anonymous_pages_are_served_from_the_store_until_a_publish(
    page_cache, make_submission, client
):
    first = client.get("/resources/")
    assert first["X-Page-Cache"] == "miss"
    again = client.get("/resources/")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    # The stored copy is served even though the database changed behind Wagtail's back...
    from cms.models import ResourcesIndexPage

    ResourcesIndexPage.objects.update(title="Changed Behind The Cache")
    assert "Changed Behind The Cache" not in client.get("/resources/").content.decode()

    # ...until something is published: then every stored listing is stale.
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
def test_a_stored_page_replays_the_whole_response_in_one_query(
    page_cache, make_submission, client, django_assert_num_queries
):
    page = publish_submission(make_submission(title="Counting Coffee Beans"))
    rendered = client.get(page.url)
    with django_assert_num_queries(1):
        stored = client.get(page.url)
    assert stored.status_code == 200
    assert stored.content == rendered.content
    assert stored["Content-Length"] == str(len(rendered.content))
    for header in ("Content-Type", "Content-Language", "X-Frame-Options", "Referrer-Policy"):
        assert stored[header] == rendered[header]
    entry = RenderedPage.objects.get(page=page)
    assert (entry.scope, entry.revision_id, entry.path) == ("page", page.live_revision_id, page.url)


@pytest.mark.django_db
def test_publishing_one_item_leaves_other_item_pages_stored(page_cache, make_submission, client):
    first = publish_submission(make_submission(title="Budgeting at the Market"))
    assert client.get(first.url)["X-Page-Cache"] == "miss"
    client.get("/resources/")

    publish_submission(make_submission(title="Terraces and Water", division="ifugao"))
    assert client.get(first.url)["X-Page-Cache"] == "hit"
    assert client.get("/resources/")["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_a_new_revision_of_an_item_replaces_its_stored_page(page_cache, make_submission, client):
    submission = make_submission(title="Reading Typhoon Signals")
    page = publish_submission(submission)
    client.get(page.url)
    page = ResourcePage.objects.get(pk=page.pk).specific
    page.summary = "A corrected summary about storm signal number four."
    page.save_revision().publish()
    response = client.get(page.url)
    assert response["X-Page-Cache"] == "miss"
    assert "storm signal number four" in response.content.decode()
    assert client.get(page.url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_editing_a_page_purges_listings_and_a_section_change_purges_items(
    page_cache, make_submission, client
):
    from cms.models import ClmdPage

    item = publish_submission(make_submission(title="Weaving Patterns of Kalinga"))
    client.get(item.url)
    assert client.get("/clmd/")["X-Page-Cache"] == "miss"
    assert client.get("/clmd/")["X-Page-Cache"] == "hit"

    clmd = ClmdPage.objects.get()
    clmd.office_phone = "(074) 422-1318"
    clmd.save_revision().publish()
    response = client.get("/clmd/")
    assert response["X-Page-Cache"] == "miss"
    assert "(074) 422-1318" in response.content.decode()
    # The office's phone number is not on item pages: they stay stored.
    assert client.get(item.url)["X-Page-Cache"] == "hit"

    # A new title is in every page's menu: item pages render again.
    clmd.title = "Curriculum and Learning Management"
    clmd.save_revision().publish()
    response = client.get(item.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Curriculum and Learning Management" in response.content.decode()


@pytest.mark.django_db
def test_a_view_restriction_stops_serving_stored_pages(page_cache, make_submission, client):
    from wagtail.models import PageViewRestriction

    from cms.models import ResourcesIndexPage

    item = publish_submission(make_submission(title="Carpentry Basics"))
    assert client.get(item.url).status_code == 200
    PageViewRestriction.objects.create(
        page=ResourcesIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(item.url)
    assert response.status_code == 302
    assert "X-Page-Cache" not in response


@pytest.mark.django_db
def test_a_new_release_never_serves_pages_rendered_by_old_code(
    page_cache, make_submission, client, settings
):
    item = publish_submission(make_submission(title="Rice Terraces"))
    client.get(item.url)
    assert client.get(item.url)["X-Page-Cache"] == "hit"
    settings.ALSMIS_RELEASE = "next-release"
    current_release.cache_clear()
    try:
        assert client.get(item.url)["X-Page-Cache"] == "miss"
        assert RenderedPage.objects.get(page=item).release == "next-release"
    finally:
        current_release.cache_clear()


@pytest.mark.django_db
def test_publishing_renders_the_item_ahead_of_its_first_visitor(
    page_cache, make_submission, client, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = publish_submission(make_submission(title="Strawberry Farming in La Trinidad"))
    assert not RenderedPage.objects.filter(page=item).exists()
    run_tasks()
    assert set(RenderedPage.objects.filter(page=item).values_list("path", flat=True)) == {
        item.url,
        "/fil" + item.url,
    }
    first_visit = client.get(item.url)
    assert first_visit["X-Page-Cache"] == "hit"
    assert "Strawberry Farming in La Trinidad" in first_visit.content.decode()


@pytest.mark.django_db
def test_render_public_pages_stores_every_published_item(page_cache, make_submission, capsys):
    items = [
        publish_submission(make_submission(title=f"Numeracy Module {n}", division=division))
        for n, division in enumerate(["benguet", "abra", "apayao"])
    ]
    withdrawn = make_submission(title="Withdrawn Module", division="kalinga")
    publish_submission(withdrawn)
    withdraw_submission(withdrawn)

    call_command("render_public_pages")
    assert "Rendered 6 item pages" in capsys.readouterr().out
    stored = RenderedPage.objects.filter(scope="page")
    assert sorted(stored.values_list("page_id", flat=True)) == sorted(
        [item.pk for item in items] * 2
    )
    call_command("render_public_pages")
    assert "Rendered 0 item pages" in capsys.readouterr().out


@pytest.mark.django_db
def test_stale_entries_are_pruned(page_cache, make_submission, client):
    item = publish_submission(make_submission(title="Digital Literacy"))
    client.get(item.url)
    client.get("/resources/")
    publish_submission(make_submission(title="Mobile Phones for Livelihood", division="abra"))
    # The listing is stale (a publish happened), the first item page is still current.
    assert prune_rendered_pages() == 1
    assert list(RenderedPage.objects.values_list("page_id", flat=True)) == [item.pk]


@pytest.mark.django_db
def test_signed_in_users_query_variants_and_bad_hosts(page_cache, user_named, client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    assert client.get("/resources/?q=a")["X-Page-Cache"] == "miss"
    assert client.get("/resources/?q=b")["X-Page-Cache"] == "miss"
    assert client.get("/fil/resources/?q=a")["X-Page-Cache"] == "miss"
    assert client.get("/resources/?q=a")["X-Page-Cache"] == "hit"
    assert client.get("/resources/?q=a", HTTP_HOST="evil.example").status_code == 400
    client.force_login(user_named("als.region"))
    assert "X-Page-Cache" not in client.get("/resources/?q=a")
