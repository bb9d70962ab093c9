"""Resumable uploads in the API (`/api/v1/uploads`): the multipart flow for large files.

The simple `POST /api/v1/submissions/{id}/files` stays for small files. For a large one:
start (`POST /uploads`) → presigned part URLs (`POST /uploads/{id}/parts`) → PUT each part to
its URL, keeping each answer's `ETag` → `POST /uploads/{id}/complete` → poll `GET /uploads/{id}`
until it is `done` (the file joined the submission) or `failed` (refused; the object is gone).
`GET /uploads/{id}/parts` lists what is already stored (to resume); `DELETE /uploads/{id}`
cancels. The caller may declare the file's SHA-256; the check then compares it.
"""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import Field

from api.errors import error_responses
from api.openapi import choice
from guard.storage_errors import StorageUnavailable
from repository.models import SubmissionFile
from repository.services import UploadRejected
from workflow.services import visible_submissions

from . import s3, services
from .models import DirectUpload

router = Router(tags=["uploads"])

FileRole = choice(SubmissionFile.Role.values)
UploadState = choice(DirectUpload.State.values)


class StartIn(Schema):
    submission: int = Field(description="The submission the file is for (one you may edit).")
    name: str = Field(max_length=255, description="The file's name (kept as its original name).")
    size: int = Field(description="Its size in bytes (at most SUBMISSION_MAX_UPLOAD_BYTES).")
    type: str = Field("", max_length=255, description="Its MIME type, as the client sees it.")
    role: FileRole
    sha256: str = Field("", max_length=64, description="Optional: the SHA-256 it must have.")
    replaces: int | None = Field(None, description="A file of the submission this replaces.")


class StoredFileOut(Schema):
    id: int
    version: int
    size: int
    sha256: str
    mime_type: str


class UploadOut(Schema):
    id: UUID
    submission: int
    role: FileRole
    name: str
    size: int
    state: UploadState
    message: str
    part_size: int = Field(description="Bytes per part; the last part may be smaller.")
    part_count: int
    started_at: datetime
    file: StoredFileOut | None = Field(None, description="The stored file once `done`.")


class PartsIn(Schema):
    part_numbers: list[int] = Field(min_length=1, max_length=1000)


class SignedPartOut(Schema):
    part_number: int
    url: str


class SignedPartsOut(Schema):
    expires_in: int = Field(description="Seconds the URLs stay valid.")
    parts: list[SignedPartOut]


class StoredPartOut(Schema):
    part_number: int
    etag: str
    size: int


class CompletedPartIn(Schema):
    part_number: int
    etag: str = Field(max_length=200)


class CompleteIn(Schema):
    parts: list[CompletedPartIn] = Field(min_length=1, max_length=services.MAX_PARTS)


def _out(upload):
    record = upload.submission_file
    return {
        "id": upload.uuid,
        "submission": upload.submission_id,
        "role": upload.role,
        "name": upload.original_name,
        "size": upload.declared_size,
        "state": upload.state,
        "message": upload.message,
        "part_size": services.part_size(upload.declared_size),
        "part_count": services.part_count(upload.declared_size),
        "started_at": upload.created_at,
        "file": None
        if record is None
        else {
            "id": record.pk,
            "version": record.version,
            "size": record.size,
            "sha256": record.sha256,
            "mime_type": record.mime_type,
        },
    }


def _rejected(rejected, field):
    return ValidationError([{"loc": ("body", "payload", field), "msg": rejected.message}])


def _mine(request, upload_id):
    try:
        return services.get_upload(request.user, uuid=upload_id)
    except services.UploadNotFound:
        raise Http404 from None


@router.post(
    "",
    response={201: UploadOut, **error_responses(401, 403, 404, 409, 503)},
    summary="Start a resumable (multipart) upload of a file to a submission",
)
def start_upload(request, payload: StartIn):
    """Checked like `POST /submissions/{id}/files`: the caller must be the submitter of an
    editable submission (else 404 when they cannot see it, 403, 409), and the declared size,
    type and role must be ones that upload would take (else 400)."""
    if not s3.available():
        raise StorageUnavailable("Resumable uploads need object storage (S3).")
    submission = get_object_or_404(visible_submissions(request.user), pk=payload.submission)
    replaces = None
    if payload.replaces is not None:
        replaces = submission.files.filter(pk=payload.replaces).first()
        if replaces is None:
            raise ValidationError(
                [{"loc": ("body", "payload", "replaces"), "msg": "Not a file of this submission."}]
            )
    try:
        upload = services.start_upload(
            request.user,
            submission,
            name=payload.name,
            size=payload.size,
            mime_type=payload.type,
            role=payload.role,
            replaces=replaces,
            sha256=payload.sha256,
        )
    except UploadRejected as rejected:
        raise _rejected(rejected, "size") from None
    return Status(201, _out(upload))


@router.get(
    "/{upload_id}",
    response={200: UploadOut, **error_responses(401, 404)},
    summary="Where an upload stands: uploading, verifying, done (with the file) or failed",
)
def get_upload(request, upload_id: UUID):
    return _out(_mine(request, upload_id))


@router.post(
    "/{upload_id}/parts",
    response={200: SignedPartsOut, **error_responses(401, 404, 409, 503)},
    summary="Presigned URLs to PUT parts to (numbers from 1 to part_count)",
)
def sign_parts(request, upload_id: UUID, payload: PartsIn):
    upload = _mine(request, upload_id)
    try:
        urls = services.sign_parts(upload, payload.part_numbers)
    except UploadRejected as rejected:
        raise _rejected(rejected, "part_numbers") from None
    return {
        "expires_in": s3.url_expiry(),
        "parts": [{"part_number": n, "url": url} for n, url in urls.items()],
    }


@router.get(
    "/{upload_id}/parts",
    response={200: list[StoredPartOut], **error_responses(401, 404, 409, 503)},
    summary="The parts already stored (to resume an interrupted upload)",
)
def list_parts(request, upload_id: UUID):
    upload = _mine(request, upload_id)
    return [
        {"part_number": p["PartNumber"], "etag": p["ETag"], "size": p["Size"]}
        for p in services.list_parts(upload)
    ]


@router.post(
    "/{upload_id}/complete",
    response={202: UploadOut, **error_responses(401, 403, 404, 409, 503)},
    summary="Join the parts and check the file (size, type, SHA-256) in the background",
)
def complete_upload(request, upload_id: UUID, payload: CompleteIn):
    """202: the upload is `verifying` (poll `GET /uploads/{id}`), or already `failed` when the
    stored size is not the declared one. 400 when the storage refuses the parts (a wrong ETag or
    a missing part); the upload stays open to send them again."""
    upload = _mine(request, upload_id)
    try:
        upload = services.complete_upload(
            upload, [(part.part_number, part.etag) for part in payload.parts]
        )
    except UploadRejected as rejected:
        raise _rejected(rejected, "parts") from None
    return Status(202, _out(upload))


@router.delete(
    "/{upload_id}",
    response={204: None, **error_responses(401, 404, 409, 503)},
    summary="Cancel an unfinished upload (the stored parts are dropped)",
)
def abort_upload(request, upload_id: UUID):
    services.abort_upload(_mine(request, upload_id))
    return Status(204, None)
