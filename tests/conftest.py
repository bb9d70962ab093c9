"""Test session: PostgreSQL (or SQLite with TEST_DB=sqlite), and a SeaweedFS S3 server as storage."""

import os

import pytest
from django.test.utils import override_settings

from alsmis.settings.base import s3_storage_options
from tests.s3server import ACCESS_KEY, SECRET_KEY, SeaweedS3

# Browser fixtures (headless Chromium via Playwright, axe-core): see tests/browser.py. The HTTP
# cache (Varnish in front of the live server): see tests/http_cache.py.
pytest_plugins = ["tests.browser", "tests.http_cache"]

ON_SQLITE = os.environ.get("TEST_DB") == "sqlite"
SQLITE_SKIP_REASON = "needs PostgreSQL (TEST_DB=sqlite)"


def pytest_configure(config):
    # On PostgreSQL the test database is made from the models, not by applying the migrations
    # (40-50 s per test process, most of it Django rendering model states); the migrations'
    # schema is compared with it by tests/test_migrations.py. SQLite keeps the migrations: its
    # full-text table (cms/migrations/0007) is made by one.
    if not ON_SQLITE:
        config.option.nomigrations = True


def pytest_collection_modifyitems(config, items):
    # The migrations' test runs `migrate` in a process of its own for most of a minute: started
    # first, it runs beside the other tests instead of finishing the session alone.
    items.sort(key=lambda item: item.nodeid.startswith("tests/test_migrations.py"), reverse=True)
    if not ON_SQLITE:
        return
    marker = pytest.mark.skip(reason=SQLITE_SKIP_REASON)
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter):
    # From the reports rather than from the collection: with pytest-xdist the workers collect
    # and this process only receives their reports.
    skipped = [
        report.nodeid
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, (tuple, list)) and SQLITE_SKIP_REASON in report.longrepr[2]
    ]
    if skipped:
        terminalreporter.section("SKIPPED: PostgreSQL-only tests (TEST_DB=sqlite)", sep="!")
        for nodeid in skipped:
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
            "default": {"BACKEND": "tests.s3server.SharedLoaderS3Storage", "OPTIONS": options},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        yield {"bucket": bucket, "endpoint": s3_server.endpoint, "client": s3_server.client()}


# --- The test world -----------------------------------------------------------------------------
# The organisation (CAR, its divisions, districts and CLCs), the demo users, the vocabularies and
# the public page tree are seeded once per session, when the test database is set up, and
# committed. A `db` test runs inside a transaction that is rolled back, so every test starts
# from that world and leaves it as it found it. A transactional test (`transactional_db`,
# `live_server`, `django_db(transaction=True)`) commits for real and pytest-django empties every
# table after it: the world is seeded again before the next test that uses the database.
_world = {"blocker": None, "flushed": False}


def seed_world():
    """Seed the shared world (idempotent: only what is missing is added), in one transaction."""
    from django.db import transaction

    from alsmis.demo import seed_organisation, seed_users
    from cms.site_setup import ensure_site_structure
    from repository.vocabularies import seed_vocabularies

    with transaction.atomic():
        ensure_site_structure()
        seed_vocabularies()
        seed_users(seed_organisation())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the world seeded in it once (and, on PostgreSQL,
    a copy of it kept in the schema `world` that every flush restores)."""
    from django.db import connection

    with django_db_blocker.unblock():
        seed_world()
        if connection.vendor == "postgresql":
            _world["tables"] = _keep_world_copy(connection)
    _world["blocker"] = django_db_blocker
    from django.core.management.commands import flush
    from django.db.backends.postgresql.operations import DatabaseOperations

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            DatabaseOperations, "sql_flush", _flush_by_delete(DatabaseOperations.sql_flush)
        )
        # After a flush that put the world back, the content types and permissions that
        # post_migrate would create are back too (they were copied with the world).
        patch.setattr(flush, "emit_post_migrate_signal", _post_migrate_unless_restored(flush))
        yield
    _world["blocker"] = None


def _keep_world_copy(connection):
    """Copy every table that holds rows of the world into the schema `world`; their names."""
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS world CASCADE; CREATE SCHEMA world")
        kept = []
        for table in connection.introspection.django_table_names(only_existing=True):
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE world.{name} AS TABLE public.{name}")
                kept.append(table)
    return frozenset(kept)


def _post_migrate_unless_restored(flush):
    emit = flush.emit_post_migrate_signal

    def emit_post_migrate_signal(*args, **kwargs):
        if not _world.get("restored"):
            emit(*args, **kwargs)

    return emit_post_migrate_signal


def _flush_by_delete(truncate):
    """PostgreSQL's `sql_flush` for the test session: DELETE, then put the world back.

    pytest-django empties every table after each transactional test (Django's `flush`).
    TRUNCATE of a hundred tables gives each table and index a new file and took about 3 s;
    DELETE of the few hundred rows a test leaves takes a quarter of a second. Django makes every
    foreign key deferrable, so the order of the tables does not matter within the one
    transaction `execute_sql_flush` runs them in. The world's rows are copied back from the
    schema `world` in the same transaction, with their ids: a few milliseconds, where seeding
    it again through the ORM took most of a second per transactional test.
    """

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        _world["restored"] = False
        if not tables or reset_sequences:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        names = [self.quote_name(table) for table in tables]
        restore = [
            f"INSERT INTO {name} SELECT * FROM world.{name};"
            for table, name in zip(tables, names, strict=True)
            if table in _world.get("tables", ())
        ]
        _world["restored"] = bool(restore)
        return (
            ["SET CONSTRAINTS ALL DEFERRED"]
            + [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(name)};" for name in names]
            + restore
        )

    return sql_flush


def _database_use(item):
    """None, "rollback" or "flush": how a test uses the database, by pytest-django's own rule."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    flushes = "transactional_db" in fixtures or "live_server" in fixtures
    if marker is not None:
        flushes = (
            flushes or marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
        )
    if flushes:
        return "flush"
    if marker is not None or "db" in fixtures:
        return "rollback"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    use = _database_use(item)
    if use and _world["flushed"] and _world["blocker"] is not None:
        # (What the default cache held about the flushed rows goes in `_fresh_default_cache`.)
        if not _world.pop("restored", False):
            with _world["blocker"].unblock():
                seed_world()
        _world["flushed"] = False
    if use == "flush":
        # Set before the test runs: its database is emptied at its end, even if it fails.
        _world["flushed"] = True
    return (yield)


@pytest.fixture(autouse=True)
def _fresh_default_cache():
    """Django's default (in-process) cache starts empty in every test.

    The database rolls back between tests but this cache does not: without this, a test would
    see what an earlier one cached about rows that no longer exist (Wagtail's site root paths,
    the public search's facet index).
    """
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language.

    Django's LocaleMiddleware activates a request's language and leaves it active in the thread
    (in a server the next request activates its own): after a test requests a /fil/ page, code
    the next test runs outside a request (a page's URL, a rendered message) would be Filipino.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction around a whole test module, rolled back after its last test: a
    module-scoped fixture that depends on it builds its rows once, and every test still starts
    from them as built (its own transaction is a savepoint inside this one, rolled back).

    Only for modules whose tests all use `db`: a transactional test's flush would run inside
    it. Fixtures built on it should hand each test fresh objects (by primary key), so that what
    one test changes in memory is not seen by the next.
    """
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def site_tree(db):
    """The public page tree: Home with Resources, CLMD, Issuances and the Directory."""
    from home.models import HomePage

    return HomePage.objects.get()


@pytest.fixture
def demo(db):
    """The demo region (CAR), with its divisions, districts, CLCs and the demo users (alsmis/demo.py)."""
    from organisation.models import Region

    return Region.objects.get(code="CAR")


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
