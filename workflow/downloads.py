"""Sending a submission file to someone who may see it (the caller has checked that already),
as a download, shown in the browser, or as the drawn pages of a PDF.

By default the bytes are streamed from storage through Django in chunks, which works whatever
the object store's address is. With `SUBMISSION_DOWNLOADS_VIA_SIGNED_URL = True` (S3 only) the
response is a redirect to a signed URL that expires after `SUBMISSION_DOWNLOAD_URL_SECONDS`, so
large files bypass the application server; use it when browsers can reach the object store.

Only PDFs and photos (`INLINE_TYPES`, the types the upload sniffer recognised from the bytes) are
ever shown in the browser; every other type is an attachment whatever is asked, so no uploaded
document runs as a page of this site.
"""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import content_disposition_header

from guard.storage_errors import StorageUnavailable, storage_guard
from repository.models import SubmissionFile
from repository.previews import PreviewUnavailable, render_stored_pdf_page, stored_pdf_layout
from repository.services import download_name

PDF = "application/pdf"
INLINE_TYPES = {PDF, "image/jpeg", "image/png", "image/webp"}
# A file shown in the browser is a document of its own: nothing in it may run or load anything
# but itself, and only this site may frame it.
INLINE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
# Pages drawn for the submission page: wide enough for a sharp half-screen column.
PAGE_WIDTH = 1000
# More pages than this are not drawn on the submission page (the file itself has them all).
MAX_PAGES_SHOWN = 300


def _signed_url(submission_file, filename, inline=False):
    storage = submission_file.file.storage
    if not getattr(storage, "querystring_auth", False):
        return None
    return storage.url(
        submission_file.file.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(not inline, filename),
            "ResponseContentType": submission_file.mime_type,
        },
        expire=settings.SUBMISSION_DOWNLOAD_URL_SECONDS,
    )


def file_response(submission_file, inline=False):
    """A response that delivers one SubmissionFile under a safe name: as an attachment, or with
    `inline` and a type in INLINE_TYPES, to be shown in the browser."""
    filename = download_name(submission_file)
    inline = inline and submission_file.mime_type in INLINE_TYPES
    if settings.SUBMISSION_DOWNLOADS_VIA_SIGNED_URL:
        url = _signed_url(submission_file, filename, inline)
        if url:
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "private, no-store"
            return response
    # S3 opens with a HEAD request, so an outage is a StorageUnavailable (503) here, before the
    # response starts, rather than a broken stream.
    with storage_guard("download"):
        handle = submission_file.file.storage.open(submission_file.file.name, "rb")
    response = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=submission_file.mime_type
    )
    response["Content-Length"] = str(submission_file.size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["Content-Security-Policy"] = INLINE_CSP
    return response


def page_image_response(submission_file, number):
    """Page `number` of a PDF SubmissionFile drawn as a PNG; 404 for anything else (not a PDF,
    no such page, a damaged file). A file version's bytes never change, so the viewer's own
    browser may keep the image for a while."""
    if submission_file.mime_type != PDF:
        raise Http404("Not a PDF.")
    try:
        # The page count is remembered: asking for a page that does not exist reads nothing.
        count, _ratio = stored_pdf_layout(submission_file)
        if not 1 <= number <= count:
            raise Http404("No such page.")
        png = render_stored_pdf_page(submission_file, number, PAGE_WIDTH)
    except (PreviewUnavailable, FileNotFoundError) as error:
        raise Http404("This page cannot be shown.") from error
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def main_file_viewer(submission):
    """How the submission page shows the current main file, as a dict for the template:
    {"file", "kind": "pdf" | "image" | "other" | "unavailable", "pages": [{"number", "url"}],
    "page_count", "ratio", "page_width", "page_height", "inline_url", "download_url"}; None
    without a main file."""
    main = (
        submission.files.filter(role=SubmissionFile.Role.MAIN, is_current=True)
        .order_by("-version")
        .first()
    )
    if main is None:
        return None
    download_url = reverse("submissions:download", args=[submission.pk, main.pk])
    viewer = {
        "file": main,
        "kind": "other",
        "pages": [],
        "page_count": 0,
        "ratio": 1.0,
        "download_url": download_url,
        "inline_url": f"{download_url}?inline=1" if main.mime_type in INLINE_TYPES else "",
    }
    if main.mime_type.startswith("image/") and main.mime_type in INLINE_TYPES:
        viewer["kind"] = "image"
    elif main.mime_type == PDF:
        try:
            count, ratio = stored_pdf_layout(main)
        except (PreviewUnavailable, FileNotFoundError, StorageUnavailable):
            # The rest of the page still works; the file can still be downloaded.
            viewer["kind"] = "unavailable"
            return viewer
        viewer.update(
            kind="pdf",
            page_count=count,
            ratio=ratio,
            # The image size before it loads, so that lazy loading draws only the pages in view.
            page_width=PAGE_WIDTH,
            page_height=round(PAGE_WIDTH / ratio) if ratio else PAGE_WIDTH,
            pages=[
                {
                    "number": number,
                    "url": reverse("submissions:page", args=[submission.pk, main.pk, number]),
                }
                for number in range(1, min(count, MAX_PAGES_SHOWN) + 1)
            ],
        )
    return viewer
