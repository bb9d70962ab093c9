"""A real task worker (`manage.py db_worker`) in a subprocess, against the test database."""

import os

from django.db import connection


def worker_env():
    """The environment of a worker subprocess that uses this test's database: the PostgreSQL
    test database by its URL, or the SQLite test database's file (TEST_DB_FILE)."""
    db = connection.settings_dict
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="alsmis.settings.test")
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env.update(TEST_DB="sqlite", TEST_DB_FILE=str(db["NAME"]))
    return env
