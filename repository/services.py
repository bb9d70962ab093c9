"""Multi-step operations on submissions: storing uploaded files, and the completeness rules."""

import hashlib
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guard.storage_errors import delete_quietly, storage_guard

from .models import Submission, SubmissionFile
from .sniff import ALLOWED_TYPES, EXTENSIONS, HEAD_BYTES, sniff

CHUNK_SIZE = 1024 * 1024


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
            raise UploadRejected(
                _("The file is larger than the limit of %(limit)s.") % {"limit": _human_size(limit)}
            )
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


def _store(submission, fileobj, size, sha256, head, original_name, role, user, replaces):
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    mime_type = sniff(head, fileobj, original_name)
    if mime_type is None:
        allowed = ", ".join(sorted(set(ALLOWED_TYPES.values())))
        raise UploadRejected(
            _("This type of file is not accepted. Accepted types: %(allowed)s.")
            % {"allowed": allowed}
        )

    if replaces is not None:
        if replaces.submission_id != submission.pk or replaces.role != role:
            raise UploadRejected(_("The file to replace belongs to another submission or role."))
        lineage = replaces.lineage
    elif role in SubmissionFile.SINGLE_ROLES:
        lineage = uuid.uuid5(submission.uuid, role.value)
    else:
        lineage = uuid.uuid4()

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
        with transaction.atomic():
            # Serialise uploads to one submission so versions are numbered without gaps or
            # clashes.
            Submission.objects.select_for_update().filter(pk=submission.pk).first()
            lineage_files = SubmissionFile.objects.filter(submission=submission, lineage=lineage)
            record.version = (lineage_files.aggregate(v=Max("version"))["v"] or 0) + 1
            lineage_files.filter(is_current=True).update(is_current=False)
            record.save()
    except Exception:
        delete_quietly(record.file.storage, record.file.name)
        raise
    return record


def download_name(submission_file):
    """A safe file name for downloads: the original stem with the suffix of the sniffed type."""
    stem = submission_file.original_name.rsplit(".", 1)[0] or "file"
    stem = "".join(c if c.isalnum() or c in " -_()" else "_" for c in stem).strip() or "file"
    return f"{stem}.{EXTENSIONS.get(submission_file.mime_type, 'bin')}"


# --------------------------------------------------------------------------------------------
# Completeness: "only complete documents are received"
# --------------------------------------------------------------------------------------------

_COMMON_FIELDS = [
    ("title", gettext_lazy("Title")),
    ("summary", gettext_lazy("Summary / description")),
    ("authors", gettext_lazy("Authors")),
    ("keywords", gettext_lazy("Keywords")),
    ("school_year", gettext_lazy("School year")),
]
_LR_FIELDS = [
    ("program", gettext_lazy("Program")),
    ("curriculum_level", gettext_lazy("Level")),
    ("material_type", gettext_lazy("Material type")),
    ("resource_type", gettext_lazy("Resource type")),
    ("education_type", gettext_lazy("Education type")),
    ("content_topic", gettext_lazy("Content / topic")),
    ("competencies", gettext_lazy("Competencies")),
    ("copyright", gettext_lazy("Copyright")),
    ("copyright_owner", gettext_lazy("Copyright owner")),
]
_RESEARCH_FIELDS = [
    ("research_type", gettext_lazy("Research type")),
    ("adviser", gettext_lazy("Adviser")),
    ("year_completed", gettext_lazy("Year completed")),
]
_STORY_FIELDS = [("learner_featured", gettext_lazy("Learner featured"))]


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def missing_requirements(submission):
    """What the submission still lacks before an office may receive it (empty list = complete).

    Required metadata per kind (LRMDS cataloguing for learning resources) and required attachments:
    always a main file; an IP/copyright declaration for learning resources; the learner's written
    consent for a success story whose learner is named or pictured.
    """
    missing = []
    fields = list(_COMMON_FIELDS)
    if submission.kind == Submission.Kind.LEARNING_RESOURCE:
        fields += _LR_FIELDS
    elif submission.kind == Submission.Kind.RESEARCH:
        fields += _RESEARCH_FIELDS
    elif submission.kind == Submission.Kind.SUCCESS_STORY:
        fields += _STORY_FIELDS
    for name, label in fields:
        if _blank(getattr(submission, name)):
            missing.append(_("%(field)s is required.") % {"field": label})
    if submission.pk is None:
        missing.append(_("At least one language is required."))
        missing.append(_("The main file is missing."))
        return missing
    if not submission.languages.exists():
        missing.append(_("At least one language is required."))
    if submission.kind == Submission.Kind.LEARNING_RESOURCE:
        if not submission.learning_strands.exists():
            missing.append(_("At least one learning strand is required."))
        if not submission.intended_users.exists():
            missing.append(_("At least one intended user is required."))

    return missing + missing_attachments(submission)


def missing_attachments(submission, roles=None):
    """The required current files the submission lacks, as messages (empty list = none).

    Always a main file; an IP/copyright declaration for a learning resource; the learner's
    written consent for a success story whose learner is named or pictured. `roles` limits the
    check to those file roles (publication asks only for the main file and the consent).
    """
    required = [SubmissionFile.Role.MAIN]
    if submission.kind == Submission.Kind.LEARNING_RESOURCE:
        required.append(SubmissionFile.Role.IP_DECLARATION)
    if submission.kind == Submission.Kind.SUCCESS_STORY and submission.learner_named_or_pictured:
        required.append(SubmissionFile.Role.CONSENT)
    current = set(
        submission.files.filter(is_current=True).values_list("role", flat=True).distinct()
    )
    messages = {
        SubmissionFile.Role.MAIN: _("The main file is missing."),
        SubmissionFile.Role.IP_DECLARATION: _("The IP / copyright declaration is missing."),
        SubmissionFile.Role.CONSENT: _(
            "The learner's written consent is missing (the learner is named or pictured)."
        ),
    }
    return [
        messages[role]
        for role in required
        if role not in current and (roles is None or role in roles)
    ]
