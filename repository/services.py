"""Multi-step operations on submissions: storing uploaded files, and the completeness rules."""

import hashlib
import tempfile
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guard.storage_errors import delete_quietly, storage_guard

from .models import Submission, SubmissionFile
from .sniff import ALLOWED_TYPES, EXTENSIONS, HEAD_BYTES, JPEG, PDF, PNG, WEBP, sniff

CHUNK_SIZE = 1024 * 1024


# Roles that accept fewer types than the allow-list: a signed declaration or consent is a scan or
# a photo of the signed paper, which a records section can check as it is (never an editable file).
ROLE_TYPES = {
    SubmissionFile.Role.IP_DECLARATION: {PDF, JPEG, PNG, WEBP},
    SubmissionFile.Role.CONSENT: {PDF, JPEG, PNG, WEBP},
}
ROLE_TYPE_MESSAGES = {
    SubmissionFile.Role.IP_DECLARATION: gettext_lazy(
        "The IP / copyright declaration must be a PDF or an image (JPEG, PNG or WebP): a scan or "
        "photo of the signed declaration. This file is: %(found)s."
    ),
    SubmissionFile.Role.CONSENT: gettext_lazy(
        "The learner's written consent must be a PDF or an image (JPEG, PNG or WebP): a scan or "
        "photo of the signed consent. This file is: %(found)s."
    ),
}


class UploadRejected(Exception):
    """An upload was refused (type not allowed, too large, empty); nothing was stored."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_upload_bytes():
    return int(getattr(settings, "SUBMISSION_MAX_UPLOAD_BYTES", 200 * 1024 * 1024))


def _human_size(n):
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


def too_large_message(limit=None):
    """The message of an upload refused for its size ("larger than the limit of 200.0 MB")."""
    limit = max_upload_bytes() if limit is None else limit
    return _("The file is larger than the limit of %(limit)s.") % {"limit": _human_size(limit)}


def _spool_and_measure(uploaded_file, limit):
    """Read the upload once in chunks: size, SHA-256 and the first bytes, stopping past `limit`.

    A Django upload is already on disk (or small in memory) and seekable; anything else (a raw
    stream) is spooled to a temporary file as it is read so it can be sniffed and then stored.
    Returns (seekable file, size, sha256 hex, head bytes).
    """
    source = uploaded_file
    if hasattr(source, "open") and getattr(source, "closed", False):
        source.open("rb")
    seekable = hasattr(source, "seek") and getattr(source, "seekable", lambda: True)()
    spool = None
    if seekable:
        source.seek(0)
    else:
        # Handed back to add_file, which closes it when done.
        spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        )
    digest = hashlib.sha256()
    size = 0
    head = b""
    while True:
        chunk = source.read(CHUNK_SIZE)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            if spool is not None:
                spool.close()
            raise UploadRejected(too_large_message(limit))
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        if spool is not None:
            spool.write(chunk)
    target = spool if spool is not None else source
    target.seek(0)
    return target, size, digest.hexdigest(), head


def add_file(submission, uploaded_file, role, user, *, replaces=None):
    """Store an uploaded file for a submission and record it; returns the new SubmissionFile.

    The type is sniffed from the content and must be on the allow-list; the size limit
    (`SUBMISSION_MAX_UPLOAD_BYTES`) is enforced while reading, in chunks, so the file never sits in
    memory whole. Nothing is stored when the upload is refused (`UploadRejected`).

    For the main file, consent form and IP declaration a new upload becomes the next version of
    that document. Supporting files and photos are separate documents unless `replaces` names the
    SubmissionFile this upload is a new version of.
    """
    if role not in SubmissionFile.Role.values:
        raise UploadRejected(_("Unknown file role: %s") % role)
    role = SubmissionFile.Role(role)
    original_name = (getattr(uploaded_file, "name", "") or "upload").rsplit("/", 1)[-1][:255]
    fileobj, size, sha256, head = _spool_and_measure(uploaded_file, max_upload_bytes())
    try:
        return _store(submission, fileobj, size, sha256, head, original_name, role, user, replaces)
    finally:
        if fileobj is not uploaded_file:
            fileobj.close()


def _check_type(mime_type, role):
    """Refuse a sniffed type that is not on the allow-list, or that the role does not take."""
    if mime_type is None:
        allowed = ", ".join(sorted(set(ALLOWED_TYPES.values())))
        raise UploadRejected(
            _("This type of file is not accepted. Accepted types: %(allowed)s.")
            % {"allowed": allowed}
        )
    if role in ROLE_TYPES and mime_type not in ROLE_TYPES[role]:
        raise UploadRejected(str(ROLE_TYPE_MESSAGES[role]) % {"found": ALLOWED_TYPES[mime_type]})


def check_role_type(mime_type, role):
    """Raise UploadRejected unless `mime_type` (sniffed, or declared before an upload starts) is
    accepted for a file of this role."""
    _check_type(mime_type if mime_type in ALLOWED_TYPES else None, SubmissionFile.Role(role))


def _lineage(submission, role, replaces):
    if replaces is not None:
        if replaces.submission_id != submission.pk or replaces.role != role:
            raise UploadRejected(_("The file to replace belongs to another submission or role."))
        return replaces.lineage
    if role in SubmissionFile.SINGLE_ROLES:
        return uuid.uuid5(submission.uuid, role.value)
    return uuid.uuid4()


def _save_version(submission, record):
    """Give `record` the next version number of its lineage and make it the current one."""
    with transaction.atomic():
        # Serialise uploads to one submission so versions are numbered without gaps or clashes.
        Submission.objects.select_for_update().filter(pk=submission.pk).first()
        lineage_files = SubmissionFile.objects.filter(submission=submission, lineage=record.lineage)
        record.version = (lineage_files.aggregate(v=Max("version"))["v"] or 0) + 1
        lineage_files.filter(is_current=True).update(is_current=False)
        record.save()
    return record


def _store(submission, fileobj, size, sha256, head, original_name, role, user, replaces):
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    mime_type = sniff(head, fileobj, original_name)
    _check_type(mime_type, role)
    lineage = _lineage(submission, role, replaces)

    record = SubmissionFile(
        submission=submission,
        role=role,
        lineage=lineage,
        original_name=original_name,
        size=size,
        sha256=sha256,
        mime_type=mime_type,
        uploaded_by=user,
        is_current=True,
    )
    content = File(fileobj, name=f"upload.{EXTENSIONS[mime_type]}")
    content.content_type = mime_type
    # The object goes to the storage before any transaction starts (its key does not depend on
    # the version): on SQLite a transaction holds the one write lock of the whole database, and
    # twenty uploads each holding it across an S3 PUT made everyone else's writes time out. An
    # outage raises StorageUnavailable here, before any row is written.
    with storage_guard("upload"):
        record.file.save("upload", content, save=False)
    try:
        _save_version(submission, record)
    except Exception:
        delete_quietly(record.file.storage, record.file.name)
        raise
    return record


def attach_stored_object(
    submission, key, *, size, sha256, mime_type, original_name, role, user, replaces=None
):
    """Record an object already in the file storage under `key` (an upload that went straight
    to object storage and was verified: size, sniffed type, SHA-256) as the submission's next
    file version; returns the new SubmissionFile. The caller deletes the object if this raises.

    Versions and lineages follow `add_file`; the type must be one the role accepts.
    """
    role = SubmissionFile.Role(role)
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    _check_type(mime_type, role)
    record = SubmissionFile(
        submission=submission,
        role=role,
        lineage=_lineage(submission, role, replaces),
        original_name=(original_name or "upload").rsplit("/", 1)[-1][:255],
        size=size,
        sha256=sha256,
        mime_type=mime_type,
        uploaded_by=user,
        is_current=True,
    )
    record.file.name = key
    return _save_version(submission, record)


def download_name(submission_file):
    """A safe file name for downloads: the original stem with the suffix of the sniffed type."""
    stem = submission_file.original_name.rsplit(".", 1)[0] or "file"
    stem = "".join(c if c.isalnum() or c in " -_()" else "_" for c in stem).strip() or "file"
    return f"{stem}.{EXTENSIONS.get(submission_file.mime_type, 'bin')}"


# --------------------------------------------------------------------------------------------
# Completeness: what a submission needs before it may be submitted, and before it is received
# --------------------------------------------------------------------------------------------
#
# The one source of "what must be there": the submit and resubmit steps and the records sections'
# receipts refuse what `missing_items` lists (workflow.services), the submission form marks these
# fields "needed to submit" (workflow.admin_forms), the API answers its 409 with them, and the
# records section's "return as incomplete" pre-ticks their return reasons.

# The metadata each kind needs, in the order of the form's sections (what, who and rights,
# classification).
REQUIRED_FIELDS = {
    # LRMDS cataloguing: the fields the LRMDS metadata list marks required (docs/submissions.md).
    Submission.Kind.LEARNING_RESOURCE: [
        "title",
        "summary",
        "keywords",
        "content_topic",
        "competencies",
        "authors",
        "copyright",
        "copyright_owner",
        "languages",
        "school_year",
        "learning_strands",
        "program",
        "curriculum_level",
        "material_type",
        "resource_type",
        "education_type",
        "intended_users",
    ],
    Submission.Kind.RESEARCH: [
        "title",
        "summary",
        "keywords",
        "research_type",
        "year_completed",
        "authors",
        "adviser",
        "languages",
        "school_year",
    ],
    Submission.Kind.SUCCESS_STORY: [
        "title",
        "summary",
        "keywords",
        "learner_featured",
        "authors",
        "languages",
        "school_year",
    ],
}

# A list field says "at least one"; any other field "<label> is required".
_AT_LEAST_ONE = {
    "languages": gettext_lazy("At least one language is required."),
    "learning_strands": gettext_lazy("At least one learning strand is required."),
    "intended_users": gettext_lazy("At least one intended user is required."),
}
_FILE_MESSAGES = {
    SubmissionFile.Role.MAIN: gettext_lazy("The main file is missing."),
    SubmissionFile.Role.IP_DECLARATION: gettext_lazy("The IP / copyright declaration is missing."),
    SubmissionFile.Role.CONSENT: gettext_lazy(
        "The learner's written consent is missing (the learner is named or pictured)."
    ),
}
# The return reason (ReturnReason code, applies to "incomplete") a records section gives for each.
_FILE_REASONS = {
    SubmissionFile.Role.MAIN: "missing-main-file",
    SubmissionFile.Role.IP_DECLARATION: "missing-ip-declaration",
    SubmissionFile.Role.CONSENT: "missing-consent",
}
METADATA_REASON = "incomplete-metadata"


@dataclass(frozen=True)
class Missing:
    """One thing a submission lacks.

    `key` names it as the submission form does: a metadata field name (`title`, `languages`), or
    `<role>_file` for a required attachment (`main_file`, `ip_declaration_file`, `consent_file`;
    the API uploads it with that `role`). `message` says it in words; `reason` is the code of the
    return reason a records section gives for it.
    """

    key: str
    message: str
    reason: str

    def as_dict(self):
        return {"field": self.key, "message": self.message}


def file_key(role):
    """The key of a file role in the submission form and in `Missing.key`: `main_file`."""
    return f"{role}_file"


def required_fields(kind):
    """The metadata fields a submission of this kind needs before it may be submitted."""
    return list(REQUIRED_FIELDS.get(kind, []))


def required_file_roles(kind, learner_named_or_pictured=False):
    """The file roles a submission of this kind needs: always the main file; the IP / copyright
    declaration for a learning resource; the learner's written consent for a success story whose
    learner is named or pictured."""
    roles = [SubmissionFile.Role.MAIN]
    if kind == Submission.Kind.LEARNING_RESOURCE:
        roles.append(SubmissionFile.Role.IP_DECLARATION)
    if kind == Submission.Kind.SUCCESS_STORY and learner_named_or_pictured:
        roles.append(SubmissionFile.Role.CONSENT)
    return roles


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _field_missing(submission, name):
    field = Submission._meta.get_field(name)
    if field.many_to_many:
        if submission.pk is None:
            return _AT_LEAST_ONE[name]
        return None if getattr(submission, name).exists() else _AT_LEAST_ONE[name]
    if _blank(getattr(submission, field.attname)):
        return _("%(field)s is required.") % {"field": capfirst(field.verbose_name)}
    return None


def missing_items(submission):
    """What the submission still lacks before it may be submitted or received, as `Missing`
    items in the order of the form (empty list = complete)."""
    missing = []
    for name in required_fields(submission.kind):
        message = _field_missing(submission, name)
        if message is not None:
            missing.append(Missing(name, str(message), METADATA_REASON))
    roles = required_file_roles(submission.kind, submission.learner_named_or_pictured)
    current = set()
    if submission.pk is not None:
        current = set(
            submission.files.filter(is_current=True).values_list("role", flat=True).distinct()
        )
    for role in roles:
        if role not in current:
            missing.append(Missing(file_key(role), str(_FILE_MESSAGES[role]), _FILE_REASONS[role]))
    return missing


def missing_requirements(submission):
    """What the submission still lacks, as messages (empty list = complete); see `missing_items`."""
    return [item.message for item in missing_items(submission)]


_FILE_KEYS = {file_key(role) for role in SubmissionFile.Role}


def missing_attachments(submission, roles=None):
    """The required current files the submission lacks, as messages (empty list = none).
    `roles` limits the check to those file roles (publication asks only for the main file and the
    consent)."""
    wanted = {file_key(role) for role in roles} if roles is not None else None
    return [
        item.message
        for item in missing_items(submission)
        if item.key in _FILE_KEYS and (wanted is None or item.key in wanted)
    ]
