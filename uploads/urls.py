"""Admin URLs of resumable uploads (mounted under /admin/ by uploads/wagtail_hooks.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("uploads/<int:submission_id>/", views.UploadPageView.as_view(), name="uploads_page"),
    # Uppy's S3 Companion protocol under <endpoint>/s3/multipart...
    path(
        "uploads/<int:submission_id>/<str:token>/status",
        views.upload_status,
        name="uploads_status",
    ),
    path(
        "uploads/<int:submission_id>/<str:token>/s3/multipart",
        views.create_multipart,
        name="uploads_create",
    ),
    path(
        "uploads/<int:submission_id>/<str:token>/s3/multipart/<str:upload_id>",
        views.multipart,
        name="uploads_multipart",
    ),
    path(
        "uploads/<int:submission_id>/<str:token>/s3/multipart/<str:upload_id>/<int:part_number>",
        views.sign_part,
        name="uploads_sign_part",
    ),
    path(
        "uploads/<int:submission_id>/<str:token>/s3/multipart/<str:upload_id>/complete",
        views.complete_multipart,
        name="uploads_complete",
    ),
]
