"""The HTTP cache fixtures: Varnish with the repository's VCL in front of the live server.

`varnish` starts one Varnish for the session (alsmis/varnish.py), the first time a test asks for
it, in front of pytest-django's `live_server`; those tests therefore run with a transactional
database. `cached_site` gives a test that Varnish emptied, with the application's purges
(cms/purge.py) pointed at it. `purges` needs no Varnish: it lists what the application asks the
cache in front to purge.
"""

from urllib.parse import urlsplit

import pytest
from wagtail.contrib.frontend_cache.backends import BaseBackend

from alsmis.varnish import Varnish


@pytest.fixture(scope="session")
def varnish(live_server):
    """One Varnish for the session, in front of the live server."""
    parts = urlsplit(live_server.url)
    server = Varnish((parts.hostname, parts.port), memory="64m").start()
    yield server
    server.stop()


@pytest.fixture
def cached_site(varnish, settings):
    """The session's Varnish, emptied, with the application purging it as deployed.

    Emptied because each test's database starts again with the same paths (/resources/, the
    same slugs) holding other content.
    """
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {"BACKEND": "cms.purge.VarnishBackend", "LOCATION": varnish.purge_url}
    }
    varnish.forget_everything()
    return varnish


class RecordingBackend(BaseBackend):
    """A frontend cache that only writes down what it is asked to purge."""

    sent = []

    def purge(self, url):
        self.sent.append(url)

    def ban(self, path_regex):
        self.sent.append(("ban", path_regex))


@pytest.fixture
def purges(settings):
    """What the application purges, as the cache in front would receive it (URLs, and
    ("ban", regex) pairs), in order."""
    settings.WAGTAILFRONTENDCACHE = {"recording": {"BACKEND": "tests.http_cache.RecordingBackend"}}
    RecordingBackend.sent.clear()
    return RecordingBackend.sent
