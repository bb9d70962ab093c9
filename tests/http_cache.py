"""The HTTP cache fixtures: Varnish with the repository's VCL in front of the live server.

`varnish` starts one Varnish for the session (alsmis/varnish.py), the first time a test asks for
it, in front of pytest-django's `live_server`; those tests therefore run with a transactional
database. `cached_site` gives a test that Varnish emptied, with the application's purges
(cms/purge.py) pointed at it.
"""

from urllib.parse import urlsplit

import pytest

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
