"""One error body for the whole API, and an API that never answers anything but JSON.

400 `{"detail": ..., "errors": {field: [messages]}}`; 401, 403, 404, 405, 429, 500 and 503 (the file
storage is down: retry later) `{"detail": ...}`; 409 `{"detail": ...}` (for an incomplete submission
with `"missing": [{"field": ..., "message": ...}, ...]`).
The 400 for a NUL byte or lone surrogate comes from guard/middleware.py in the same shape.

`JsonOnlyNinjaAPI` also answers JSON where Django would answer with an HTML page: a path under
the API that matches no operation (`/api/v1/submissions/abc`: the id is not an integer), a method
an operation does not take, and an unexpected server error.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import re_path
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from guard.logs import error_kind, redacted_traceback
from guard.storage_errors import MESSAGE as STORAGE_DOWN
from guard.storage_errors import is_unguarded_storage_outage

logger = logging.getLogger(__name__)

NOT_PROVIDED = "Authentication credentials were not provided: send 'Authorization: Bearer <token>'."
BAD_TOKEN = "Invalid or expired token."


class ErrorOut(Schema):
    """Every error: what went wrong, in a sentence."""

    detail: str


class FieldErrorsOut(Schema):
    """A 400: the sentence plus the messages per field (`__all__` for the request as a whole)."""

    detail: str
    errors: dict[str, list[str]]


class MissingOut(Schema):
    """One thing a step still needs: the submission field (or `<role>_file` for a file to upload
    with that role; null when it is no field) and what to do, in a sentence."""

    field: str | None
    message: str


class ConflictOut(Schema):
    """A 409: the state does not allow this now; `missing` lists what a step still needs."""

    detail: str
    missing: list[MissingOut] | None = None


ERROR_SCHEMAS = {
    400: FieldErrorsOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ConflictOut,
    422: FieldErrorsOut,
    429: ErrorOut,
    503: ErrorOut,
}


def error_responses(*statuses):
    """The `response=` entries for the error statuses an operation can answer.

    400 is always included: any operation answers it for a NUL byte or lone surrogate anywhere in
    the request (guard/middleware.py), for malformed JSON and for parameters of the wrong type.
    """
    return {status: ERROR_SCHEMAS[status] for status in sorted({400, *statuses})}


def error_response(api, request, status, detail, *, errors=None, **extra):
    """A JSON error response in the API's one shape."""
    body = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return api.create_response(request, body, status=status)


def storage_unavailable_response(api, request, message=None):
    """The 503 for a file storage outage: `{"detail": ...}`, to be retried in a minute."""
    response = error_response(api, request, 503, str(message or STORAGE_DOWN))
    response["Retry-After"] = "60"
    return response


def field_errors(ninja_errors):
    """Turn django-ninja/pydantic error entries into {field: [messages]}.

    A location is (source, [parameter name,] field, ...): the source ("body", "query", "form",
    "file", "path") and, for a body schema, the parameter name say nothing to the client.
    """
    errors = {}
    for entry in ninja_errors:
        loc = [str(part) for part in entry.get("loc", ())]
        parts = loc[1:]
        if loc and loc[0] == "body" and len(parts) > 1:
            parts = parts[1:]
        field = ".".join(parts) or "__all__"
        message = entry.get("msg", "Invalid value.")
        errors.setdefault(field, []).append(message)
    return errors


def install_error_handlers(api):
    """Register the handlers that give every error the shape documented above."""

    def on_validation_error(request, exc):
        return error_response(api, request, 400, "Invalid input.", errors=field_errors(exc.errors))

    def on_authentication_error(request, exc):
        has_header = bool(request.headers.get("Authorization"))
        response = error_response(api, request, 401, BAD_TOKEN if has_header else NOT_PROVIDED)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_http_error(request, exc):
        # Every 400 has the field-errors shape; one about the whole request names `__all__`.
        errors = {"__all__": [str(exc.message)]} if exc.status_code == 400 else None
        return error_response(api, request, exc.status_code, exc.message, errors=errors)

    def on_not_found(request, exc):
        return error_response(api, request, 404, "Not found.")

    def on_permission_denied(request, exc):
        return error_response(
            api, request, 403, str(exc) or "You do not have permission to do this."
        )

    def on_unexpected_error(request, exc):
        if is_unguarded_storage_outage(exc):
            # The object store is down under a call no view guarded (e.g. publishing reads a
            # photo): a 503 to retry later, as the middleware answers outside the API.
            logger.warning("file storage unavailable: %s", error_kind(exc))
            return storage_unavailable_response(api, request)
        # Django would log this and answer with its HTML 500 page. Log the stack and the error's
        # class, not its message, which may quote the request's personal data; answer JSON.
        logger.error(
            "Unexpected error in %s %s (%s)\n%s",
            request.method,
            request.path,
            error_kind(exc),
            redacted_traceback(exc),
        )
        return error_response(api, request, 500, "The server could not complete this request.")

    api.add_exception_handler(Exception, on_unexpected_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)


def install_domain_error_handler(api, exception_class):
    """Map a domain exception carrying `.status_code`, `.message` and optional `.details`.

    Dict details become field errors, list details become `missing` (what a step still needs:
    `{"field", "message"}` items; a bare message has no field).
    """

    def handler(request, exc):
        details = getattr(exc, "details", None)
        extra = {}
        errors = None
        if isinstance(details, dict):
            errors = {field: list(messages) for field, messages in details.items()}
        elif details:
            extra["missing"] = [
                item if isinstance(item, dict) else {"field": None, "message": str(item)}
                for item in details
            ]
        if exc.status_code == 400 and errors is None:
            errors = {}
        return error_response(api, request, exc.status_code, exc.message, errors=errors, **extra)

    api.add_exception_handler(exception_class, handler)


def _json_not_allowed(view):
    """Wrap a ninja path view so a method it does not take is a JSON 405 (ninja's is text)."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse({"detail": "Method not allowed."}, status=405)
            response["Allow"] = allowed
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def api_not_found(request, *args, **kwargs):
    """Any other path under the API: a JSON 404 (e.g. a non-integer id), never Django's page."""
    return JsonResponse({"detail": "Not found."}, status=404)


api_not_found.csrf_exempt = True


class JsonOnlyNinjaAPI(NinjaAPI):
    """A NinjaAPI whose every answer is JSON: see the module docstring."""

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            pattern.callback = _json_not_allowed(pattern.callback)
        # Last: the paths no operation matches.
        urls.append(re_path(r"^", api_not_found, name="not_found"))
        return urls
