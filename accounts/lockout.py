"""Sign-in lockout (django-axes): the authentication backend, the message and the answers.

Failures are counted per account and per client address (accounts.client.client_address) in
axes' database table, which every web process shares. A wrong second factor counts as a
failure too (accounts.views, api.api).
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every sign-in of a locked-out account or address before a password is checked.

    Calls without a request (scripts, Django's test client `login()`) are not sign-ins from a
    client and have no address to count; they pass to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def cooloff_minutes():
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message():
    """What a locked-out client is told (the same on the admin and the API)."""
    return _(
        "Too many failed sign-in attempts for this account or from this address. Signing in is "
        "blocked for %(minutes)d minutes; a system administrator can unlock it sooner."
    ) % {"minutes": cooloff_minutes()}


def is_locked_out(request, username):
    """Whether sign-ins as `username` from this request's client are refused now."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def record_failure(request, username):
    """Count a failed sign-in step that is not a password (a wrong second factor) for axes."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a request that hit the lockout, 429 everywhere.

    The API gets `{"detail": ...}`; the admin keeps the page its view rendered (the login form
    carries the message, accounts.forms.LoginForm), with the status changed, or its redirect.
    """
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if original_response is not None and 300 <= original_response.status_code < 400:
        # The view has already sent the client on (the second-factor step ends the session
        # and goes back to the login page, which shows the message).
        return original_response
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    elif original_response is not None and original_response.get("Content-Type", "").startswith(
        "text/html"
    ):
        response = original_response
        response.status_code = 429
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"message": lockout_message()},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response
