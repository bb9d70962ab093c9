"""Two-factor sign-in (django-otp): enrolment, enforcement, verification, recovery codes, the API."""

import pytest
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from accounts import policy
from organisation.models import Role
from organisation.roles import LEARNER_DATA_ROLES

from .two_factor import code_for, enrol


@pytest.fixture
def enforced(settings):
    settings.ALSMIS_2FA_ENFORCED = True


def password_login(client, username):
    response = client.post(
        "/admin/login/",
        {"username": username, "password": settings.DEMO_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302, response.content
    return response


def token(client, username, otp=None, password=None):
    body = {"username": username, "password": password or settings.DEMO_PASSWORD}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_enforced_roles_are_derived_from_the_role_definitions():
    assert set(policy.SECOND_FACTOR_ROLES) == {Role.SYSTEM_ADMINISTRATOR, *LEARNER_DATA_ROLES}
    assert set(LEARNER_DATA_ROLES) >= {
        Role.EPSA,
        Role.DIVISION_FOCAL,
        Role.ENCODER,
        Role.REGIONAL_ALS,
    }
    assert Role.ALS_TEACHER not in policy.SECOND_FACTOR_ROLES
    assert Role.LR_QA_REVIEWER not in policy.SECOND_FACTOR_ROLES


@pytest.mark.parametrize(
    "username",
    ["admin", "sysadmin.region", "epsa.benguet", "focal.benguet", "als.region"],
)
def test_enforced_user_without_a_device_must_enrol_before_anything_else(
    client, demo, enforced, username
):
    password_login(client, username)
    for path in ("/admin/", "/admin/districts/", "/admin/account/", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/two-factor/setup/?next="), path


@pytest.mark.parametrize("username", ["teacher.benguet", "lrqa.benguet", "records.region"])
def test_other_roles_are_not_forced(client, demo, enforced, username):
    password_login(client, username)
    assert client.get("/admin/").status_code == 200


def test_enforcement_off_lets_enforced_roles_in_with_the_password(client, demo, settings):
    settings.ALSMIS_2FA_ENFORCED = False
    password_login(client, "epsa.benguet")
    assert client.get("/admin/").status_code == 200


def test_enrolment_shows_qr_and_key_then_recovery_codes_once(client, demo, enforced, user_named):
    password_login(client, "epsa.benguet")
    page = client.get("/admin/two-factor/setup/?next=/admin/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "data-manual-key" in body
    assert 'class="login-form"' in body  # the admin's login look
    device = TOTPDevice.objects.get(user=user_named("epsa.benguet"), confirmed=False)

    wrong = client.post("/admin/two-factor/setup/", {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 400
    assert "not the one your app shows" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()

    done = client.post("/admin/two-factor/setup/", {"code": code_for(device), "next": "/admin/"})
    assert done.status_code == 200
    codes = StaticToken.objects.filter(device__user=user_named("epsa.benguet"))
    assert codes.count() == 10
    for recovery in codes:
        assert recovery.token in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert ModelLogEntry.objects.filter(action="accounts.second_factor_enrolled").exists()

    # The session has passed the second factor; the admin opens; codes are never shown again.
    assert client.get("/admin/").status_code == 200
    overview = client.get("/admin/two-factor/").content.decode()
    assert "10 unused recovery codes" in overview
    assert codes.first().token not in overview


def test_next_login_asks_for_the_code_before_any_admin_page(client, demo, enforced, user_named):
    device, _codes = enrol(user_named("epsa.benguet"))
    password_login(client, "epsa.benguet")
    response = client.get("/admin/districts/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/verify/?next=%2Fadmin%2Fdistricts%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'name="code"' in page.content.decode()

    wrong = client.post("/admin/two-factor/verify/", {"code": "123456"})
    assert wrong.status_code == 400
    assert "That code is not valid" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()

    ok = client.post(
        "/admin/two-factor/verify/", {"code": code_for(device, 1), "next": "/admin/districts/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/admin/districts/"
    assert client.get("/admin/districts/").status_code == 200


def test_a_password_alone_cannot_add_a_second_authenticator(client, demo, enforced, user_named):
    enrol(user_named("epsa.benguet"))
    password_login(client, "epsa.benguet")
    response = client.get("/admin/two-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/verify/")
    client.post("/admin/two-factor/setup/", {"code": "000000"})
    assert TOTPDevice.objects.filter(user=user_named("epsa.benguet")).count() == 1


def test_optional_user_who_enrolled_is_asked_too(client, demo, enforced, user_named):
    enrol(user_named("teacher.benguet"))
    password_login(client, "teacher.benguet")
    assert client.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")


def test_recovery_code_works_once(client, demo, enforced, user_named):
    _device, codes = enrol(user_named("focal.benguet"))
    password_login(client, "focal.benguet")
    response = client.post("/admin/two-factor/verify/", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=user_named("focal.benguet")).count() == 9

    client.post("/admin/logout/")
    password_login(client, "focal.benguet")
    StaticDevice.objects.filter(user=user_named("focal.benguet")).update(throttling_failure_count=0)
    again = client.post("/admin/two-factor/verify/", {"code": codes[0]})
    assert again.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, demo, enforced, user_named):
    enrol(user_named("epsa.benguet"))
    password_login(client, "epsa.benguet")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        TOTPDevice.objects.update(throttling_failure_count=0)
        response = client.post("/admin/two-factor/verify/", {"code": "111111"})
    # Locked out: the half-signed-in session is over and the login page says why.
    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    login_page = client.get("/admin/login/").content.decode()
    assert "Too many failed sign-in attempts" in login_page
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_user_turns_optional_two_factor_off_with_a_code(client, demo, enforced, user_named):
    teacher = user_named("teacher.benguet")
    device, _codes = enrol(teacher)
    password_login(client, "teacher.benguet")
    client.post("/admin/two-factor/verify/", {"code": code_for(device, 1)})
    refused = client.post("/admin/two-factor/disable/", {"code": "000000"})
    assert refused.status_code == 302
    assert TOTPDevice.objects.filter(user=teacher).exists()
    TOTPDevice.objects.update(throttling_failure_count=0)
    # A recovery code proves it is the owner as well.
    client.post("/admin/two-factor/disable/", {"code": _codes[1]})
    assert not TOTPDevice.objects.filter(user=teacher).exists()
    assert not StaticDevice.objects.filter(user=teacher).exists()
    assert client.get("/admin/").status_code == 200


def test_user_makes_new_recovery_codes(client, demo, enforced, user_named):
    epsa = user_named("epsa.benguet")
    device, old_codes = enrol(epsa)
    password_login(client, "epsa.benguet")
    client.post("/admin/two-factor/verify/", {"code": old_codes[0]})
    response = client.post("/admin/two-factor/recovery-codes/", {"code": code_for(device, 1)})
    assert response.status_code == 200
    new_codes = set(StaticToken.objects.filter(device__user=epsa).values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(old_codes)


def test_api_token_needs_the_second_factor_for_enforced_roles(client, demo, enforced, user_named):
    no_device = token(client, "epsa.benguet")
    assert no_device.status_code == 401
    assert no_device.json()["detail"].startswith("otp_not_set_up")

    device, codes = enrol(user_named("epsa.benguet"))
    missing = token(client, "epsa.benguet")
    assert missing.status_code == 401
    assert missing.json()["detail"].startswith("otp_required")

    wrong = token(client, "epsa.benguet", otp="000000")
    assert wrong.status_code == 401
    assert wrong.json()["detail"].startswith("otp_invalid")
    device.refresh_from_db()
    device.throttle_reset()

    ok = token(client, "epsa.benguet", otp=code_for(device, 1))
    assert ok.status_code == 200 and ok.json()["token"]
    with_recovery = token(client, "epsa.benguet", otp=codes[3])
    assert with_recovery.status_code == 200
    assert token(client, "epsa.benguet", otp=codes[3]).status_code == 401

    # A wrong password is still just that, otp or not.
    assert token(client, "epsa.benguet", otp=code_for(device), password="nope").status_code == 401


def test_api_token_for_other_roles_needs_no_second_factor(client, demo, enforced):
    assert token(client, "teacher.benguet").status_code == 200


def test_api_token_with_enforcement_off_needs_none(client, demo, settings):
    settings.ALSMIS_2FA_ENFORCED = False
    assert token(client, "epsa.benguet").status_code == 200


def test_system_administrator_resets_a_second_factor(client, demo, enforced, user_named):
    sysadmin = user_named("sysadmin.region")
    epsa = user_named("epsa.benguet")
    enrol(epsa)
    device, _codes = enrol(sysadmin)
    password_login(client, "sysadmin.region")
    client.post("/admin/two-factor/verify/", {"code": code_for(device, 1)})
    listing = client.get("/admin/sign-in/second-factors/")
    assert listing.status_code == 200 and "epsa.benguet" in listing.content.decode()

    response = client.post("/admin/sign-in/second-factors/", {"user": epsa.pk})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=epsa).exists()
    assert not StaticDevice.objects.filter(user=epsa).exists()
    entry = ModelLogEntry.objects.get(action="accounts.second_factor_reset")
    assert entry.user_id == sysadmin.pk and entry.object_id == str(epsa.pk)

    # A superuser's second factor is reset by a superuser only.
    superuser = user_named("admin")
    enrol(superuser)
    assert client.post("/admin/sign-in/second-factors/", {"user": superuser.pk}).status_code in (
        302,
        403,
    )
    assert TOTPDevice.objects.filter(user=superuser).exists()
    assert client.post("/admin/sign-in/second-factors/", {"user": "x"}).status_code == 302


def test_reset_screen_is_refused_to_other_roles(client, demo, user_named):
    epsa = user_named("epsa.benguet")
    enrol(epsa)
    client.force_login(user_named("focal.benguet"))
    assert client.get("/admin/sign-in/second-factors/").status_code in (302, 403)
    client.post("/admin/sign-in/second-factors/", {"user": epsa.pk})
    assert TOTPDevice.objects.filter(user=epsa).exists()
