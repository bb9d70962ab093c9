"""The staff pages are the system's own (issue 14, part D): they say "ALS MIS", point to and load
nothing from another site (no Gravatar avatars, no wagtail.org links), and offer "Search all
pages" only to someone who may explore pages."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

# What the sign-in page, the dashboard and a few screens every role opens are checked for.
STAFF_PAGES = ["/admin/", "/admin/account/", "/admin/submissions/", "/admin/pages/"]
SITE_HOSTS = {"testserver"}


def external_hosts(html):
    """Hosts other than this site's that the page names in a URL (attributes, inline JSON)."""
    # XML namespaces are names, never fetched.
    html = re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", html)
    hosts = set(re.findall(r"https?://([^/\"'\s<>\\]+)", html))
    hosts |= set(re.findall(r'(?:src|href|action|srcset)="//([^/"]+)', html))
    return hosts - SITE_HOSTS


def test_the_sign_in_page_says_als_mis(client):
    html = client.get("/admin/login/").content.decode()
    assert f"<h1>Sign in to {settings.WAGTAIL_SITE_NAME}</h1>" in html
    assert "Sign in to ALS MIS" in html
    assert "Wagtail" not in re.sub(r"<(script|link)[^>]*>", "", html)
    assert re.search(r"<title>\s*Sign in - ALS MIS\s*</title>", html)
    assert external_hosts(html) == set()


@pytest.mark.parametrize("username", ["teacher.benguet", "als.region", "admin"])
def test_no_staff_page_names_another_site(client, user_named, username):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    client.force_login(user_named(username))
    for path in STAFF_PAGES:
        response = client.get(path)
        if response.status_code != 200:
            continue  # a screen this role may not open (the teacher's page explorer)
        html = response.content.decode()
        assert "gravatar" not in html.lower(), path
        assert external_hosts(html) == set(), path
        # The window title carries the system's name, not Wagtail's.
        assert re.search(r"<title>[^<]* - ALS MIS\s*</title>", html), path


def test_search_all_pages_only_for_someone_who_may_explore_pages(client, user_named):
    client.force_login(user_named("teacher.benguet"))
    teacher = client.get("/admin/").content.decode()
    assert "Search all pages" not in teacher
    assert 'role="search"' not in teacher.split('id="main"', 1)[-1].split("</header>", 1)[0]
    # Nor does the sidebar offer a search (Wagtail shows it for the search areas one may use).
    assert "SearchModule" not in teacher

    # Regional ALS personnel edit the public sections: the box is theirs.
    client.force_login(user_named("als.region"))
    editor = client.get("/admin/").content.decode()
    assert 'placeholder="Search all pages…"' in editor
    assert "SearchModule" in editor


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_signing_in_loads_nothing_from_another_site(browser_page, axe, live_server):
    from urllib.parse import urlsplit

    from tests.browser import describe_violations, guide_screenshot

    page = browser_page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/admin/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to ALS MIS"
    assert page.title() == "Sign in - ALS MIS"
    assert page.get_by_role("img", name="ALS MIS").is_visible()
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    guide_screenshot(page, "staff-login")

    page.get_by_label("Username").fill("teacher.benguet")
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.wait_for_load_state("networkidle")
    assert page.title().endswith(" - ALS MIS")
    assert page.get_by_placeholder("Search all pages…").count() == 0
    own = urlsplit(live_server.url).netloc
    elsewhere = [url for url in requested if urlsplit(url).netloc not in ("", own)]
    assert elsewhere == []
    assert any(urlsplit(url).path == "/admin/" for url in requested)
