"""The site's public address comes from ALSMIS_PUBLIC_URL, not from whoever rendered a page."""

import io
import os
import subprocess
import sys
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.management import call_command
from wagtail.models import Site

from api.services import issue_token
from cms.site_setup import public_address
from tests.journeys import approved_lr
from workflow.serializers import public_url as public_url_of
from workflow.services import perform_transition

PUBLIC = "https://als.example.gov.ph"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_the_moved_site():
    """The database rolls back the Site's new address; Wagtail's cached copy of it must go too."""
    yield
    cache.clear()
    Site.clear_site_root_paths_cache()


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://als.example.gov.ph", ("https", "als.example.gov.ph", 443)),
        ("http://127.0.0.1:8000", ("http", "127.0.0.1", 8000)),
        ("http://testserver/", ("http", "testserver", 80)),
    ],
)
def test_public_address_is_read_from_the_setting(settings, url, address):
    settings.ALSMIS_PUBLIC_URL = url
    assert public_address() == address


def test_setup_site_moves_the_default_site_to_the_public_address(demo, settings):
    settings.ALSMIS_PUBLIC_URL = PUBLIC
    call_command("setup_site", stdout=io.StringIO())
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("als.example.gov.ph", 443, PUBLIC)
    # Running it again changes nothing; a new address moves the site again.
    call_command("setup_site", stdout=io.StringIO())
    assert Site.objects.count() == 1
    settings.ALSMIS_PUBLIC_URL = "http://127.0.0.1:8000"
    call_command("setup_site", stdout=io.StringIO())
    assert Site.objects.get().root_url == "http://127.0.0.1:8000"


def test_every_public_link_uses_the_public_address(demo, user_named, settings, client):
    settings.ALSMIS_PUBLIC_URL = PUBLIC
    call_command("setup_site", stdout=io.StringIO())
    submission = approved_lr(user_named, "Measuring Rice Terraces")
    regional = user_named("als.region")
    perform_transition(regional, submission, "publish")

    # The API's public_url.
    token, _row = issue_token(regional)
    api = client.get(
        f"/api/v1/submissions/{submission.pk}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200, api.content
    public_url = api.json()["public_url"]
    assert public_url.startswith(PUBLIC + "/resources/")

    # The item page's canonical link, served to a request on another host name.
    page = client.get(urlsplit(public_url).path)
    assert page.status_code == 200
    assert f'<link rel="canonical" href="{public_url}">' in page.content.decode()

    # The Atom feed: feed link, entry links and ids.
    feed = ET.fromstring(client.get("/resources/feed/").content)
    links = [link.get("href") for link in feed.iter(f"{{{NS['atom']}}}link")]
    ids = [entry.findtext("atom:id", namespaces=NS) for entry in feed.findall("atom:entry", NS)]
    assert links and ids
    assert all(url.startswith(PUBLIC + "/") for url in links + ids), links + ids
    assert public_url in links

    # OAI-PMH: baseURL, the request element and each record's dc:identifier.
    identify = ET.fromstring(client.get("/oai/", {"verb": "Identify"}).content)
    assert identify.findtext("oai:Identify/oai:baseURL", namespaces=NS) == PUBLIC + "/oai/"
    assert identify.findtext("oai:request", namespaces=NS) == PUBLIC + "/oai/"
    records = ET.fromstring(
        client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    )
    identifiers = [e.text for e in records.iter(f"{{{NS['dc']}}}identifier")]
    assert public_url in identifiers

    # The sitemap.
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [e.text for e in sitemap.iter(f"{{{NS['sm']}}}loc")]
    assert public_url in locations
    assert all(url.startswith(PUBLIC + "/") for url in locations)


def test_notification_links_follow_the_public_address_by_default():
    environment = {**os.environ, "ALSMIS_PUBLIC_URL": PUBLIC + "/"}
    environment.pop("WAGTAILADMIN_BASE_URL", None)
    code = "import alsmis.settings.base as s; print(s.ALSMIS_PUBLIC_URL, s.WAGTAILADMIN_BASE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [PUBLIC, PUBLIC]


def test_a_new_address_purges_cached_pages_that_carry_the_old_one(
    cached_site, demo, user_named, settings
):
    submission = approved_lr(user_named, "Measuring Rice Terraces")
    perform_transition(user_named("als.region"), submission, "publish")
    path = urlsplit(public_url_of(submission)).path
    cached_site.get(path)
    assert cached_site.get(path).cache == "hit"

    settings.ALSMIS_PUBLIC_URL = PUBLIC
    call_command("setup_site", stdout=io.StringIO())
    moved = cached_site.get(path)
    assert moved.cache == "miss"
    assert f'<link rel="canonical" href="{PUBLIC}{path}">' in moved.text
