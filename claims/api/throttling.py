"""Rate limits: anonymous clients by address (`anon`), signed-in users by account (`user`).

DRF's UserRateThrottle also counts anonymous requests, by address, under the `user` rate; with
AnonRateThrottle beside it every anonymous request was counted twice, at two cache round trips
each. Here each request is counted once, under the rate that applies to it.

Counted, not listed: DRF's throttles keep the time of every request of the window in one cache
entry, read and written whole on every request, so a client allowed thousands of requests a
minute makes every one of them carry thousands of timestamps to and from the cache. Here a
client's window is a counter the cache increments; the window opens with the client's first
request and lasts the rate's period, and a client refused is told (Retry-After) when it ends.

The address is `claims.ratelimit.client_address`, the same as the login limits use: with
NUM_PROXIES = 0 X-Forwarded-For is ignored, so that a client cannot pick a new address for
every request.
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from claims.cache import count_in
from claims.ratelimit import client_address


class CountingThrottle:
    """A SimpleRateThrottle that counts the requests of a window instead of listing them."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        # A key of its own: DRF's throttles keep a list under the plain one.
        self.key = f"{key}:count"
        self.now = self.timer()
        return self._count() <= self.num_requests

    def _count(self) -> int:
        count = getattr(self.cache, "count", None)
        if count is not None:
            found = count(self.key, self.duration)  # one round trip (claims.cache)
        else:
            found = count_in(self.cache, self.key, self.duration)
        if found == 1:
            # The client's first request of a window: when it ends, for Retry-After.
            self.cache.set(f"{self.key}:opened", self.now, self.duration)
        return found

    def wait(self) -> float:
        opened = self.cache.get(f"{self.key}:opened", self.now)
        return max(1.0, opened + self.duration - self.now)


class AddressRateThrottle(CountingThrottle, AnonRateThrottle):
    """The `anon` rate, per client address."""

    def get_ident(self, request) -> str:
        return client_address(request)


class SignedInRateThrottle(CountingThrottle, UserRateThrottle):
    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
