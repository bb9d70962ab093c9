"""Two-factor sign-in in a real browser: enrol from the page's key, recovery codes, sign in again."""

from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .two_factor import code_for, code_from_secret

PASSWORD = "correct horse battery staple"


def sign_in_with_password(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_enrol_and_sign_in_with_a_code(
    transactional_db, site_tree, django_user_model, browser_page, settings
):
    settings.ALSMIS_2FA_ENFORCED = True
    django_user_model.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    page = browser_page

    # The password alone leads to the set-up of a second factor, not to the dashboard.
    sign_in_with_password(page, "chief")
    page.wait_for_url("**/admin/two-factor/setup/**")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    # Exactly one: the admin's icon sprite is not answered with this page a second time.
    assert page.locator(".qr-code").count() == 1

    # Type the code an authenticator app would compute from the key shown on the page.
    key = page.locator("[data-manual-key]").inner_text().replace(" ", "")
    secret = b32decode(key + "=" * (-len(key) % 8))
    page.get_by_role("textbox", name="Code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()

    codes = page.locator("[data-recovery-codes] li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.wait_for_url("**/admin/")
    assert "Dashboard" in page.title()
    assert TOTPDevice.objects.get(user__username="chief").confirmed

    # Log out; the next sign-in asks for a code after the password.
    page.goto("/admin/logout/")
    page.wait_for_url("**/admin/login/")
    assert page.get_by_text("You have been successfully logged out.").is_visible()
    sign_in_with_password(page, "chief")
    page.wait_for_url("**/admin/two-factor/verify/**")
    # The code just used is spent; the app's next one is accepted. Next on the clock the server
    # keeps for the device: a first code typed across a 30 s boundary leaves its drift a step
    # behind (django-otp's OTP_TOTP_SYNC), and the server counts from there.
    device = TOTPDevice.objects.get(user__username="chief")
    page.get_by_role("textbox", name="Code").fill(code_for(device, 1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/admin/")
    assert "Dashboard" in page.title()
