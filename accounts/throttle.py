"""Request rate limits whose counters all web processes share (settings.CACHES["shared"])."""

import threading

from django.core.cache import caches
from ninja.throttling import SimpleRateThrottle

from .client import client_address


class SharedAddressRateThrottle(SimpleRateThrottle):
    """`rate` requests per client address (accounts.client) per window, counted in a shared store.

    A fixed window counted with add + incr (atomic on Redis; on the database cache a race can
    lose a count, never grant a whole window). django-ninja keeps one instance per operation
    and calls `wait()` right after `allow_request()`, so that state is kept per thread.
    """

    cache_alias = "shared"
    scope = "address"

    def __init__(self, rate=None):
        super().__init__(rate)
        self._local = threading.local()

    @property
    def cache(self):
        return caches[self.cache_alias]

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request):
        return f"throttle:{self.scope}:{self.get_ident(request)}"

    def allow_request(self, request):
        if self.num_requests is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{self.get_cache_key(request)}:{window}"
        cache = self.cache
        cache.add(key, 0, self.duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.duration + 1)
            count = 1
        self._local.retry_after = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self):
        return max(getattr(self._local, "retry_after", self.duration), 1)
