"""Refuse input that no part of the project can store or compare: NUL bytes and lone surrogates.

PostgreSQL `text` cannot hold U+0000, and a lone surrogate (U+D800–U+DFFF) cannot be encoded as
UTF-8 at all; either one used to reach a query, a file name or a template and end as a 500.
Rather than teach every form, filter and view about them, `RejectUnsafeInputMiddleware` looks at
everything a client controls before any app runs: the URL path, the query string (names and
values), form fields and uploaded file names, and JSON bodies (walked to every key and value).
The answer is a 400 that names the field: JSON in the API's error shape under `/api/`, a small
translated page elsewhere. Cookies holding such characters are dropped instead (a browser cannot
be told to fix a cookie it was given).

Characters that merely failed to decode (bad percent-encoding, invalid UTF-8) arrive as U+FFFD,
which is a character like any other and passes.
"""

import json

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .text import invalid_character_message, is_unsafe, replace_unsafe

API_PREFIX = "/api/"
#: The field name used for the request path itself.
PATH_FIELD = "path"
#: The field name used when the body as a whole is refused (too large, malformed multipart).
BODY_FIELD = "__all__"
# Django's own parse errors of a form body; they are a 400 here too, in the API's shape.
BODY_ERRORS = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    UnreadablePostError,
)


def shown(name):
    """A field name fit to be printed back: unsafe characters become U+FFFD."""
    return replace_unsafe(str(name)) or BODY_FIELD


def _json_fields(value, path=""):
    """Yield the dotted path of every key or string value in a JSON document that is unsafe."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{shown(key)}" if path else shown(key)
            if is_unsafe(key):
                yield here
            else:
                yield from _json_fields(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_fields(item, f"{path}.{index}" if path else str(index))
    elif is_unsafe(value):
        yield path or BODY_FIELD


def _querydict_fields(querydict):
    for key in querydict:
        if is_unsafe(key) or any(is_unsafe(v) for v in querydict.getlist(key)):
            yield shown(key)


def _is_json(request):
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


def unsafe_fields(request):
    """The names of every request field holding an unsafe character, in a stable order."""
    fields = []
    if is_unsafe(request.path_info) or is_unsafe(request.path):
        fields.append(PATH_FIELD)
    fields.extend(_querydict_fields(request.GET))
    if _is_json(request):
        # Django refuses a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE here (RequestDataTooBig).
        body = request.body
        if body:
            try:
                document = json.loads(body)
            except ValueError:
                document = None  # malformed JSON is the view's to refuse, with its own message
            fields.extend(_json_fields(document))
    elif request.method == "POST":
        fields.extend(_querydict_fields(request.POST))
        for key in request.FILES:
            if is_unsafe(key) or any(is_unsafe(f.name) for f in request.FILES.getlist(key)):
                fields.append(shown(key))
    return list(dict.fromkeys(fields))


def _drop_unsafe_cookies(request):
    for name in [n for n, v in request.COOKIES.items() if is_unsafe(n) or is_unsafe(v)]:
        del request.COOKIES[name]


def _is_api(request):
    return request.path_info.startswith(API_PREFIX)


def api_error(detail, errors):
    """The API's 400 body (api/errors.py): detail plus {field: [messages]}."""
    return _hardened(JsonResponse({"detail": detail, "errors": errors}, status=400))


def page_error(title, errors):
    """A plain HTML 400 page listing the refused fields and why."""
    items = "".join(
        f"<li><strong>{escape(field)}</strong>: {escape(' '.join(messages))}</li>"
        for field, messages in errors.items()
    )
    body = (
        f'<!doctype html><html lang="{escape(translation.get_language() or "en")}"><head>'
        f'<meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1><ul>{items}</ul>"
        f"<p>{escape(_('Correct the input and try again.'))}</p></body></html>"
    )
    return _hardened(HttpResponse(body, status=400, content_type="text/html; charset=utf-8"))


def _hardened(response):
    # An answer about this request only: never stored by a cache, never sniffed.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class RejectUnsafeInputMiddleware:
    """The first middleware: a 400 naming the field for any NUL byte or lone surrogate.

    It runs before everything that reads the request (the cache policy, sessions, views), and
    before sessions in particular, so a poisoned cookie is dropped before the session
    store queries with it (only the security-header middlewares come before it, so its answers
    carry their headers too). Translated with the language the request asks for (cookie or
    Accept-Language), since LocaleMiddleware has not run yet.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _drop_unsafe_cookies(request)
        try:
            fields = unsafe_fields(request)
        except BODY_ERRORS as error:
            if not _is_api(request):
                raise  # Django answers these with its own 400 page
            failure = error
            return self._refuse(request, [BODY_FIELD], lambda: _body_message(failure))
        if fields:
            return self._refuse(request, fields, invalid_character_message)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, fields, message):
        # LocaleMiddleware has not run yet: use the language the request asks for.
        with translation.override(translation.get_language_from_request(request)):
            errors = {field: [str(message())] for field in fields}
            if _is_api(request):
                return api_error(_("Invalid input."), errors)
            return page_error(_("Bad request"), errors)


def _body_message(error):
    if isinstance(error, RequestDataTooBig):
        return _("The request body is larger than %(limit)s bytes.") % {
            "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
    return _("The request body could not be read.")
