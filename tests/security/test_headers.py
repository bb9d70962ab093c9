"""Security headers (issue 11, headers and deployment): CSP by path, Permissions-Policy,
Referrer-Policy, COOP, HSTS, the HTTPS redirect behind a proxy, and cookie flags."""

import pytest
from django.test import override_settings

from alsmis.settings.base import proxy_ssl_header

pytestmark = pytest.mark.django_db

HTTPS_ON = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}
FROM_PROXY = {"X-Forwarded-Proto": "https"}


def directives(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    if hasattr(response, "headers") and isinstance(response.headers, dict):  # through Varnish
        policy = response.headers["content-security-policy"]
    else:
        policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_strict(policy):
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_public_pages_get_the_strict_policy_and_the_other_headers(site_tree, client):
    for path in ("/", "/resources/", "/resources/?q=typhoon", "/clmd/", "/resources/feed/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(directives(response))
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert "nonce-" not in response["Content-Security-Policy"]
        permissions = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in permissions
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_error_pages_and_the_api_get_the_strict_policy(site_tree, client):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_strict(directives(missing))
    api = client.get("/api/v1/submissions")
    assert api.status_code == 401
    assert_strict(directives(api))
    assert "Permissions-Policy" in api
    assert api["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_admin_allows_inline_styles_but_no_inline_script(demo, client):
    login = client.get("/admin/login/")
    assert login.status_code == 200
    policy = directives(login)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    # The object store's signed URLs (SeaweedFS in the tests) may show images in the admin.
    from django.conf import settings

    endpoint = settings.STORAGES["default"]["OPTIONS"]["endpoint_url"].rstrip("/")
    assert endpoint in policy["img-src"]
    assert "Permissions-Policy" in login


def test_a_cached_public_page_still_carries_every_header(cached_site, site_tree):
    first = cached_site.get("/resources/")
    assert first.cache == "miss"
    again = cached_site.get("/resources/")
    assert again.cache == "hit"
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert_strict(directives(again))
    for header in (
        "permissions-policy",
        "referrer-policy",
        "cross-origin-opener-policy",
        "x-content-type-options",
        "x-frame-options",
    ):
        assert again.headers[header] == first.headers[header], header


def test_http_is_redirected_to_https_and_https_gets_hsts(site_tree, client):
    with override_settings(**HTTPS_ON):
        plain = client.get("/resources/?q=rice")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/resources/?q=rice"
        assert "Strict-Transport-Security" not in plain

        # Behind the TLS proxy: X-Forwarded-Proto says the visitor used HTTPS.
        secure = client.get("/resources/", headers=FROM_PROXY)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"

        admin = client.get("/admin/login/", headers=FROM_PROXY)
        assert admin.status_code == 200
        assert "max-age=31536000" in admin["Strict-Transport-Security"]


def test_a_page_cached_for_https_is_never_served_over_plain_http(cached_site, site_tree):
    """Behind the TLS proxy, the cache keeps the HTTPS and the plain-HTTP answer apart, so the
    application's redirect to HTTPS (above) is never skipped by a cached page."""
    assert cached_site.get("/resources/", headers=FROM_PROXY).cache == "miss"
    assert cached_site.get("/resources/", headers=FROM_PROXY).cache == "hit"
    assert cached_site.get("/resources/").cache == "miss"
    assert cached_site.get("/resources/", headers={"X-Forwarded-Proto": "http"}).cache == "miss"


def test_a_client_cannot_claim_https_without_the_configured_proxy_header(site_tree, client):
    with override_settings(**{**HTTPS_ON, "SECURE_PROXY_SSL_HEADER": None}):
        response = client.get("/resources/", headers=FROM_PROXY)
        assert response.status_code == 301


def test_the_health_check_answers_over_plain_http(site_tree, client):
    with override_settings(**HTTPS_ON):
        response = client.get("/healthz")
        assert response.status_code in (200, 503)
        assert response["Content-Type"].startswith("application/json")


def test_cookies_are_http_only_and_same_site(demo, client):
    with override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True):
        login = client.get("/admin/login/")
        csrf = login.cookies["csrftoken"]
        assert csrf["httponly"] is True
        assert csrf["samesite"] == "Lax"
        assert csrf["secure"] is True
        # Wagtail's admin scripts read the token from the page, not the cookie.
        token = login.context["csrf_token"]
        assert f'name="csrfmiddlewaretoken" value="{token}"' in login.content.decode()
        from django.conf import settings

        signed_in = client.post(
            "/admin/login/",
            {"username": "admin", "password": settings.DEMO_PASSWORD},
        )
        assert signed_in.status_code == 302
        session = signed_in.cookies["sessionid"]
        assert session["httponly"] is True
        assert session["samesite"] == "Lax"
        assert session["secure"] is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HTTP_X_FORWARDED_PROTO,https", ("HTTP_X_FORWARDED_PROTO", "https")),
        (" http_x_forwarded_ssl , on ", ("HTTP_X_FORWARDED_SSL", "on")),
        ("HTTP_X_FORWARDED_PROTO", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("none", None),
        (None, None),
    ],
)
def test_the_proxy_header_setting_is_read_from_the_environment(value, expected):
    assert proxy_ssl_header(value) == expected
