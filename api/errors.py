"""One error body for the whole API.

400 `{"detail": ..., "errors": {field: [messages]}}`; 401, 403, 404 and 409 `{"detail": ...}`
(409 for an incomplete submission adds `"missing": [...]`).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

NOT_PROVIDED = "Authentication credentials were not provided: send 'Authorization: Bearer <token>'."
BAD_TOKEN = "Invalid or expired token."


def error_response(api, request, status, detail, *, errors=None, **extra):
    """A JSON error response in the API's one shape."""
    body = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return api.create_response(request, body, status=status)


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
        return error_response(api, request, exc.status_code, exc.message)

    def on_not_found(request, exc):
        return error_response(api, request, 404, "Not found.")

    def on_permission_denied(request, exc):
        return error_response(
            api, request, 403, str(exc) or "You do not have permission to do this."
        )

    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)


def install_domain_error_handler(api, exception_class):
    """Map a domain exception carrying `.status_code`, `.message` and optional `.details`.

    Dict details become field errors, list details become `missing` (what a step still needs).
    """

    def handler(request, exc):
        details = getattr(exc, "details", None)
        extra = {}
        errors = None
        if isinstance(details, dict):
            errors = {field: list(messages) for field, messages in details.items()}
        elif details:
            extra["missing"] = list(details)
        if exc.status_code == 400 and errors is None:
            errors = {}
        return error_response(api, request, exc.status_code, exc.message, errors=errors, **extra)

    api.add_exception_handler(exception_class, handler)
