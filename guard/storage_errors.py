"""One answer to "is the file storage down?", so every upload and download maps it to a 503.

The S3 client (botocore) and the local file system fail in different ways: a refused or timed-out
connection, a 5xx from the object store, a full or read-only disk. `storage_guard()` turns each of
those into `StorageUnavailable`; views answer it with 503 and a message (the API as JSON, the admin
on its form), and `StorageUnavailableMiddleware` answers any that a view did not catch. A missing
object (FileNotFoundError, S3 404) is not an outage and passes through unchanged. It lives in
`guard`, below every app, so that each of them (repository, snapshots, workflow, the public site,
the API) may use it.
"""

import logging
from contextlib import contextmanager

from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

MESSAGE = gettext_lazy(
    "The file storage is unavailable at the moment; nothing was saved. Please try again in a few "
    "minutes. If it keeps happening, tell the regional ALS technical assistant."
)


class StorageUnavailable(Exception):
    """The file storage could not be reached or failed on its side; retrying later may work."""

    status_code = 503

    def __init__(self, message=None):
        self.message = str(message or MESSAGE)
        super().__init__(self.message)


def is_storage_outage(exc):
    """Whether `exc` means the storage is unreachable or failing (as opposed to a bad request or a
    missing object)."""
    if isinstance(exc, StorageUnavailable):
        return True
    try:
        from botocore.exceptions import ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as BotoConnectionError
    except ImportError:  # pragma: no cover - botocore is a dependency of django-storages[s3]
        BotoConnectionError = HTTPClientError = ClientError = ()  # noqa: N806
    if BotoConnectionError and isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return True
    if ClientError and isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500
    # Local files: a full, read-only or failing disk. A missing file is not an outage.
    return isinstance(exc, OSError) and not isinstance(
        exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError)
    )


@contextmanager
def storage_guard(operation="storage"):
    """Run a storage call; re-raise an outage as StorageUnavailable (logged, without file names)."""
    try:
        yield
    except StorageUnavailable:
        raise
    except Exception as exc:
        if not is_storage_outage(exc):
            raise
        logger.warning("file storage unavailable during %s: %s", operation, type(exc).__name__)
        raise StorageUnavailable() from exc


def delete_quietly(storage, name):
    """Delete an object while cleaning up after a failure; a storage outage is logged, not raised
    (the object is then an orphan without a row, which `verify_files` does not count as lost)."""
    try:
        storage.delete(name)
    except Exception as exc:
        if not is_storage_outage(exc):
            raise
        logger.warning("could not delete an orphaned object: %s", type(exc).__name__)


def unavailable_response(request, message=None):
    """The 503 for a storage outage: JSON `{"detail": ...}` under /api/, a short page otherwise."""
    text = str(message or MESSAGE)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": text}, status=503)
    else:
        title = _("File storage unavailable")
        response = HttpResponse(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body><main><h1>{escape(title)}</h1><p>{escape(text)}</p></main></body></html>",
            status=503,
        )
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


class StorageUnavailableMiddleware:
    """Answers a storage outage that reached the top of a view with a 503 instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unguarded_storage_outage(exception):
            if not isinstance(exception, StorageUnavailable):
                logger.warning("file storage unavailable: %s", type(exception).__name__)
            return unavailable_response(request)
        return None


def is_unguarded_storage_outage(exc):
    """Whether an error that reached the top of a view (outside `storage_guard`) is a storage
    outage: StorageUnavailable, or one of botocore's outage errors. A bare OSError may come from
    anywhere there (a socket to the mail server, the cache), so it is not claimed."""
    is_storage_error = isinstance(exc, StorageUnavailable) or type(exc).__module__.startswith(
        "botocore"
    )
    return is_storage_error and is_storage_outage(exc)
