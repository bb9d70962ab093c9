"""The upload page of a submission in the admin, and the endpoints its Uppy talks to.

The endpoints follow the S3 multipart protocol of Uppy's `@uppy/aws-s3` Companion client
(`<endpoint>/s3/multipart...`), so the vendored Uppy needs no code of ours to start, sign, list,
complete and abort. That client's requests carry no CSRF header: instead the endpoint's path
carries a signed token naming the user, the submission and the session (`upload_token`), which
another site cannot know or forge, and the views check it (a synchronizer token in the path).
"""

import json

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from guard.storage_errors import StorageUnavailable
from repository.models import SubmissionFile
from repository.services import (
    ROLE_TYPE_MESSAGES,
    ROLE_TYPES,
    UploadRejected,
    max_upload_bytes,
)
from repository.sniff import ALLOWED_TYPES, EXTENSIONS
from workflow.exceptions import WorkflowError
from workflow.services import can_edit, visible_submissions

from . import s3, services
from .models import DirectUpload

TOKEN_SALT = "uploads.endpoint"
TOKEN_MAX_AGE = 7 * 24 * 3600


def _session_tag(request):
    # Ties the token to this login: a token copied out of another session is refused.
    return salted_hmac(TOKEN_SALT, request.session.session_key or "").hexdigest()[:16]


def upload_token(request, submission):
    """The signed token that the upload endpoint's path carries for this user and submission."""
    return signing.dumps(
        {"u": request.user.pk, "s": submission.pk, "t": _session_tag(request)},
        salt=TOKEN_SALT,
        compress=True,
    )


class TokenRefused(Exception):
    """The endpoint's token is not this user's, this session's or this submission's: 403."""


def _submission_for(request, submission_id, token):
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise TokenRefused from None
    if (
        data.get("u") != request.user.pk
        or data.get("s") != submission_id
        or data.get("t") != _session_tag(request)
    ):
        raise TokenRefused
    submission = visible_submissions(request.user).filter(pk=submission_id).first()
    if submission is None:
        raise services.UploadNotFound
    return submission


def _error(status, message):
    return JsonResponse({"message": str(message)}, status=status)


def _answer(call):
    """Run an endpoint's work and turn refusals into JSON answers with a message (never a 500)."""
    try:
        return call()
    except TokenRefused:
        return _error(
            403, _("This upload page has expired or belongs to another session: reload it.")
        )
    except services.UploadNotFound:
        return _error(404, _("No such upload."))
    except services.UploadStateError as error:
        return _error(409, error.message)
    except UploadRejected as error:
        return _error(400, error.message)
    except WorkflowError as error:
        return _error(error.status_code, error.message)
    except StorageUnavailable as error:
        return _error(503, error.message)


def _json_body(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise UploadRejected(_("The request body must be JSON.")) from None
    if not isinstance(body, dict):
        raise UploadRejected(_("The request body must be a JSON object."))
    return body


def _int(value, message):
    # Whole numbers only: JSON's 1e400 or Infinity is a float infinity, which int() refuses
    # with OverflowError; a bool is not a count either.
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise UploadRejected(message)
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise UploadRejected(message) from None


def _replaces(submission, value):
    if value in (None, ""):
        return None
    pk = _int(value, _("The file to replace is not a file of this submission."))
    found = submission.files.filter(pk=pk).first()
    if found is None:
        raise UploadRejected(_("The file to replace is not a file of this submission."))
    return found


@csrf_exempt
@require_http_methods(["POST"])
def create_multipart(request, submission_id, token):
    """Start an upload: `{"filename", "type", "metadata": {"name", "size", "role", ...}}`."""

    def work():
        submission = _submission_for(request, submission_id, token)
        body = _json_body(request)
        meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        upload = services.start_upload(
            request.user,
            submission,
            name=str(meta.get("name") or body.get("filename") or ""),
            size=_int(meta.get("size"), _("The file size must be a whole number of bytes.")),
            mime_type=str(meta.get("type") or body.get("type") or ""),
            role=str(meta.get("role") or ""),
            replaces=_replaces(submission, meta.get("replaces")),
        )
        return JsonResponse({"key": upload.key, "uploadId": upload.upload_id})

    return _answer(work)


@csrf_exempt
@require_http_methods(["GET", "DELETE"])
def multipart(request, submission_id, token, upload_id):
    """GET: the parts S3 already holds (to resume); DELETE: cancel the upload."""

    def work():
        _submission_for(request, submission_id, token)
        upload = services.get_upload(
            request.user, key=request.GET.get("key", ""), upload_id=upload_id
        )
        if request.method == "DELETE":
            services.abort_upload(upload)
            return JsonResponse({})
        return JsonResponse(services.list_parts(upload), safe=False)

    return _answer(work)


@csrf_exempt
@require_http_methods(["GET"])
def sign_part(request, submission_id, token, upload_id, part_number):
    """The presigned URL to PUT one part to."""

    def work():
        _submission_for(request, submission_id, token)
        upload = services.get_upload(
            request.user, key=request.GET.get("key", ""), upload_id=upload_id
        )
        url = services.sign_parts(upload, [part_number])[part_number]
        return JsonResponse({"url": url, "expires": s3.url_expiry()})

    return _answer(work)


@csrf_exempt
@require_http_methods(["POST"])
def complete_multipart(request, submission_id, token, upload_id):
    """Join the parts (`{"parts": [{"PartNumber", "ETag"}], "sha256": "<hex>"}`) and queue the
    check. The page always sends the SHA-256 it computed of the chosen file, so the check proves
    the stored object is that file; a completion without it is refused (400)."""

    def work():
        _submission_for(request, submission_id, token)
        upload = services.get_upload(
            request.user, key=request.GET.get("key", ""), upload_id=upload_id
        )
        body = _json_body(request)
        digest = body.get("sha256")
        if not digest:
            raise UploadRejected(_("The file's SHA-256 must be sent with the completion."))
        parts = body.get("parts")
        if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
            raise UploadRejected(_("`parts` must be a list of {PartNumber, ETag}."))
        pairs = [
            (_int(p.get("PartNumber"), _("Each part needs its number.")), str(p.get("ETag", "")))
            for p in parts
        ]
        upload = services.complete_upload(upload, pairs, sha256=digest)
        if upload.state == DirectUpload.State.FAILED:
            return _error(400, upload.message)
        return JsonResponse({"location": "", "key": upload.key, "state": upload.state})

    return _answer(work)


@require_http_methods(["GET"])
def upload_status(request, submission_id, token):
    """Where the user's upload under `?key=` stands: uploading, being checked, added, refused."""

    def work():
        _submission_for(request, submission_id, token)
        upload = services.get_upload(request.user, key=request.GET.get("key", ""))
        answer = {"state": upload.state, "label": upload.get_state_display()}
        answer["message"] = upload.message
        if upload.submission_file is not None:
            answer["sha256"] = upload.submission_file.sha256
            answer["file"] = upload.submission_file.pk
        return JsonResponse(answer)

    return _answer(work)


class UploadPageView(WagtailAdminTemplateMixin, TemplateView):
    """ "Upload large files": Uppy sending the files straight to the object store, resumable."""

    template_name = "uploads/upload_page.html"
    page_title = gettext_lazy("Upload files")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.submission = get_object_or_404(
            visible_submissions(request.user), pk=kwargs["submission_id"]
        )
        if not can_edit(request.user, self.submission):
            raise PermissionDenied
        if not s3.available():
            raise Http404(_("Resumable uploads need object storage (S3)."))
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.submission.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("submissions:inspect", args=[self.submission.pk]),
                "label": self.submission.title,
            },
            {"url": None, "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.request.session.session_key:
            self.request.session.save()
        token = upload_token(self.request, self.submission)
        status = reverse("uploads_status", args=[self.submission.pk, token])
        context.update(
            submission=self.submission,
            roles=SubmissionFile.Role.choices,
            upload_config={
                # Uppy appends /s3/multipart... to this.
                "endpoint": status.rsplit("/", 1)[0],
                "status": status,
                "submission": self.submission.pk,
                "maxBytes": max_upload_bytes(),
                "partSize": services.part_size(max_upload_bytes()),
                "types": sorted(ALLOWED_TYPES),
                "suffixes": sorted({"." + s for s in EXTENSIONS.values()} | {".jpeg"}),
                "submissionUrl": reverse("submissions:inspect", args=[self.submission.pk]),
                "text": {
                    "uploadFailed": _(
                        "The upload stopped. Choose the same file again (after reloading this "
                        "page too) and it continues where it stopped."
                    ),
                    "statusUnknown": _("Sent; the check's result will show on the submission."),
                },
                "roleTypes": {
                    str(role): {"types": sorted(types), "message": str(ROLE_TYPE_MESSAGES[role])}
                    for role, types in ROLE_TYPES.items()
                },
            },
            recent=self.submission.direct_uploads.filter(user=self.request.user)[:10],
        )
        return context
