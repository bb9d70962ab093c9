"""Renders the page store lets through reuse the routing answers of the last render (cms.routing).

The Site, the page for the path, its view restrictions and the menu's sections are looked up once
per path and language while the store's generations hold, and again as soon as one moves on.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms.models import ClmdPage, ResourcesIndexPage
from cms.publication import publish_submission


def sql_of(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    return response, " ".join(query["sql"] for query in queries)


@pytest.mark.django_db
def test_a_new_search_reuses_the_route_and_menu_of_the_last_render(
    page_cache, make_submission, client
):
    publish_submission(make_submission(title="Budgeting at the Market"))
    first, first_sql = sql_of(client, "/resources/?q=market")
    assert "wagtailcore_site" in first_sql and "wagtailcore_pageviewrestriction" in first_sql

    second, second_sql = sql_of(client, "/resources/?q=budgeting")
    # No Site, tree walk, restriction or menu query: only the store, the search and its rows.
    assert "wagtailcore_site" not in second_sql
    assert "wagtailcore_pageviewrestriction" not in second_sql
    assert '"wagtailcore_page"."numchild"' not in second_sql
    html = second.content.decode()
    assert "Budgeting at the Market" in html
    # The header menu is the same, current item included.
    menu = first.content.decode().split('<nav class="site-nav"')[1].split("</nav>")[0]
    assert menu == html.split('<nav class="site-nav"')[1].split("</nav>")[0]
    assert 'href="/resources/" aria-current="page"' in menu

    # The search takes the generations the store read for the request: read once.
    assert second_sql.count("cms_publiccachegeneration") == 1

    # Each language is routed and remembered on its own.
    filipino, _sql = sql_of(client, "/fil/resources/?q=market")
    assert filipino["Content-Language"] == "fil"
    assert 'href="/fil/resources/" aria-current="page"' in filipino.content.decode()


@pytest.mark.django_db
def test_a_view_restriction_added_after_a_render_applies_to_the_next_one(
    page_cache, make_submission, client
):
    publish_submission(make_submission(title="Carpentry Basics"))
    sql_of(client, "/resources/?q=carpentry")
    PageViewRestriction.objects.create(
        page=ResourcesIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get("/resources/?q=basics")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_a_renamed_section_shows_in_the_menu_of_the_next_render(
    page_cache, make_submission, client
):
    publish_submission(make_submission(title="Welding for Beginners"))
    first, _sql = sql_of(client, "/resources/?q=welding")
    clmd = ClmdPage.objects.get()
    assert f">{clmd.title}</a>" in first.content.decode()

    clmd.title = "Learning Management Office"
    clmd.save_revision().publish()
    html = client.get("/resources/?q=beginners").content.decode()
    assert ">Learning Management Office</a>" in html


@pytest.mark.django_db
def test_nothing_is_remembered_for_signed_in_staff(page_cache, make_submission, client, user_named):
    publish_submission(make_submission(title="Coffee Farming"))
    sql_of(client, "/resources/?q=coffee")
    client.force_login(user_named("als.region"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/resources/?q=farming")
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert "wagtailcore_site" in " ".join(query["sql"] for query in queries)
