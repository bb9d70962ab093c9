"""The API answers in the language its client asks for."""

from django.utils import translation
from django.utils.cache import patch_vary_headers


class ApiLanguageMiddleware:
    """Messages of `/api/` responses in the language of the request's Accept-Language header
    (or language cookie), English by default.

    URLs without a language prefix are English for LocaleMiddleware (the public site's
    i18n_patterns have prefix_default_language=False), so it never reads the header for the API:
    this does, for the API only. Goes after LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        request.LANGUAGE_CODE = language
        # override, not activate: the thread's language is restored after the response, so
        # work done later in the same thread (a test, a task) never inherits a client's choice.
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ["Accept-Language"])
        # LocaleMiddleware answers after this one and only sets Content-Language if unset.
        response.headers["Content-Language"] = language
        return response
