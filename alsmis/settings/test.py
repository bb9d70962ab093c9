"""The test suite: PostgreSQL (or SQLite with TEST_DB=sqlite); S3 is pointed at SeaweedFS by tests/conftest.py."""

import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, database, env

ALSMIS_ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"

if env("TEST_DB") == "sqlite":
    # TEST_DB_FILE: a test's subprocess (a real task worker) is pointed at the test database.
    DATABASES = {
        "default": database(f"sqlite:///{env('TEST_DB_FILE') or BASE_DIR / 'var' / 'test.sqlite3'}")
    }
    # A file, not Django's shared in-memory database: the concurrency tests run real threads,
    # each with its own connection, and only a file gives them WAL and the busy timeout
    # (shared-cache memory databases fail at once with "table is locked"). One per process, so
    # that parallel runs do not clobber each other.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES = {
        "default": database(
            env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alsmis"), conn_max_age=0
        )
    }
    # The test database is thrown away: a commit need not wait for the disk (a third of a
    # millisecond instead of three; migrations, seeding and transactional tests commit often).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
    # Several suites on one server (e.g. two checkouts) each take a test database of their own.
    if env("TEST_DB_SUFFIX"):
        DATABASES["default"]["TEST"] = {
            "NAME": f"test_{DATABASES['default']['NAME']}_{env('TEST_DB_SUFFIX')}"
        }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
WAGTAILADMIN_BASE_URL = "http://testserver"
# The address Django's test client and RequestFactory use (the Wagtail Site's address).
ALSMIS_PUBLIC_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
# No HTTP cache in front: nothing is purged (cms/purge.py). The cache tests
# (tests/public/test_http_cache.py) start Varnish and point this at it.
ALSMIS_FRONTEND_CACHE_URLS = []
WAGTAILFRONTENDCACHE = {}
# tests log staff in with force_login and no second factor; the tests of
# tests/security/test_two_factor*.py switch enforcement on with the `settings` fixture.
ALSMIS_2FA_ENFORCED = False
