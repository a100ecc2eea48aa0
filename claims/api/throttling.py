"""Rate limits: anonymous clients by address (`anon`), signed-in users by account (`user`).

DRF's UserRateThrottle also counts anonymous requests, by address, under the `user` rate; with
AnonRateThrottle beside it every anonymous request was counted twice, at two cache round trips
each. Here each request is counted once, under the rate that applies to it.

The address is `claims.ratelimit.client_address`, the same as the login limits use: with
NUM_PROXIES = 0 X-Forwarded-For is ignored, so that a client cannot pick a new address for
every request.
"""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from claims.ratelimit import client_address


class AddressRateThrottle(AnonRateThrottle):
    """The `anon` rate, per client address."""

    def get_ident(self, request) -> str:
        return client_address(request)


class SignedInRateThrottle(UserRateThrottle):
    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
