"""Backup and restore of the whole system: the database and every object in the file storage.

A backup directory holds:

- `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite, its backup API);
- `objects/<key>`: a copy of every object in the default file storage, under its own key;
- `manifest.json`: when, which version, each object's key, size and SHA-256, the dump's SHA-256
  and the row count of every table, so a restore can prove it gave back exactly what was saved.

The keys that decrypt learner data (`LEARNER_DATA_KEYS`) and `SECRET_KEY` are deliberately NOT in
the backup: a stolen backup then reveals no sensitive learner field. They must be kept apart,
and a restore without them gives a database whose encrypted learner fields cannot be read.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.utils import timezone

from repository.fixity import CHUNK_SIZE, ObjectMissing, digest_stored, iter_stored_chunks

MANIFEST = "manifest.json"
OBJECTS = "objects"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
FORMAT = 1


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


def file_digest(path):
    """(size, SHA-256 hex) of a local file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def app_version():
    try:
        return metadata.version("alsmis")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- the database ------------------------------------------------------------------------------


def _pg_environment(settings_dict):
    """Connection settings for the PostgreSQL client tools, passed in the environment.

    The password never appears on a command line (visible to every user in `ps`).
    """
    env = dict(os.environ)
    mapping = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    for name, value in mapping.items():
        if value:
            env[name] = str(value)
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _run(command, env):
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} not found: install the PostgreSQL client of the server's major version."
        ) from exc
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()}")
    return completed


def table_names(connection):
    """Every table of the database (not views), sorted."""
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor, include_views=False))


def row_counts(connection):
    """{table: rows} for every table of the database."""
    counts = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in table_names(connection):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from the catalogue)
            counts[table] = cursor.fetchone()[0]
    return counts


def dump_database(directory, using="default"):
    """Write the database into `directory`; returns (file name, row counts at the dump's moment).

    On PostgreSQL the counts and pg_dump read one exported snapshot, so they describe exactly
    the same moment even while the site keeps writing.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        target = directory / PG_DUMP_FILE
        command = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
        ]
        env = _pg_environment(connection.settings_dict)
        if connection.in_atomic_block:
            # Inside someone else's transaction the isolation level is no longer ours to set.
            counts = row_counts(connection)
            _run(command, env)
            return PG_DUMP_FILE, counts
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts(connection)
            _run([*command, f"--snapshot={snapshot}"], env)
        return PG_DUMP_FILE, counts
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        counts = row_counts(connection)
        destination = sqlite3.connect(directory / SQLITE_FILE)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return SQLITE_FILE, counts
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def restore_database(directory, manifest, using="default", force=False):
    """Load the dump into the (empty) database `using`; refuses a database that has tables."""
    connection = connections[using]
    existing = table_names(connection)
    if existing and not force:
        raise BackupError(
            f"The target database already has {len(existing)} table(s). Restore into an empty "
            "database (createdb a new one), or pass --force to replace what is there."
        )
    dump = directory / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        if manifest["database"]["vendor"] != "postgresql":
            raise BackupError("This backup is of a SQLite database; restore it on SQLite.")
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
        if existing:
            command += ["--clean", "--if-exists"]
        env = _pg_environment(connection.settings_dict)
        connection.close()  # pg_restore works on its own connection; ours reopens afterwards
        _run([*command, f"--dbname={connection.settings_dict['NAME']}", str(dump)], env)
        return
    if connection.vendor == "sqlite":
        if manifest["database"]["vendor"] != "sqlite":
            raise BackupError("This backup is of a PostgreSQL database; restore it on PostgreSQL.")
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    raise BackupError(f"Restoring into a {connection.vendor} database is not supported.")


# --- the file storage --------------------------------------------------------------------------


def storage_keys(storage=None):
    """Every object name in the storage, sorted: the bucket's listing, or the folder's files."""
    storage = storage or default_storage
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        prefix = storage.location.strip("/")
        prefix = f"{prefix}/" if prefix else ""
        return sorted(
            obj.key[len(prefix) :]
            for obj in bucket.objects.filter(Prefix=prefix)
            if not obj.key.endswith("/")
        )

    def walk(folder):
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            yield f"{folder}/{name}" if folder else name
        for name in folders:
            yield from walk(f"{folder}/{name}" if folder else name)

    return sorted(walk(""))


def _local_path(root, key):
    """Where object `key` lives under `root`; refuses keys that would climb out of it."""
    parts = PurePosixPath(key).parts
    if not parts or any(part in {"..", ""} for part in parts) or PurePosixPath(key).is_absolute():
        raise BackupError(f"Refusing the object key {key!r}: it is not a plain relative path.")
    return root.joinpath(*parts)


def copy_objects_out(root, storage=None, progress=None):
    """Copy every object into `root/<key>`, hashing as it streams; returns the manifest entries."""
    storage = storage or default_storage
    entries = []
    for key in storage_keys(storage):
        target = _local_path(root, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with open(target, "wb") as handle:
            for chunk in iter_stored_chunks(key, storage):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        entries.append({"key": key, "size": size, "sha256": digest.hexdigest()})
        if progress:
            progress(key)
    return entries


def copy_objects_in(root, entries, storage=None, progress=None):
    """Upload every object of the manifest under its own key; returns keys whose copy was bad."""
    storage = storage or default_storage
    bad = []
    for entry in entries:
        source = _local_path(root, entry["key"])
        if not source.exists() or file_digest(source) != (entry["size"], entry["sha256"]):
            bad.append(entry["key"])
            continue
        with open(source, "rb") as handle:
            saved = storage.save(entry["key"], File(handle, name=entry["key"]))
        if saved != entry["key"]:
            raise BackupError(
                f"The storage renamed {entry['key']!r} to {saved!r}: it was not empty. Restore "
                "into an empty bucket, or pass --force to overwrite."
            )
        if progress:
            progress(entry["key"])
    return bad


# --- the whole thing ---------------------------------------------------------------------------


def backup(directory, using="default", storage=None, progress=None):
    """Write a complete backup into `directory` (new or empty); returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; back up into a new directory.")
    directory.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    # The database first: every object it refers to existed then, and objects are never
    # rewritten in place (uploads get new random keys), so the copies that follow hold them all.
    dump_file, counts = dump_database(directory, using)
    dump_size, dump_sha256 = file_digest(directory / dump_file)
    objects = copy_objects_out(directory / OBJECTS, storage, progress)
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "app_version": app_version(),
        "database": {
            "vendor": connections[using].vendor,
            "file": dump_file,
            "size": dump_size,
            "sha256": dump_sha256,
            "tables": counts,
        },
        "objects": objects,
        "not_included": [
            "LEARNER_DATA_KEYS (keep them apart: without them learner fields cannot be read)",
            "SECRET_KEY and the rest of the environment",
        ],
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{path} not found: not a backup directory.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


@dataclass
class RestoreReport:
    """What a restore gave back, and every difference from the manifest."""

    tables: int = 0
    rows: int = 0
    objects: int = 0
    bytes: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def restore(directory, using="default", storage=None, force=False, progress=None):
    """Restore a backup into an empty database and an empty storage, then verify it all.

    Refuses a database with tables or a storage with objects unless `force`. Checks the dump's
    and every object's SHA-256 before loading, rereads every object from the storage afterwards,
    and compares every table's row count with the manifest. Returns a RestoreReport.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    storage = storage or default_storage
    database = manifest["database"]
    if file_digest(directory / database["file"]) != (database["size"], database["sha256"]):
        raise BackupError(f"{database['file']} does not match its checksum: the backup is damaged.")
    if not force and storage_keys(storage):
        raise BackupError(
            "The file storage is not empty. Restore into an empty bucket (or folder), or pass "
            "--force to overwrite objects with the same keys."
        )
    report = RestoreReport()

    restore_database(directory, manifest, using, force)
    counts = row_counts(connections[using])
    for table, expected in sorted(database["tables"].items()):
        found = counts.get(table)
        if found != expected:
            report.problems.append(f"table {table}: {found} row(s), the backup had {expected}")
    report.tables = len(counts)
    report.rows = sum(counts.values())

    if force:
        for entry in manifest["objects"]:
            if storage.exists(entry["key"]):
                storage.delete(entry["key"])
    bad = copy_objects_in(directory / OBJECTS, manifest["objects"], storage, progress)
    report.problems += [f"object {key}: the backup's copy is missing or damaged" for key in bad]
    for entry in manifest["objects"]:
        if entry["key"] in bad:
            continue
        try:
            stored = digest_stored(entry["key"], storage)
        except ObjectMissing:
            stored = None
        if stored != (entry["size"], entry["sha256"]):
            report.problems.append(f"object {entry['key']}: stored copy does not match")
        else:
            report.objects += 1
            report.bytes += entry["size"]
    return report
