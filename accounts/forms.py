"""Forms of the sign-in pages: the admin login form (lockout message) and the code forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .lockout import lockout_message


class LoginForm(WagtailLoginForm):
    """Wagtail's login form, saying so when the account or the address is locked out."""

    def get_invalid_login_error(self):
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or (where allowed) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": "",
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
    )
