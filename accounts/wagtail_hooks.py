"""Admin wiring: the two-factor pages, the Account link, the administrators' screens, log actions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import policy, urls


@hooks.register("register_admin_urls")
def register_account_urls():
    return [path("", include(urls, namespace="accounts"))]


@hooks.register("register_account_menu_item")
def register_two_factor_account_item(request):
    return {
        "url": reverse("accounts:two_factor"),
        "label": _("Two-factor authentication"),
        "help_text": _("Sign in with a code from an authenticator app as well as your password."),
    }


class SignInAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.may_manage_sign_ins(request.user)


@hooks.register("register_settings_menu_item")
def register_lockouts_item():
    return SignInAdminMenuItem(
        _("Sign-in lockouts"), reverse("accounts:lockouts"), icon_name="lock", order=900
    )


@hooks.register("register_settings_menu_item")
def register_second_factors_item():
    return SignInAdminMenuItem(
        _("Second factors"), reverse("accounts:second_factors"), icon_name="key", order=910
    )


@hooks.register("register_log_actions")
def register_sign_in_log_actions(actions):
    actions.register_action(
        "accounts.second_factor_enrolled", _("Second factor"), _("Second factor set up")
    )
    actions.register_action(
        "accounts.second_factor_removed", _("Second factor"), _("Second factor turned off")
    )
    actions.register_action(
        "accounts.second_factor_reset",
        _("Second factor reset"),
        _("Second factor reset by an administrator"),
    )
    actions.register_action("accounts.unlock", _("Unlock"), _("Sign-in lockout cleared"))
