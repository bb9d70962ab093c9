"""Test session: PostgreSQL (or SQLite with TEST_DB=sqlite), and a SeaweedFS S3 server as storage."""

import os

import pytest
from django.test.utils import override_settings

from alsmis.settings.base import s3_storage_options
from tests.s3server import ACCESS_KEY, SECRET_KEY, SeaweedS3

# Browser fixtures (headless Chromium via Playwright, axe-core): see tests/browser.py.
pytest_plugins = ["tests.browser"]

ON_SQLITE = os.environ.get("TEST_DB") == "sqlite"
_skipped_for_sqlite = []


def pytest_collection_modifyitems(config, items):
    if not ON_SQLITE:
        return
    marker = pytest.mark.skip(reason="needs PostgreSQL (TEST_DB=sqlite)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(marker)
            _skipped_for_sqlite.append(item.nodeid)


def pytest_terminal_summary(terminalreporter):
    if _skipped_for_sqlite:
        terminalreporter.section("SKIPPED: PostgreSQL-only tests (TEST_DB=sqlite)", sep="!")
        for nodeid in _skipped_for_sqlite:
            terminalreporter.write_line(f"SKIPPED {nodeid}")


@pytest.fixture(scope="session")
def s3_server():
    """One SeaweedFS for the whole session, with its data in a temporary directory."""
    server = SeaweedS3().start()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def s3_storage(s3_server):
    """Make S3 (SeaweedFS) the default file storage for every test, as in production."""
    bucket = s3_server.create_bucket("alsmis-test")
    options = s3_storage_options(bucket, s3_server.endpoint, ACCESS_KEY, SECRET_KEY)
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        yield {"bucket": bucket, "endpoint": s3_server.endpoint, "client": s3_server.client()}


@pytest.fixture
def site_tree(db):
    """The public page tree: Home with Resources and CLMD."""
    from cms.site_setup import ensure_site_structure

    return ensure_site_structure()


@pytest.fixture
def demo(db):
    """The demo region, its units and the fixed demo users (see alsmis/demo.py)."""
    from alsmis.demo import seed_organisation, seed_users
    from cms.site_setup import ensure_site_structure

    ensure_site_structure()
    region = seed_organisation()
    seed_users(region)
    return region


@pytest.fixture
def user_named(demo, django_user_model):
    """Look up a demo user by username: user_named("epsa.benguet")."""

    def lookup(username):
        return django_user_model.objects.get(username=username)

    return lookup


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run every queued background task now, in-process, with django-tasks-db's own Worker.

    The worker normally recycles database connections between tasks; inside a test transaction
    that would close the connection, so that one step is switched off here.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="pytest",
            excluded_queue_names=[],
        ).run()

    return run
