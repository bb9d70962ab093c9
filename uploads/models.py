"""An upload of a submission file that goes straight from the client to object storage.

The client sends the bytes to S3 as a multipart upload through presigned part URLs; the web
process only starts, signs, lists, completes and aborts it. The object is written at its final
key (`submissions/<submission uuid hex>/<uuid4 hex>`, as `add_file` would) and joins the
submission as a `SubmissionFile` only after a background task has checked its size, type and
SHA-256 (uploads.services).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from repository.models import Submission, SubmissionFile


class DirectUpload(models.Model):
    """One multipart upload to object storage, from its start to its verdict."""

    class State(models.TextChoices):
        UPLOADING = "uploading", _("Uploading")
        VERIFYING = "verifying", _("Being checked")
        DONE = "done", _("Added to the submission")
        FAILED = "failed", _("Refused")
        ABORTED = "aborted", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="direct_uploads"
    )
    role = models.CharField(_("role"), max_length=16, choices=SubmissionFile.Role.choices)
    replaces = models.ForeignKey(
        SubmissionFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("storage key"), max_length=200, unique=True)
    upload_id = models.CharField(_("S3 upload id"), max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    declared_size = models.PositiveBigIntegerField(_("declared size (bytes)"))
    # What the client says the SHA-256 is (an API client optionally at the start, the upload page
    # always with the completion); the check compares the stored object's with it.
    declared_sha256 = models.CharField(_("declared SHA-256"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.UPLOADING, db_index=True
    )
    message = models.TextField(_("message"), blank=True)
    submission_file = models.OneToOneField(
        SubmissionFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resumable upload")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_state_display()})"
