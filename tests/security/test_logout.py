"""Logging out ends the session, whatever the method: a kept session cookie no longer works."""

import pytest
from django.conf import settings
from django.test import Client


def signed_in(demo):
    client = Client()
    response = client.post(
        "/admin/login/",
        {"username": "epsa.benguet", "password": settings.DEMO_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def reaches_admin(session_key):
    """Whether a fresh client that presents this old session cookie gets into the admin."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return other.get("/admin/").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_logout_ends_the_session(demo, method):
    client, old_session = signed_in(demo)
    assert reaches_admin(old_session)

    response = getattr(client, method)("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/"
    assert not reaches_admin(old_session)
    assert client.get("/admin/").status_code == 302
    page = client.get("/admin/login/")
    assert "You have been successfully logged out." in page.content.decode()


def test_logout_of_a_half_signed_in_session_ends_it_too(demo, settings):
    settings.ALSMIS_2FA_ENFORCED = True
    client = Client()
    client.post(
        "/admin/login/",
        {"username": "epsa.benguet", "password": settings.DEMO_PASSWORD, "next": "/admin/"},
    )
    old_session = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/admin/")["Location"].startswith("/admin/two-factor/setup/")
    assert client.get("/admin/logout/").status_code == 302
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = old_session
    assert other.get("/admin/")["Location"].startswith("/admin/login/")
