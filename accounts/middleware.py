"""Sends a signed-in user who owes a second factor to the two-factor step before anything else."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

from .policy import second_factor_required

#: Paths a half-signed-in user may still reach: the steps themselves, logging out, files the
#: login-like pages load, and the API (it ignores sessions and asks for the code itself).
OPEN_PREFIXES = ("/static/", "/media/", "/api/", "/healthz", "/i18n/setlang/")
OPEN_URL_NAMES = (
    "accounts:setup",
    "accounts:verify",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    # The admin's icons, fetched by script into every admin page (the steps' pages too).
    "wagtailadmin_sprite",
)


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware (request.user.is_verified()), with request.user one lazy layer deep.

    django-otp wraps Django's lazy user in a second lazy object; Wagtail's audit log looks up
    the type behind one layer only and silently logs nothing for a doubly wrapped user (e.g.
    `log(request.user, ...)` of Wagtail's own account page).
    """

    def _verify_user_sync(self, request, user):
        user = super()._verify_user_sync(request, user)
        # Evaluated by now (django-otp has set attributes on it).
        return user._wrapped if isinstance(user, LazyObject) else user


class SecondFactorMiddleware:
    """After the password, every request goes to set-up or verification until one is passed.

    Everything is closed, not only /admin/: a half-signed-in session must not count as signed
    in anywhere (e.g. Wagtail's "login required" pages or staff downloads).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in OPEN_URL_NAMES}
        return self._open_paths

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and request.path not in self.open_paths()
            and not user.is_verified()
            and second_factor_required(user)
        ):
            step = "accounts:verify" if user_has_device(user) else "accounts:setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(step)}?{query}")
        return self.get_response(request)
