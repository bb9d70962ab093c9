from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from workflow.views import EDIT_BUTTONS_HOOK

from . import s3
from .urls import urlpatterns


@hooks.register("register_admin_urls")
def register_upload_urls():
    return urlpatterns


@hooks.register(EDIT_BUTTONS_HOOK)
def upload_large_files_button(submission):
    """The "Upload large files" button beside "Edit and upload files", when the storage is S3 (local files
    have no multipart uploads; the edit form's upload fields remain)."""
    if not s3.available():
        return None
    return _("Upload large files"), reverse("uploads_page", args=[submission.pk])
