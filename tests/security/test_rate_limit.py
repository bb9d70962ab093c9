"""The token endpoint's rate limit: counted in a store all workers share, per real client address."""

import runpy

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory

from accounts.client import client_address
from accounts.throttle import SharedAddressRateThrottle
from api.api import LoginThrottle

LIMIT = LoginThrottle().num_requests


@pytest.fixture(autouse=True)
def _still_clock(monkeypatch):
    """The counters are per fixed window; the clock stands still so no test straddles two."""
    monkeypatch.setattr(SharedAddressRateThrottle, "timer", staticmethod(lambda: 1_800_000_000.0))


def token(client, username, password, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def request_from(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/api/v1/auth/token", **extra)


class Worker(LoginThrottle):
    """A throttle with its own cache connection, as in another web process."""

    def __init__(self):
        super().__init__()
        self._cache = caches.create_connection("shared")

    @property
    def cache(self):
        return self._cache


def test_two_workers_share_one_count(db):
    first, second = Worker(), Worker()
    assert first.cache is not second.cache
    request = request_from("192.0.2.10")
    for _attempt in range(LIMIT // 2):
        assert first.allow_request(request)
    for _attempt in range(LIMIT - LIMIT // 2):
        assert second.allow_request(request)
    # Both workers now refuse: the count is the sum of what each saw.
    assert not first.allow_request(request)
    assert not second.allow_request(request)
    assert second.wait() >= 1
    # Another client is counted on its own.
    assert first.allow_request(request_from("192.0.2.11"))


def test_counters_live_in_the_database_cache_table(db):
    assert settings.CACHES["shared"]["BACKEND"].endswith("DatabaseCache")
    LoginThrottle().allow_request(request_from("192.0.2.12"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT cache_key FROM {connection.ops.quote_name(settings.ALSMIS_SHARED_CACHE_TABLE)}"
        )
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle:api_login:192.0.2.12" in key for key in keys)


def test_the_default_cache_is_untouched(db):
    caches["default"].clear()
    LoginThrottle().allow_request(request_from("192.0.2.13"))
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert caches["default"].get("throttle_api_login_192.0.2.13") is None


def test_redis_is_the_shared_store_when_redis_url_is_set(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    configured = runpy.run_module("alsmis.settings.base")["CACHES"]
    assert configured["shared"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert configured["shared"]["LOCATION"] == "redis://cache.internal:6379/0"
    monkeypatch.delenv("REDIS_URL")
    configured = runpy.run_module("alsmis.settings.base")["CACHES"]
    assert configured["shared"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert configured["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_forged_forwarded_for_does_not_evade_the_limit_without_trusted_proxies(client, demo):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for number in range(LIMIT):
        response = token(
            client,
            "teacher.benguet",
            settings.DEMO_PASSWORD,
            HTTP_X_FORWARDED_FOR=f"10.9.0.{number}",
        )
        assert response.status_code == 200
    response = token(
        client, "teacher.benguet", settings.DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="10.9.1.1"
    )
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many requests."}
    assert int(response["Retry-After"]) > 0


def test_behind_one_proxy_the_right_most_entry_is_the_client(client, demo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for number in range(LIMIT):
        # The client forges the left part; the proxy appends the address it really saw.
        forwarded = f"10.9.0.{number}, 203.0.113.50"
        response = token(
            client,
            "teacher.benguet",
            settings.DEMO_PASSWORD,
            HTTP_X_FORWARDED_FOR=forwarded,
            **proxy,
        )
        assert response.status_code == 200
    limited = token(
        client,
        "teacher.benguet",
        settings.DEMO_PASSWORD,
        HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.50",
        **proxy,
    )
    assert limited.status_code == 429
    # Another client behind the same proxy is not limited.
    other = token(
        client,
        "teacher.benguet",
        settings.DEMO_PASSWORD,
        HTTP_X_FORWARDED_FOR="203.0.113.51",
        **proxy,
    )
    assert other.status_code == 200


def test_client_address_reads_only_trusted_entries(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("10.0.0.2", "198.51.100.1")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.2", "6.6.6.6, 198.51.100.1")) == "198.51.100.1"
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"
    # Garbage where an address should be: the proxy's own address, never the garbage.
    assert client_address(request_from("10.0.0.2", "6.6.6.6, not-an-ip")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "6.6.6.6, 198.51.100.1, 10.0.0.1"
    assert client_address(request_from("10.0.0.2", forwarded)) == "198.51.100.1"
    # Fewer entries than proxies: the left-most was still written by a trusted proxy.
    assert client_address(request_from("10.0.0.2", "198.51.100.1")) == "198.51.100.1"
    assert client_address(request_from("10.0.0.2", "[2001:db8::1], 10.0.0.1")) == "2001:db8::1"


def test_lockout_counts_the_same_client_address(client, demo, settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "accounts.client.client_address"
    settings.TRUSTED_PROXY_COUNT = 1
    token(
        client,
        "teacher.benguet",
        "wrong",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.77",
    )
    assert AccessAttempt.objects.get(username="teacher.benguet").ip_address == "203.0.113.77"
