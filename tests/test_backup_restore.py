"""Backup and restore, the whole round trip on PostgreSQL (or SQLite) and SeaweedFS.

Seed a region, a published learning resource with its files and a learner with encrypted
fields; `manage.py backup` into a directory; `manage.py restore` (another process, as an
operator would run it) into a new, empty database and a new, empty bucket; then the restored
system has the same rows, the same bytes, learner fields that decrypt with the kept keys, and
the published page still serves.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from alsmis.settings.base import s3_storage_options
from backups.services import row_counts
from tests.s3server import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
LRN = "136512250777"


def bucket_digests(client, bucket, prefix=""):
    """{key: sha256} of every object in a bucket (under `prefix/`, keys relative to it)."""
    digests = {}
    start = f"{prefix}/" if prefix else ""
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=start):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            digests[item["Key"][len(start) :]] = hashlib.sha256(body).hexdigest()
    return digests


def drop_bucket(client, bucket):
    """Empty and delete a bucket: SeaweedFS gives every bucket its own volumes, and the test
    server has few, so buckets made here must not outlive their test."""
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


@contextmanager
def storage_under_prefix(s3_storage, prefix):
    """The session's bucket under a new, empty prefix as the default file storage.

    A prefix rather than another bucket: SeaweedFS gives each bucket volumes of its own and the
    test server has few, so only the restore's target is a bucket of its own.
    """
    location = f"{prefix}-{uuid.uuid4().hex[:8]}"
    options = s3_storage_options(
        s3_storage["bucket"], s3_storage["endpoint"], ACCESS_KEY, SECRET_KEY
    )
    default = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**options, "location": location},
    }
    with override_settings(STORAGES={**settings.STORAGES, "default": default}):
        yield location


@pytest.fixture
def source_prefix(s3_storage):
    """Storage of this test's own, so the backup holds exactly what the test seeded."""
    with storage_under_prefix(s3_storage, "backup-src") as location:
        yield location


@pytest.fixture
def target_bucket(s3_server):
    """The new, empty bucket to restore into (not this process's storage)."""
    bucket = s3_server.create_bucket(f"restore-{uuid.uuid4().hex[:8]}")
    yield bucket
    drop_bucket(s3_server.client(), bucket)


@pytest.fixture
def restore_database(tmp_path):
    """A new, empty database of the test database's kind: {"env": what a `manage.py` process
    needs to use it, "count": rows of a table in it}."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def count(table):
            with sqlite3.connect(path) as other:
                return other.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

        yield {"env": {"TEST_DB": "sqlite", "TEST_DB_FILE": str(path)}, "count": count}
        return
    params = connection.settings_dict
    name = f"alsmis_restore_{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "PGHOST": params["HOST"] or "127.0.0.1",
        "PGPORT": str(params["PORT"] or 5432),
    }
    if params["USER"]:
        env["PGUSER"] = params["USER"]
    if params["PASSWORD"]:
        env["PGPASSWORD"] = params["PASSWORD"]
    subprocess.run(["createdb", name], env=env, check=True)
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    url = f"postgres://{user}{password}@{env['PGHOST']}:{env['PGPORT']}/{name}"

    def count(table):
        other = connection.Database.connect(
            **{**connection.get_connection_params(), "dbname": name}
        )
        try:
            return other.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        finally:
            other.close()

    no_sqlite = {"TEST_DB": "", "TEST_DB_FILE": ""}
    yield {"env": {**no_sqlite, "DATABASE_URL": url}, "count": count}
    subprocess.run(["dropdb", "--force", "--if-exists", name], env=env, check=False)


@pytest.fixture
def seeded(source_prefix, demo, user_named):
    """A published learning resource with two files, and a learner with sensitive fields."""
    from cms.models import ResourcePage
    from learners.models import Learner
    from repository.vocabularies import seed_vocabularies
    from tests.journeys import approved_lr
    from workflow.services import perform_transition

    seed_vocabularies()
    submission = approved_lr(user_named, "Backing Up the Barangay Records")
    perform_transition(user_named("als.region"), submission, "publish")
    Learner.objects.create(
        lrn=LRN,
        last_name="Bayangan",
        first_name="Rosa",
        birthdate=date(2005, 6, 1),
        sex="F",
        religion="Roman Catholic",
        contact_number="09171234567",
        ethnic_group="Ibaloi",
    )

    page = ResourcePage.objects.get(submission=submission)
    return {"page_url": page.url, "title": submission.title}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


CHECK_RESTORED = """
import json
from django.test import Client
from learners.models import Learner
from repository.models import SubmissionFile
from repository.fixity import digest_stored
learner = Learner.objects.get(lrn={lrn!r})
response = Client().get({url!r})
files = [(f.file.name, digest_stored(f.file.name) == (f.size, f.sha256)) for f in SubmissionFile.objects.all()]
print(json.dumps({{
    "religion": learner.religion,
    "contact_number": learner.contact_number,
    "ethnic_group": learner.ethnic_group,
    "status": response.status_code,
    "title_shown": {title!r} in response.content.decode(),
    "files": files,
}}))
"""


def test_backup_and_restore_into_an_empty_database_and_bucket(
    seeded, source_prefix, target_bucket, restore_database, s3_server, s3_storage, tmp_path
):
    client = s3_storage["client"]
    source_counts = row_counts(connection)
    source_objects = bucket_digests(client, s3_storage["bucket"], source_prefix)
    assert len(source_objects) >= 2  # the module and the IP declaration, at least

    backup_dir = tmp_path / "backup"
    out = StringIO()
    call_command("backup", str(backup_dir), stdout=out)
    assert "does NOT contain LEARNER_DATA_KEYS" in out.getvalue()
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert (backup_dir / manifest["database"]["file"]).stat().st_size > 0
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["tables"] == source_counts
    assert {o["key"]: o["sha256"] for o in manifest["objects"]} == source_objects
    assert manifest["app_version"] and manifest["created_at"]

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alsmis.settings.test",
        **restore_database["env"],
        "AWS_STORAGE_BUCKET_NAME": target_bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    restored = run_manage("restore", str(backup_dir), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "Row counts and object checksums match the backup." in restored.stdout

    # Identical row counts, read independently from the restored database.
    restored_counts = {table: restore_database["count"](table) for table in sorted(source_counts)}
    assert restored_counts == source_counts
    # Identical bytes in the new bucket.
    assert bucket_digests(client, target_bucket) == source_objects

    # The restored system, in its own process: learner fields decrypt, the page serves, files match.
    script = CHECK_RESTORED.format(lrn=LRN, url=seeded["page_url"], title=seeded["title"])
    checked = run_manage("shell", "-c", script, env=env)
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.strip().splitlines()[-1])
    assert (result["religion"], result["contact_number"], result["ethnic_group"]) == (
        "Roman Catholic",
        "09171234567",
        "Ibaloi",
    )
    assert result["status"] == 200 and result["title_shown"]
    assert result["files"] and all(ok for _name, ok in result["files"])


def test_restore_refuses_a_database_with_tables_and_a_bucket_with_objects(
    seeded, source_prefix, s3_storage, tmp_path
):
    from django.core.management.base import CommandError

    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir), stdout=StringIO())
    # The source storage still holds its objects.
    with pytest.raises(CommandError, match="file storage is not empty"):
        call_command("restore", str(backup_dir), stdout=StringIO())
    # An empty bucket, but the test database itself has every table.
    empty = storage_under_prefix(s3_storage, "restore-refused")
    with empty, pytest.raises(CommandError, match="already has"):
        call_command("restore", str(backup_dir), stdout=StringIO())


def test_restore_refuses_a_damaged_backup(seeded, source_prefix, tmp_path):
    from django.core.management.base import CommandError

    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir), stdout=StringIO())
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    with open(backup_dir / manifest["database"]["file"], "ab") as handle:
        handle.write(b"bit rot")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(backup_dir), stdout=StringIO())


def test_backup_refuses_a_directory_that_is_not_empty(seeded, tmp_path):
    from django.core.management.base import CommandError

    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path), stdout=StringIO())
