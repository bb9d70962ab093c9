import pytest
from django.conf import settings
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_login_throttle(monkeypatch):
    """The token endpoint's throttle counts in the cache; every test starts from zero.

    Its counters (accounts/throttle.py) live in the shared database cache, rolled back after
    each test, per fixed window: the clock stands still so that no test straddles two windows.
    """
    from accounts.throttle import SharedAddressRateThrottle

    monkeypatch.setattr(SharedAddressRateThrottle, "timer", staticmethod(lambda: 1_800_000_000.0))
    cache.clear()
    yield
    cache.clear()


class ApiClient:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, client, token=None):
        self.client = client
        self.token = token

    def _headers(self, extra):
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path, data=None, headers=None):
        return self.client.post(
            path, data or {}, content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, path, data=None, headers=None):
        return self.client.patch(
            path, data or {}, content_type="application/json", headers=self._headers(headers)
        )

    def upload(self, path, data, headers=None):
        return self.client.post(path, data, headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def api_as(demo, client):
    """`api_as("teacher.benguet")`: an ApiClient holding a token obtained with the demo password."""

    def login(username):
        response = client.post(
            "/api/v1/auth/token",
            {"username": username, "password": settings.DEMO_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return ApiClient(client, response.json()["token"])

    return login
