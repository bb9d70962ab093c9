"""Resumable uploads of submission files straight to object storage (docs/submissions.md).

    start → sign parts (the client PUTs each part to S3) → list parts (to resume) → complete
    → verify (background task) → the file joins the submission, or the object is deleted.

The web process never carries the file's bytes: it signs part URLs and asks S3 to start, list,
complete or abort. Who may upload is decided as for the ordinary upload form
(`workflow.services.check_may_upload`): the submitter, while the submission is editable.
The declared name, size and type are checked before anything is stored, against the same limits
as `repository.services.add_file`; the stored object is then checked for real by
`verify_upload` (a django-tasks task): its size, its type sniffed from its first bytes (ranged
GETs; the zip-based office formats read their central directory the same way) and its SHA-256,
hashed from the object streamed in 1 MB chunks, so neither process ever holds the file whole; it
must equal the SHA-256 the client computed (the upload page sends it with the completion).
Uploads left unfinished are aborted in S3 by `sweep_abandoned` (scheduled).
"""

import contextlib
import hashlib
import io
import logging
import math
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guard.storage_errors import StorageUnavailable
from repository.models import SubmissionFile
from repository.services import (
    UploadRejected,
    attach_stored_object,
    check_role_type,
    max_upload_bytes,
    too_large_message,
)
from repository.sniff import ALLOWED_TYPES, EXTENSIONS, HEAD_BYTES, JPEG, sniff
from workflow.exceptions import WorkflowError
from workflow.services import can_edit, check_may_upload

from . import s3
from .models import DirectUpload

logger = logging.getLogger(__name__)

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's smallest part (all but the last)
MAX_PARTS = 10_000  # S3's most parts per upload
CHUNK_SIZE = 1024 * 1024
KEY_PREFIX = "submissions/"

_TYPES_BY_SUFFIX = {suffix: mime for mime, suffix in EXTENSIONS.items()} | {"jpeg": JPEG}


class UploadNotFound(Exception):
    """No upload of this user under that id (or key): answered 404."""


class UploadStateError(WorkflowError):
    """The upload is no longer taking parts (already completed, checked or cancelled): 409."""

    status_code = 409


def part_size(size):
    """The size of each part for a file of `size` bytes: `UPLOADS_PART_SIZE` (at least S3's
    5 MB), larger only when the file would need more than 10,000 parts."""
    wanted = max(int(settings.UPLOADS_PART_SIZE), MIN_PART_SIZE)
    return max(wanted, math.ceil(size / MAX_PARTS))


def part_count(size):
    return max(1, math.ceil(size / part_size(size)))


def declared_type(name, mime_type):
    """The allow-listed type a client's declaration points at: its MIME type when that is on the
    allow-list, else the one its file name's suffix stands for; None when neither is."""
    if mime_type in ALLOWED_TYPES:
        return mime_type
    suffix = (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    return _TYPES_BY_SUFFIX.get(suffix)


def _check_declaration(name, size, mime_type, role, replaces, submission):
    if role not in SubmissionFile.Role.values:
        raise UploadRejected(_("Unknown file role: %s") % role)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise UploadRejected(_("The file size must be a whole number of bytes."))
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    limit = max_upload_bytes()
    if size > limit:
        raise UploadRejected(too_large_message(limit))
    guessed = declared_type(name, mime_type)
    # The same message as a refused upload of the same file through the form.
    check_role_type(guessed, role)
    if replaces is not None and (replaces.submission_id != submission.pk or replaces.role != role):
        raise UploadRejected(_("The file to replace belongs to another submission or role."))


def _clean_sha256(value):
    """A declared SHA-256 in lower case ("" when none); UploadRejected unless 64 hex digits."""
    if not isinstance(value, str):
        raise UploadRejected(_("The SHA-256 must be 64 hexadecimal digits."))
    value = value.strip().lower()
    if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
        raise UploadRejected(_("The SHA-256 must be 64 hexadecimal digits."))
    return value


def start_upload(user, submission, *, name, size, mime_type, role, replaces=None, sha256=""):
    """Start a multipart upload of one file to the submission; returns the DirectUpload.

    Raises the workflow's PermissionDeniedForTransition (403) / TransitionNotAvailable (409)
    when the user may not add files now, UploadRejected (400) for a declaration that the
    ordinary upload would refuse (unknown role, empty, over the size limit, a type not on the
    allow-list or not taken by the role), StorageUnavailable (503).
    """
    check_may_upload(user, submission)
    _check_declaration(name, size, mime_type, role, replaces, submission)
    sha256 = _clean_sha256(sha256 or "")
    limit = settings.UPLOADS_MAX_OPEN_PER_USER
    if DirectUpload.objects.filter(user=user, state=DirectUpload.State.UPLOADING).count() >= limit:
        raise UploadRejected(
            _(
                "You have %(count)s unfinished uploads: finish or cancel one before starting "
                "another."
            )
            % {"count": limit}
        )
    key = f"{KEY_PREFIX}{submission.uuid.hex}/{uuid.uuid4().hex}"
    upload_id = s3.create(key)
    return DirectUpload.objects.create(
        submission=submission,
        role=role,
        replaces=replaces,
        user=user,
        key=key,
        upload_id=upload_id,
        original_name=(name or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255],
        declared_size=size,
        declared_sha256=sha256,
    )


def get_upload(user, **lookup):
    """The user's own upload matching `lookup` (uuid=, or key= and upload_id=), else
    UploadNotFound. Only its starter ever sees an upload."""
    upload = (
        DirectUpload.objects.select_related("submission", "submission_file")
        .filter(user=user, **lookup)
        .first()
    )
    if upload is None:
        raise UploadNotFound
    return upload


def _check_uploading(upload):
    if upload.state != DirectUpload.State.UPLOADING:
        raise UploadStateError(
            _("This upload is no longer taking parts (%(state)s).")
            % {"state": upload.get_state_display()}
        )


def sign_parts(upload, part_numbers):
    """Presigned PUT URLs for the given part numbers ({number: url}); numbers outside the file's
    parts are refused (UploadRejected)."""
    _check_uploading(upload)
    count = part_count(upload.declared_size)
    urls = {}
    for number in part_numbers:
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= count:
            raise UploadRejected(
                _("Part numbers of this file run from 1 to %(count)s.") % {"count": count}
            )
        urls[number] = s3.sign_part(upload.key, upload.upload_id, number)
    return urls


def list_parts(upload):
    """The parts already in S3 (to resume an interrupted upload)."""
    from botocore.exceptions import ClientError

    _check_uploading(upload)
    try:
        return s3.list_parts(upload.key, upload.upload_id)
    except ClientError:
        # S3 no longer has it (swept, or cancelled by another tab): nothing can resume it.
        raise UploadStateError(
            _("This upload is no longer in the storage; start it again.")
        ) from None


@transaction.atomic
def complete_upload(upload, parts, *, sha256=""):
    """Ask S3 to join the parts, check the size, and queue the check of the object.

    `parts` is [(part number, ETag)]. `sha256` is the digest the client computed of the file it
    sent (the upload page sends one; an API client declares its own at the start): the check then
    compares the stored object's SHA-256 with it. The upload is then `verifying`;
    `verify_upload` decides. A refused completion (bad ETag, missing part, a malformed digest or
    one that is not the digest declared at the start) is UploadRejected and leaves the upload
    open so the client may resume; a size that is not the declared one fails the upload at once.
    """
    from botocore.exceptions import ClientError

    # Two completions of one upload at once: the second waits here and finds it no longer
    # uploading, so the parts are joined and the check queued once.
    upload = (
        DirectUpload.objects.select_for_update()
        .select_related("submission", "user")
        .get(pk=upload.pk)
    )
    _check_uploading(upload)
    check_may_upload(upload.user, upload.submission)
    if not parts:
        raise UploadRejected(_("No parts were sent."))
    sha256 = _clean_sha256(sha256 or "")
    if sha256 and upload.declared_sha256 and sha256 != upload.declared_sha256:
        raise UploadRejected(
            _("The SHA-256 sent at completion is not the %(declared)s declared at the start.")
            % {"declared": upload.declared_sha256}
        )
    try:
        s3.complete(upload.key, upload.upload_id, parts)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise UploadRejected(
            _("The storage refused to join the parts (%(code)s); send the missing parts again.")
            % {"code": code or "error"}
        ) from None
    size = s3.head(upload.key)
    if size != upload.declared_size:
        _fail(
            upload,
            _("The stored file has %(found)s bytes, not the %(declared)s declared.")
            % {"found": size, "declared": upload.declared_size},
        )
        return upload
    upload.state = DirectUpload.State.VERIFYING
    upload.declared_sha256 = sha256 or upload.declared_sha256
    upload.save(update_fields=["state", "declared_sha256", "updated_at"])

    from .tasks import verify_upload_task

    transaction.on_commit(lambda: verify_upload_task.enqueue(upload.pk))
    return upload


def abort_upload(upload):
    """Cancel an unfinished upload: S3 drops the parts it holds."""
    _check_uploading(upload)
    _abort_in_s3(upload.key, upload.upload_id)
    upload.state = DirectUpload.State.ABORTED
    upload.message = _("Cancelled before it was complete.")
    upload.save(update_fields=["state", "message", "updated_at"])
    return upload


def _abort_in_s3(key, upload_id):
    from botocore.exceptions import ClientError

    # Already gone (completed, aborted, or swept): nothing is left to drop.
    with contextlib.suppress(ClientError):
        s3.abort(key, upload_id)


def _fail(upload, message):
    """Refuse the upload: its object is deleted and the message is kept for its uploader."""
    try:
        s3.delete(upload.key)
    except StorageUnavailable:
        logger.warning("Could not delete refused upload object %s", upload.key)
    upload.state = DirectUpload.State.FAILED
    upload.message = str(message)
    upload.save(update_fields=["state", "message", "updated_at"])


class RangedObject(io.RawIOBase):
    """A stored object read with ranged GETs, seekable: what `sniff` needs to look into a zip's
    central directory (at the end) without fetching the whole object."""

    def __init__(self, key, size, block=256 * 1024):
        self.key, self.size, self.block = key, size, block
        self.position = 0
        self.cache_start, self.cache = 0, b""

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.size - self.position
        n = min(n, self.size - self.position)
        if n <= 0:
            return b""
        offset = self.position - self.cache_start
        if not (offset >= 0 and offset + n <= len(self.cache)):
            self.cache_start = self.position
            self.cache = s3.read_range(self.key, self.position, max(n, self.block))
            offset = 0
        data = self.cache[offset : offset + n]
        self.position += len(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def verify_upload(upload_pk):
    """Check a completed upload's object and attach it to the submission, or refuse it.

    Size (HEAD), type (sniffed from the first bytes with a ranged GET; the role's types apply),
    SHA-256 (the object streamed in 1 MB chunks; compared with the one the client declared at the
    start or sent with the completion, if any). A
    refused upload's object is deleted and its message kept for the uploader. Returns the state.
    """
    upload = DirectUpload.objects.select_related("submission", "user", "replaces").get(pk=upload_pk)
    if upload.state != DirectUpload.State.VERIFYING:
        return upload.state
    size = s3.head(upload.key)
    if size is None:
        _fail(upload, _("The uploaded file is not in the storage."))
        return upload.state
    if size != upload.declared_size or size > max_upload_bytes():
        _fail(upload, _("The stored file is not the size that was declared."))
        return upload.state
    head = s3.read_range(upload.key, 0, HEAD_BYTES)
    mime_type = sniff(head, io.BufferedReader(RangedObject(upload.key, size)), upload.original_name)
    try:
        check_role_type(mime_type, upload.role)
    except UploadRejected as rejected:
        _fail(upload, rejected.message)
        return upload.state
    digest = hashlib.sha256()
    read = 0
    for chunk in s3.iter_chunks(upload.key, CHUNK_SIZE):
        read += len(chunk)
        digest.update(chunk)
    sha256 = digest.hexdigest()
    if read != size:
        _fail(upload, _("The stored file could not be read whole."))
        return upload.state
    if upload.declared_sha256 and upload.declared_sha256 != sha256:
        _fail(
            upload,
            _(
                "The file's SHA-256 is %(found)s, not the %(declared)s declared: it changed on the way."
            )
            % {"found": sha256, "declared": upload.declared_sha256},
        )
        return upload.state
    with transaction.atomic():
        # Two checks of one upload (two completions queued two): the first to lock the row
        # attaches the file; the other finds it done.
        if (
            DirectUpload.objects.select_for_update()
            .values_list("state", flat=True)
            .get(pk=upload.pk)
            != DirectUpload.State.VERIFYING
        ):
            upload.refresh_from_db()
            return upload.state
        submission = upload.submission
        if not can_edit(upload.user, submission):
            _fail(upload, _("The submission can no longer be changed: the file was not added."))
            return upload.state
        try:
            record = attach_stored_object(
                submission,
                upload.key,
                size=size,
                sha256=sha256,
                mime_type=mime_type,
                original_name=upload.original_name,
                role=upload.role,
                user=upload.user,
                replaces=upload.replaces,
            )
        except UploadRejected as rejected:
            _fail(upload, rejected.message)
            return upload.state
        upload.state = DirectUpload.State.DONE
        upload.submission_file = record
        upload.message = ""
        upload.save(update_fields=["state", "submission_file", "message", "updated_at"])
    return upload.state


def sweep_abandoned(older_than_hours=None):
    """Abort uploads left unfinished for longer than `UPLOADS_ABANDON_AFTER_HOURS`: their rows
    become `aborted`, and every multipart upload S3 still holds under the submissions prefix
    from before then is aborted too (also those whose row is gone). Returns how many S3 uploads
    were aborted."""
    hours = settings.UPLOADS_ABANDON_AFTER_HOURS if older_than_hours is None else older_than_hours
    cutoff = timezone.now() - timedelta(hours=hours)
    stale = DirectUpload.objects.filter(state=DirectUpload.State.UPLOADING, created_at__lt=cutoff)
    pairs = {(u.key, u.upload_id) for u in stale}
    pairs |= set(s3.stale_multipart_uploads(KEY_PREFIX, cutoff))
    for key, upload_id in sorted(pairs):
        _abort_in_s3(key, upload_id)
    stale.update(
        state=DirectUpload.State.ABORTED,
        message=_("Abandoned: not completed within %(hours)s hours.") % {"hours": hours},
        updated_at=timezone.now(),
    )
    return len(pairs)
