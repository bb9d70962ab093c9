"""A real task worker (`manage.py db_worker`) in a subprocess, against the test database."""

import os
import subprocess
import sys

from django.conf import settings
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


def run_worker_batch(env=None, *extra):
    """Run `manage.py db_worker --batch` (every task ready now, then exit) in a subprocess with
    `env` (default `worker_env()`); the completed process."""
    return subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            *extra,
        ],
        env=env or worker_env(),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
