"""The migrations build the schema the suite runs on.

The suite's PostgreSQL database is made from the models (pytest-django's `--nomigrations`, set in
tests/conftest.py): applying the 240-odd migrations of Django, Wagtail and the project took
each test process 40–50 s, most of it Django rendering model states. Production databases are
made by `manage.py migrate`, so this test applies every migration to an empty database of its
own and compares the two schemas: tables, columns (type, length, nullability, identity),
indexes and constraints, by definition rather than by name (a table renamed by a migration keeps
the index names it was created with). Anything a migration makes that the models do not say
(a `RunSQL`, a table made by `RunPython`) shows up here as a difference.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = """
    SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, is_identity
    FROM information_schema.columns WHERE table_schema = 'public'
"""
# pg_get_indexdef names the index; the definition without its name is what matters.
INDEXES = """
    SELECT tablename, regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON', 'CREATE \\1INDEX ON')
    FROM pg_indexes WHERE schemaname = 'public'
"""
CONSTRAINTS = """
    SELECT rel.relname, c.contype, pg_get_constraintdef(c.oid)
    FROM pg_constraint c JOIN pg_class rel ON rel.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = rel.relnamespace WHERE n.nspname = 'public'
"""
# The migration history exists only where migrations ran.
IGNORED_TABLES = {"django_migrations"}
# What the migrations of Django and Wagtail make differently from their models, as installed
# (pyproject.toml). An upgrade that changes this list fails here: look at the difference, then
# update the list.
# - The id of the many-to-many tables Django creates for auth's and Wagtail's group fields: the
#   models give them their app's AutoField (integer), the migrations' rendered models the
#   project's DEFAULT_AUTO_FIELD (bigint). No foreign key points at these ids.
# - An index on wagtailcore_page (depth, path) that a Wagtail migration adds and its model does
#   not declare (it speeds up the page tree's queries in production).
M2M_GROUP_TABLES = (
    "auth_group_permissions",
    "auth_user_groups",
    "auth_user_user_permissions",
    "wagtailcore_collectionviewrestriction_groups",
    "wagtailcore_groupapprovaltask_groups",
    "wagtailcore_pageviewrestriction_groups",
)
KNOWN_DIFFERENCES = {
    "columns": (
        {(table, "id", "bigint", None, "NO", "YES") for table in M2M_GROUP_TABLES},
        {(table, "id", "integer", None, "NO", "YES") for table in M2M_GROUP_TABLES},
    ),
    "indexes": (
        {("wagtailcore_page", "CREATE INDEX ON public.wagtailcore_page USING btree (depth, path)")},
        set(),
    ),
    "constraints": (set(), set()),
}


def schema(cursor):
    """The schema of the connected database as comparable sets."""
    described = {}
    for name, query in (("columns", COLUMNS), ("indexes", INDEXES), ("constraints", CONSTRAINTS)):
        cursor.execute(query)
        described[name] = {row for row in cursor.fetchall() if row[0] not in IGNORED_TABLES}
    return described


def connect(dbname):
    params = settings.DATABASES["default"]
    return psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    )


@pytest.fixture
def migrated_database():
    """An empty database with every migration applied by `manage.py migrate`; its name."""
    name = f"{connection.settings_dict['NAME']}_migrated"[:63]
    params = settings.DATABASES["default"]
    with connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alsmis.settings.test",
        "DATABASE_URL": f"postgres://{params['USER']}{password}@{host}:{port}/{name}",
    }
    env.pop("TEST_DB", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    yield name
    with connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrations_build_the_schema_the_suite_runs_on(migrated_database):
    with connection.cursor() as cursor:
        suite = schema(cursor)
    with connect(migrated_database) as migrated, migrated.cursor() as cursor:
        production = schema(cursor)
    for part in ("columns", "indexes", "constraints"):
        known_migrated, known_suite = KNOWN_DIFFERENCES[part]
        only_migrated = production[part] - suite[part]
        only_suite = suite[part] - production[part]
        assert sorted(only_migrated ^ known_migrated, key=str) == [], f"{part}: migrations"
        assert sorted(only_suite ^ known_suite, key=str) == [], f"{part}: models"
