"""Public caching: what each response says about caching (cms/http_cache.py), what each change
purges (cms/purge.py), and the whole chain through a real Varnish (deploy/varnish/default.vcl)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from cms.models import ClmdPage, ResourcePage
from cms.publication import publish_submission, withdraw_submission
from cms.purge import collection_version

PUBLIC = "http://testserver"
COLLECTION_VIEWS = [f"{PUBLIC}/resources/feed/", f"{PUBLIC}/sitemap.xml", f"{PUBLIC}/oai/"]
COLLECTION = [
    f"{PUBLIC}/resources/",
    f"{PUBLIC}/fil/resources/",
    f"{PUBLIC}/clmd/",
    f"{PUBLIC}/fil/clmd/",
    *COLLECTION_VIEWS,
]


def directives(response):
    """The Cache-Control header as a set of directives ("public", "s-maxage=600", ...)."""
    header = response["Cache-Control"] if hasattr(response, "headers") else response
    return {part.strip() for part in header.split(",") if part.strip()}


def item_urls(page):
    path = page.url
    return [f"{PUBLIC}{path}", f"{PUBLIC}/fil{path}"]


# What each response says ----------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_say_how_long_shared_caches_may_keep_them(make_submission, client):
    item = publish_submission(make_submission(title="Reading Typhoon Signals"))
    expected = {
        item.url: 24 * 3600,
        f"/fil{item.url}": 24 * 3600,
        "/resources/": 600,
        "/resources/?q=typhoon&kind=lr": 600,
        "/fil/resources/": 600,
        "/clmd/": 600,
        "/resources/feed/": 600,
        "/sitemap.xml": 600,
        "/oai/?verb=Identify": 600,
        "/": 3600,
        "/issuances/": 3600,
        "/directory/": 3600,
    }
    for path, seconds in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response) == {"public", "max-age=0", f"s-maxage={seconds}"}, path
        # The URL decides the language: the cache keeps one copy per URL, not per browser.
        assert "accept-language" not in response.get("Vary", "").lower(), path
        assert not response.cookies, path


@pytest.mark.django_db
def test_the_url_alone_decides_the_language(site_tree, client):
    client.cookies["django_language"] = "fil"
    english = client.get("/resources/", headers={"Accept-Language": "fil"})
    assert english["Content-Language"] == "en"
    filipino = client.get("/fil/resources/", headers={"Accept-Language": "en"})
    assert filipino["Content-Language"] == "fil"
    feed = client.get("/resources/feed/", headers={"Accept-Language": "fil"})
    assert feed["Content-Language"] == "en"


@pytest.mark.django_db
def test_staff_and_private_answers_are_never_shared(make_submission, client, user_named):
    item = publish_submission(make_submission(title="Budgeting at the Market"))
    not_shared = [
        client.get("/no-such-page/"),  # errors
        client.get("/admin/login/"),  # the admin (sets the CSRF cookie)
        client.get("/api/v1/submissions"),  # the API
        client.get("/healthz"),
        client.post("/i18n/setlang/", {"language": "fil", "next": "/"}),  # sets a cookie
    ]
    for response in not_shared:
        assert "public" not in directives(response), response
        assert not any(d.startswith("s-maxage") for d in directives(response)), response
    assert {"private", "no-store"} <= directives(client.get("/api/v1/submissions"))

    client.force_login(user_named("als.region"))
    for path in (item.url, "/resources/", "/clmd/", "/resources/feed/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert {"private", "no-store"} <= directives(response), path
        assert "public" not in directives(response), path


# What each change purges ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_publish_purges_the_item_in_both_languages_and_every_listing_once_committed(
    make_submission, purges, django_capture_on_commit_callbacks
):
    submission = make_submission(title="Terraces and Water")
    with django_capture_on_commit_callbacks() as callbacks:
        item = publish_submission(submission)
    assert purges == []  # nothing before the publish commits
    for callback in callbacks:
        callback()
    assert sorted(purges) == sorted(item_urls(item) + COLLECTION)

    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_submission(item.submission)
    assert sorted(purges) == sorted(item_urls(item) + COLLECTION)

    # An editor's correction published in the admin: a new revision of the same item.
    purges.clear()
    page = ResourcePage.objects.get(pk=item.pk).specific
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert sorted(purges) == sorted(item_urls(item) + COLLECTION)


@pytest.mark.django_db
def test_a_publish_that_rolls_back_purges_nothing(
    make_submission, purges, django_capture_on_commit_callbacks
):
    submission = make_submission(title="Weaving Patterns of Kalinga")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish_submission(submission)
        raise RuntimeError("the workflow's transition failed after publishing")
    assert callbacks == [] and purges == []


@pytest.mark.django_db
def test_a_change_to_the_sites_sections_purges_everything(
    site_tree, purges, django_capture_on_commit_callbacks
):
    clmd = ClmdPage.objects.get()
    clmd.title = "Curriculum and Learning Management"
    with django_capture_on_commit_callbacks(execute=True):
        clmd.save_revision().publish()
    assert purges == [("ban", "^/")]

    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ClmdPage.objects.get().delete()
    assert set(purges) == {("ban", "^/")}


@pytest.mark.django_db
def test_a_directory_entry_purges_the_directory(
    site_tree, purges, django_capture_on_commit_callbacks
):
    from cms.models import DirectoryEntry

    with django_capture_on_commit_callbacks(execute=True):
        DirectoryEntry.objects.create(name="Ana Bayan", position="EPS", published=True)
    assert sorted(purges) == [f"{PUBLIC}/directory/", f"{PUBLIC}/fil/directory/"]


@pytest.mark.django_db
def test_every_publish_moves_the_search_on_to_a_new_collection_version(make_submission):
    submission = make_submission(title="Counting Coffee Beans")
    before = collection_version()
    assert collection_version() == before
    publish_submission(submission)
    published = collection_version()
    assert published != before
    withdraw_submission(submission)
    assert collection_version() not in (before, published)


@pytest.mark.django_db
def test_wagtails_own_purge_receivers_are_left_to_cms_purge(make_submission):
    """Wagtail's frontend cache app would queue a task per publish that purges one language."""
    from django_tasks_db.models import DBTaskResult

    publish_submission(make_submission(title="Strawberry Farming in La Trinidad"))
    assert not DBTaskResult.objects.filter(task_path__contains="frontend_cache").exists()


# Through Varnish ------------------------------------------------------------------------------


@pytest.fixture
def item(make_submission):
    return publish_submission(
        make_submission(
            title="Reading the Weather: Typhoon Signals",
            summary="Learners read PAGASA bulletins and plan what their barangay does.",
        )
    )


def test_a_public_page_comes_from_the_cache_the_second_time(cached_site, item):
    first = cached_site.get(item.url)
    assert first.status == 200 and first.cache == "miss"
    assert "Typhoon Signals" in first.text
    again = cached_site.get(item.url)
    assert again.cache == "hit"
    assert "x-varnish" in again.headers and int(again.headers["age"]) >= 0
    assert again.body == first.body
    # The cached copy carries every header the application sent.
    for header in (
        "content-security-policy",
        "permissions-policy",
        "referrer-policy",
        "cross-origin-opener-policy",
        "x-content-type-options",
        "x-frame-options",
        "content-language",
        "cache-control",
    ):
        assert again.headers[header] == first.headers[header], header
    # The Filipino page is another URL, cached on its own.
    filipino = cached_site.get(f"/fil{item.url}")
    assert filipino.cache == "miss" and filipino.headers["content-language"] == "fil"
    # Cookies (the language, the CSRF token) and the browser's languages change nothing.
    visitor = cached_site.get(
        item.url, headers={"Cookie": "django_language=fil; csrftoken=x", "Accept-Language": "fil"}
    )
    assert visitor.cache == "hit" and visitor.body == first.body


def test_publish_edit_and_withdraw_are_seen_at_once_on_every_page_that_shows_them(
    cached_site, item, make_submission
):
    search = "/resources/?q=weather"
    pages = ["/resources/", "/fil/resources/", search, "/resources/feed/", "/clmd/"]
    for path in pages:
        cached_site.get(path)
        assert cached_site.get(path).cache == "hit", path

    # A new publication appears on every listing at once.
    new = publish_submission(make_submission(title="Weather Watchers of Sagada"))
    for path in pages:
        answer = cached_site.get(path)
        assert "Weather Watchers of Sagada" in answer.text, path
        assert answer.cache == "miss", path

    # An edit published in the admin: the item's page in both languages.
    for path in (new.url, f"/fil{new.url}"):
        cached_site.get(path)
        assert cached_site.get(path).cache == "hit"
    page = ResourcePage.objects.get(pk=new.pk).specific
    page.summary = "A corrected summary about storm signal number four."
    page.save_revision().publish()
    for path in (new.url, f"/fil{new.url}"):
        assert "storm signal number four" in cached_site.get(path).text, path

    # A withdrawal takes it off everything at once.
    withdraw_submission(new.submission)
    for path in (new.url, f"/fil{new.url}"):
        assert cached_site.get(path).status == 404, path
    for path in pages:
        assert "Weather Watchers of Sagada" not in cached_site.get(path).text, path
    # Other items stayed cached.
    assert cached_site.get(item.url).status == 200


def test_a_signed_in_editor_never_gets_a_cached_page(cached_site, item, client, user_named):
    cached_site.get("/resources/")
    assert cached_site.get("/resources/").cache == "hit"
    client.force_login(user_named("als.region"))
    session = f"sessionid={client.cookies['sessionid'].value}; csrftoken=abc"
    for path in ("/resources/", item.url, "/resources/", "/admin/"):
        answer = cached_site.get(path, headers={"Cookie": session})
        assert answer.cache == "pass", path
        assert "private" in answer.headers["cache-control"], path
    # What the editor was given was not kept for anyone else.
    assert "private" not in cached_site.get(item.url).headers["cache-control"]


def test_the_admin_the_api_and_posts_are_never_cached(cached_site, site_tree):
    for path in ("/admin/login/", "/api/v1/submissions", "/healthz"):
        answers = [cached_site.get(path) for _ in range(2)]
        assert [answer.cache for answer in answers] == ["pass", "pass"], path
    posted = cached_site.request("POST", "/resources/", headers={"Content-Length": "0"})
    assert posted.cache == "pass"


def test_only_the_applications_hosts_may_purge(cached_site, site_tree):
    cached_site.get("/resources/")
    assert cached_site.get("/resources/").cache == "hit"
    # Not on the public address, whoever sends it (a TLS proxy relays visitors from 127.0.0.1).
    assert cached_site.request("PURGE", "/resources/").status == 405
    # Not on the purge address from a host outside the ACL.
    refused = cached_site.request("PURGE", "/resources/", purge=True, source="127.0.0.2")
    assert refused.status == 405
    banned = cached_site.request(
        "BAN", "/", headers={"X-Ban-Path": "^/"}, purge=True, source="127.0.0.2"
    )
    assert banned.status == 405
    assert cached_site.get("/resources/").cache == "hit"
    # The application's own host may.
    assert cached_site.request("PURGE", "/resources/", purge=True).status == 200
    assert cached_site.get("/resources/").cache == "miss"

    # After a deploy, one command empties the cache of pages rendered by the old code.
    assert cached_site.get("/clmd/").cache == "miss"
    assert cached_site.get("/clmd/").cache == "hit"
    out = io.StringIO()
    call_command("purge_public_cache", stdout=out)
    assert "Purged everything" in out.getvalue()
    assert cached_site.get("/clmd/").cache == "miss"


def test_the_purge_command_says_when_there_is_no_cache_to_purge():
    out = io.StringIO()
    call_command("purge_public_cache", stdout=out)
    assert "nothing to do" in out.getvalue()
