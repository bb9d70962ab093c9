"""Fixity: reread every stored file and compare its SHA-256 with the one recorded at upload.

The anchor is DSpace's checksum checker: the application keeps a digest of every file it was
given, and a scheduled job proves, file by file, that the object store still holds exactly
those bytes. A file deleted or altered behind the application's back (a bucket lifecycle rule,
a bad disk, a person with storage credentials) shows up as "missing" or "changed" in the admin's
File fixity report and in an email to the system administrators.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Role, RoleAssignment

from .models import FixityCheck, SubmissionFile

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024


class ObjectMissing(Exception):
    """The storage has no object under this name."""


def iter_stored_chunks(name, storage=None, chunk_size=CHUNK_SIZE):
    """Yield the bytes of a stored object in chunks, never holding the whole file in memory.

    django-storages' S3 file object downloads the whole object into memory before the first
    read, so on S3 the object's body is streamed straight from boto3 instead. Raises
    ObjectMissing when there is no such object.
    """
    storage = storage or default_storage
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(storage, "_normalize_name"):
        from botocore.exceptions import ClientError

        try:
            body = bucket.Object(storage._normalize_name(name)).get()["Body"]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise ObjectMissing(name) from exc
            raise
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()
        return
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise ObjectMissing(name) from exc
    with handle:
        while chunk := handle.read(chunk_size):
            yield chunk


def digest_stored(name, storage=None):
    """(size, SHA-256 hex) of a stored object, read in chunks. Raises ObjectMissing."""
    digest = hashlib.sha256()
    size = 0
    for chunk in iter_stored_chunks(name, storage):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


@dataclass
class FixityReport:
    """What one run found: every checked file's FixityCheck row, by result."""

    started_at: object
    checks: list = field(default_factory=list)

    def count(self, result):
        return sum(1 for check in self.checks if check.result == result)

    @property
    def problems(self):
        return [c for c in self.checks if c.result != FixityCheck.Result.OK]

    def summary(self):
        return _(
            "%(total)d file(s) checked: %(ok)d ok, %(changed)d changed, %(missing)d missing, "
            "%(error)d unreadable."
        ) % {
            "total": len(self.checks),
            "ok": self.count(FixityCheck.Result.OK),
            "changed": self.count(FixityCheck.Result.CHANGED),
            "missing": self.count(FixityCheck.Result.MISSING),
            "error": self.count(FixityCheck.Result.ERROR),
        }


def files_due(older_than_days=None, now=None):
    """The file versions to check: all, or those not checked in the last `older_than_days` days."""
    files = SubmissionFile.objects.select_related("fixity").order_by("pk")
    if older_than_days is not None:
        cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
        files = files.filter(Q(fixity__isnull=True) | Q(fixity__checked_at__lte=cutoff))
    return files


def check_file(submission_file, storage=None, now=None):
    """Hash one file version from the storage and record the result; returns its FixityCheck."""
    now = now or timezone.now()
    observed_size, observed_sha256, detail = None, "", ""
    try:
        observed_size, observed_sha256 = digest_stored(submission_file.file.name, storage)
    except ObjectMissing:
        result = FixityCheck.Result.MISSING
    except Exception as exc:  # an unreachable store must not stop the run; it is reported
        result = FixityCheck.Result.ERROR
        detail = f"{type(exc).__name__}: {exc}"[:255]
    else:
        intact = observed_sha256 == submission_file.sha256 and observed_size == submission_file.size
        result = FixityCheck.Result.OK if intact else FixityCheck.Result.CHANGED
    try:
        previous_ok_at = submission_file.fixity.last_ok_at
    except FixityCheck.DoesNotExist:
        previous_ok_at = None
    last_ok_at = now if result == FixityCheck.Result.OK else previous_ok_at
    check, _created = FixityCheck.objects.update_or_create(
        submission_file=submission_file,
        defaults={
            "checked_at": now,
            "result": result,
            "observed_sha256": observed_sha256,
            "observed_size": observed_size,
            "detail": detail,
            "last_ok_at": last_ok_at,
        },
    )
    check.submission_file = submission_file
    return check


def verify_files(older_than_days=None, storage=None, progress=None):
    """Check every due file version; returns a FixityReport. `progress(check)` sees each result."""
    report = FixityReport(started_at=timezone.now())
    for submission_file in files_due(older_than_days, report.started_at).iterator(chunk_size=200):
        check = check_file(submission_file, storage)
        report.checks.append(check)
        if progress:
            progress(check)
    if report.problems:
        # File keys and ids only: no titles or file names (a consent form's name may be a person's).
        logger.warning("File fixity: %s", report.summary())
    return report


def describe(check):
    """One line about one check, for the command output and the email."""
    sf = check.submission_file
    return _("%(result)s %(key)s (file %(file)d v%(version)d, submission %(submission)d)") % {
        "result": check.result.upper(),
        "key": sf.file.name,
        "file": sf.pk,
        "version": sf.version,
        "submission": sf.submission_id,
    }


def system_administrator_emails():
    """The addresses of every active system administrator (superusers are not mailed)."""
    return sorted(
        {
            email
            for email in RoleAssignment.objects.filter(
                role=Role.SYSTEM_ADMINISTRATOR, user__is_active=True
            ).values_list("user__email", flat=True)
            if email
        }
    )


def email_report(report):
    """Mail the problems of a run to the system administrators; returns how many were sent."""
    if not report.problems:
        return 0
    recipients = system_administrator_emails()
    if not recipients:
        logger.warning("File fixity problems found but no system administrator has an email.")
        return 0
    base_url = (getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "").rstrip("/")
    lines = [
        _("The file fixity check found stored files that are missing or no longer match."),
        "",
        report.summary(),
        "",
        *(describe(check) for check in report.problems),
        "",
        _("Restore these objects from the latest backup (docs/operations.md) and rerun the check."),
        _("Report: %(url)s") % {"url": base_url + reverse("repository_fixity")},
    ]
    subject = _("[ALS MIS] File fixity: %(count)d problem(s)") % {"count": len(report.problems)}
    return send_mail(subject, "\n".join(lines), None, recipients)
