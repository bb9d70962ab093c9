"""Pages of stored PDFs drawn as PNG images, for reading a file inside a web page.

The public site shows the first page of a published PDF (cms.views.file_preview); the staff's
submission page shows every page of the main file beside the rating sheet. Both draw with
pypdfium2 here. PDFium is not thread-safe, so one lock serialises its calls in this process.
A damaged or empty PDF raises `PreviewUnavailable`, which callers turn into a 404 or a message.
"""

import io
import shutil
import tempfile
import threading
from contextlib import contextmanager

from django.core.cache import cache

from guard.storage_errors import storage_guard

_PDFIUM = threading.Lock()
# A drawn page is at most this many times as tall as it is wide.
MAX_HEIGHT_RATIO = 4


class PreviewUnavailable(Exception):
    """The PDF cannot be drawn (damaged, encrypted, no such page)."""


@contextmanager
def _document(fileobj):
    import pypdfium2

    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(fileobj, spool, 1024 * 1024)
        spool.seek(0)
        with _PDFIUM:
            try:
                document = pypdfium2.PdfDocument(spool)
            except Exception as error:  # pypdfium2 raises its own PdfiumError, and others
                raise PreviewUnavailable(str(error)) from error
            try:
                yield document
            finally:
                document.close()


def render_pdf_page(fileobj, number=1, width=640, optimize=False):
    """PNG bytes of page `number` (from 1) of the PDF in `fileobj`, `width` pixels wide
    (`optimize` makes the PNG smaller, slowly: for images kept in storage)."""
    with _document(fileobj) as document:
        if not 1 <= number <= len(document):
            raise PreviewUnavailable(f"The PDF has no page {number}.")
        try:
            page = document[number - 1]
            page_width, page_height = page.get_size()
            # A freakishly tall page is drawn smaller rather than as a huge image.
            scale = min(width / page_width, MAX_HEIGHT_RATIO * width / page_height)
            image = page.render(scale=scale).to_pil()
        except Exception as error:
            raise PreviewUnavailable(str(error)) from error
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=optimize)
    return out.getvalue()


def pdf_layout(fileobj):
    """(number of pages, width / height of the first page) of the PDF in `fileobj`."""
    with _document(fileobj) as document:
        count = len(document)
        if not count:
            raise PreviewUnavailable("The PDF has no pages.")
        try:
            width, height = document[0].get_size()
        except Exception as error:
            raise PreviewUnavailable(str(error)) from error
    return count, (width / height if height else 1.0)


def stored_pdf_layout(submission_file):
    """`pdf_layout` of a stored SubmissionFile, remembered by its SHA-256 (the bytes of a file
    version never change). Raises PreviewUnavailable, or StorageUnavailable when the file store
    does not answer."""
    key = f"pdf-layout:{submission_file.sha256}"
    layout = cache.get(key)
    if layout is None:
        # The read, not only the open, may meet an outage: both are guarded.
        with (
            storage_guard("preview"),
            submission_file.file.storage.open(submission_file.file.name, "rb") as handle,
        ):
            layout = pdf_layout(handle)
        cache.set(key, layout, 24 * 3600)
    return layout


def render_stored_pdf_page(submission_file, number, width):
    """`render_pdf_page` of a stored SubmissionFile."""
    with (
        storage_guard("preview"),
        submission_file.file.storage.open(submission_file.file.name, "rb") as handle,
    ):
        return render_pdf_page(handle, number, width)
