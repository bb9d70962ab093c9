"""Sending a submission file to someone who may see it (the caller has checked that already).

By default the bytes are streamed from storage through Django in chunks, which works whatever
the object store's address is. With `SUBMISSION_DOWNLOADS_VIA_SIGNED_URL = True` (S3 only) the
response is a redirect to a signed URL that expires after `SUBMISSION_DOWNLOAD_URL_SECONDS`, so
large files bypass the application server; use it when browsers can reach the object store.
"""

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from guard.storage_errors import storage_guard
from repository.services import download_name


def _signed_url(submission_file, filename):
    storage = submission_file.file.storage
    if not getattr(storage, "querystring_auth", False):
        return None
    return storage.url(
        submission_file.file.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": submission_file.mime_type,
        },
        expire=settings.SUBMISSION_DOWNLOAD_URL_SECONDS,
    )


def file_response(submission_file):
    """A response that delivers one SubmissionFile as an attachment under a safe name."""
    filename = download_name(submission_file)
    if settings.SUBMISSION_DOWNLOADS_VIA_SIGNED_URL:
        url = _signed_url(submission_file, filename)
        if url:
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "private, no-store"
            return response
    # S3 opens with a HEAD request, so an outage is a StorageUnavailable (503) here, before the
    # response starts, rather than a broken stream.
    with storage_guard("download"):
        handle = submission_file.file.storage.open(submission_file.file.name, "rb")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=submission_file.mime_type
    )
    response["Content-Length"] = str(submission_file.size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
