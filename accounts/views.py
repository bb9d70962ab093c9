"""Two-factor sign-in pages (set up, verify, manage) and the administrators' screens.

The set-up and verify steps look like Wagtail's login page: they come between the password and
the admin (accounts.middleware sends every other admin request here until they are done).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.account import LogoutView as WagtailLogoutView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import lockout, policy, services
from .forms import CodeForm


def _next_url(request):
    """Where to go after the step: the `next` parameter if it is on this site, else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _mark_verified(request, device):
    """The session has passed the second factor with `device` (a new session key, too)."""
    request.session.cycle_key()
    otp_login(request, device)


def _locked_out(request):
    """End the half-signed-in session of a locked-out user and send them to the login page."""
    auth_logout(request)
    messages.error(request, lockout.lockout_message())
    return redirect("wagtailadmin_login")


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class SetupView(View):
    """Set up an authenticator app: QR code and key, confirm with a code, recovery codes once."""

    template_name = "accounts/setup.html"

    def dispatch(self, request, *args, **kwargs):
        # Someone holding only the password must not be able to add an authenticator next to
        # the owner's: replacing one takes a session that has already passed the second factor.
        if user_has_device(request.user) and not request.user.is_verified():
            return redirect(f"{reverse('accounts:verify')}?next={reverse('accounts:setup')}")
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        device = services.pending_authenticator(self.request.user)
        context = {
            "form": form,
            "qr_code": services.qr_code_svg(device),
            "manual_key": services.manual_key(device),
            "next": _next_url(self.request),
            "enforced": policy.second_factor_enforced(self.request.user),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        device = services.pending_authenticator(request.user)
        codes = services.confirm_authenticator(request.user, device, form.cleaned_data["code"])
        if codes is None:
            form.add_error(
                "code",
                _("That code is not the one your app shows now. Check the time on your phone."),
            )
            return self.render_form(form, status=400)
        device.refresh_from_db()
        _mark_verified(request, device)
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": _next_url(request), "just_enrolled": True},
        )


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class VerifyView(View):
    """The second step of signing in: a code from the authenticator app or a recovery code."""

    template_name = "accounts/verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_verified() or not user_has_device(request.user):
            return redirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        context = {"form": form, "next": _next_url(self.request)}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(CodeForm())

    def post(self, request):
        username = request.user.get_username()
        if lockout.is_locked_out(request, username):
            return _locked_out(request)
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        device = services.verify_second_factor(request.user, form.cleaned_data["code"])
        if device is None:
            if lockout.record_failure(request, username):
                return _locked_out(request)
            form.add_error("code", _("That code is not valid. Try the next one your app shows."))
            return self.render_form(form, status=400)
        _mark_verified(request, device)
        if isinstance(device, StaticDevice):
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; %(count)d are left. Set up your "
                    "authenticator again or make new recovery codes under Account."
                )
                % {"count": services.recovery_codes_left(request.user)},
            )
        return redirect(_next_url(request))


class AccountAdminView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the two-factor management pages in the admin's furniture."""

    header_icon = "key"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": None, "label": self.get_page_title()}]


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(AccountAdminView):
    """The user's own two-factor settings: state, new recovery codes, turn off or replace."""

    template_name = "accounts/two_factor.html"
    page_title = gettext_lazy("Two-factor authentication")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            has_second_factor=services.has_second_factor(user),
            codes_left=services.recovery_codes_left(user),
            enforced=policy.second_factor_enforced(user),
            **kwargs,
        )


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class RecoveryCodesView(View):
    """New recovery codes (the old ones stop working), after a current code is given."""

    def post(self, request):
        form = CodeForm(request.POST)
        if not (form.is_valid() and _fresh_code(request, form.cleaned_data["code"])):
            messages.error(request, _("Enter a current code from your app to make new codes."))
            return redirect("accounts:two_factor")
        codes = services.new_recovery_codes(request.user)
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": reverse("accounts:two_factor")},
        )


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class DisableView(View):
    """Turn two-factor off (or, where the role requires it, start again with a new app)."""

    def post(self, request):
        form = CodeForm(request.POST)
        if not (form.is_valid() and _fresh_code(request, form.cleaned_data["code"])):
            messages.error(request, _("Enter a current code from your app to change this."))
            return redirect("accounts:two_factor")
        services.remove_second_factor(request.user)
        if policy.second_factor_enforced(request.user):
            messages.info(request, _("Your role requires a second factor: set up your new app."))
            return redirect("accounts:setup")
        messages.success(request, _("Two-factor authentication is off for your account."))
        return redirect("accounts:two_factor")


def _fresh_code(request, code):
    """Whether `code` is a valid second factor of the user (counted as a failure when not)."""
    if services.verify_second_factor(request.user, code) is not None:
        return True
    lockout.record_failure(request, request.user.get_username())
    return False


# --- administrators ----------------------------------------------------------------------------


class SignInAdminView(AccountAdminView):
    """Base of the screens for superusers and system administrators."""

    def dispatch(self, request, *args, **kwargs):
        if not policy.may_manage_sign_ins(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class LockoutListView(SignInAdminView):
    """Accounts and addresses locked out now, each with an Unlock button."""

    template_name = "accounts/lockouts.html"
    page_title = gettext_lazy("Sign-in lockouts")
    header_icon = "lock"

    def get_context_data(self, **kwargs):
        return super().get_context_data(lockouts=services.current_lockouts(), **kwargs)

    def post(self, request):
        kind = request.POST.get("kind")
        value = (request.POST.get("value") or "").strip()
        if kind not in {"username", "address"} or not value:
            messages.error(request, _("Choose an account or an address to unlock."))
            return redirect("accounts:lockouts")
        if kind == "username":
            services.unlock(request.user, username=value)
        else:
            services.unlock(request.user, address=value)
        messages.success(request, _("Unlocked %(value)s.") % {"value": value})
        return redirect("accounts:lockouts")


class SecondFactorListView(SignInAdminView):
    """Users who have a second factor, with a Reset button (for a lost or replaced phone)."""

    template_name = "accounts/second_factors.html"
    page_title = gettext_lazy("Second factors")

    def get_context_data(self, **kwargs):
        user_ids = TOTPDevice.objects.filter(confirmed=True).values("user_id")
        users = get_user_model().objects.filter(pk__in=user_ids).order_by("username")
        rows = [
            (user, policy.may_reset_second_factor_of(self.request.user, user)) for user in users
        ]
        return super().get_context_data(rows=rows, **kwargs)

    def post(self, request):
        user_id = request.POST.get("user", "")
        if not user_id.isdigit():
            messages.error(request, _("Choose a user whose second factor to reset."))
            return redirect("accounts:second_factors")
        user = get_object_or_404(get_user_model(), pk=int(user_id))
        if not policy.may_reset_second_factor_of(request.user, user):
            raise PermissionDenied
        services.reset_second_factor(request.user, user)
        messages.success(
            request,
            _("The second factor of %(user)s was reset; they set up a new one at next sign-in.")
            % {"user": user.get_username()},
        )
        return redirect("accounts:second_factors")


class LogoutView(WagtailLogoutView):
    """Wagtail's logout, ending the session for GET as well as POST.

    Django's LogoutView answers a GET with 405 and leaves the session alive, while Wagtail's
    wrapper still deletes the cookie and says "logged out"; a kept cookie then still worked.
    """

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return self.post(request, *args, **kwargs)
