"""Sign-in lockout (django-axes): by account and by client address, on the admin and the API."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from wagtail.models import ModelLogEntry

from accounts.lockout import lockout_message

LIMIT = 5  # LOGIN_FAILURE_LIMIT's default


def admin_login(client, username, password, address="127.0.0.1"):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def token(client, username, password, address="127.0.0.1"):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_defaults_come_from_the_documented_settings():
    assert settings.LOGIN_FAILURE_LIMIT == LIMIT == settings.AXES_FAILURE_LIMIT
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME


def test_admin_login_is_locked_after_the_limit_even_with_the_right_password(client, demo):
    for _attempt in range(LIMIT - 1):
        response = admin_login(client, "records.benguet", "wrong")
        assert response.status_code == 200
        assert "password didn" in response.content.decode()
    locking = admin_login(client, "records.benguet", "wrong")
    assert locking.status_code == 429

    response = admin_login(client, "records.benguet", settings.DEMO_PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    # The message is on Wagtail's own login page (its form, its look), not a bare text page.
    assert "Too many failed sign-in attempts" in body
    assert "blocked for 30 minutes" in body
    assert 'class="login-form"' in body
    assert int(response["Retry-After"]) == 30 * 60
    # Not signed in.
    assert client.get("/admin/").status_code == 302

    # From another address the account is still locked: the account counts on its own.
    other = admin_login(client, "records.benguet", settings.DEMO_PASSWORD, address="10.1.2.3")
    assert other.status_code == 429


def test_lockout_ends_after_the_cooloff(client, demo):
    for _attempt in range(LIMIT):
        admin_login(client, "records.benguet", "wrong")
    assert admin_login(client, "records.benguet", settings.DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=31)
    )
    response = admin_login(client, "records.benguet", settings.DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_one_address_guessing_across_accounts_is_locked(client, demo):
    for number in range(LIMIT):
        admin_login(client, f"no-such-user-{number}", "wrong", address="198.51.100.7")
    # A real account with its right password, from that address: refused.
    response = admin_login(client, "teacher.abra", settings.DEMO_PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    # The same account from elsewhere is fine: only the address is locked.
    response = admin_login(client, "teacher.abra", settings.DEMO_PASSWORD, address="198.51.100.8")
    assert response.status_code == 302


def test_api_token_endpoint_is_locked_too(client, demo):
    for _attempt in range(LIMIT - 1):
        assert token(client, "teacher.benguet", "wrong").status_code == 401
    locking = token(client, "teacher.benguet", "wrong")
    assert locking.status_code == 429
    assert locking.json() == {"detail": lockout_message()}

    response = token(client, "teacher.benguet", settings.DEMO_PASSWORD)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many failed sign-in attempts")
    assert "token" not in response.json()
    # The lockout is shared with the admin: the same account cannot sign in there either.
    assert admin_login(client, "teacher.benguet", settings.DEMO_PASSWORD).status_code == 429


def test_failures_on_the_api_and_the_admin_add_up(client, demo):
    for _attempt in range(LIMIT - 2):
        token(client, "lrqa.benguet", "wrong")
    admin_login(client, "lrqa.benguet", "wrong")
    assert admin_login(client, "lrqa.benguet", "wrong").status_code == 429


def test_system_administrator_lists_and_unlocks(client, demo, user_named):
    for _attempt in range(LIMIT):
        admin_login(client, "records.benguet", "wrong", address="203.0.113.9")
    client.force_login(user_named("sysadmin.region"))
    listing = client.get("/admin/sign-in/lockouts/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "records.benguet" in body and "203.0.113.9" in body

    response = client.post(
        "/admin/sign-in/lockouts/", {"kind": "username", "value": "records.benguet"}
    )
    assert response.status_code == 302
    assert ModelLogEntry.objects.filter(
        action="accounts.unlock", user=user_named("sysadmin.region")
    ).exists()
    # Unlocking the account clears its failures (here also the address's: the same rows).
    assert not AccessAttempt.objects.filter(username="records.benguet").exists()
    assert "Nothing is locked out." in client.get("/admin/sign-in/lockouts/").content.decode()

    client.logout()
    assert admin_login(client, "records.benguet", settings.DEMO_PASSWORD).status_code == 302


def test_unlocking_an_address(client, demo, user_named):
    for number in range(LIMIT):
        admin_login(client, f"guess-{number}", "wrong", address="192.0.2.44")
    client.force_login(user_named("admin"))
    assert "192.0.2.44" in client.get("/admin/sign-in/lockouts/").content.decode()
    client.post("/admin/sign-in/lockouts/", {"kind": "address", "value": "192.0.2.44"})
    assert not AccessAttempt.objects.filter(ip_address="192.0.2.44").exists()


@pytest.mark.parametrize("username", ["epsa.benguet", "records.region", "als.region"])
def test_unlock_screen_is_refused_to_everyone_else(client, demo, user_named, username):
    for _attempt in range(LIMIT):
        admin_login(client, "records.benguet", "wrong")
    client.force_login(user_named(username))
    assert client.get("/admin/sign-in/lockouts/").status_code in (302, 403)
    response = client.post(
        "/admin/sign-in/lockouts/", {"kind": "username", "value": "records.benguet"}
    )
    assert response.status_code in (302, 403)
    assert AccessAttempt.objects.filter(username="records.benguet").exists()
    # And the menu does not offer it.
    assert "/admin/sign-in/lockouts/" not in client.get("/admin/").content.decode()


def test_unlock_with_bad_input_is_a_message_not_an_error(client, demo, user_named):
    client.force_login(user_named("sysadmin.region"))
    response = client.post("/admin/sign-in/lockouts/", {"kind": "everything", "value": ""})
    assert response.status_code == 302
