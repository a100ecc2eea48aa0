"""Rate limits: anonymous clients by address (`anon`), signed-in users by account (`user`).

DRF's UserRateThrottle also counts anonymous requests, by address, under the `user` rate; with
AnonRateThrottle beside it every anonymous request was counted twice, at two cache round trips
each. Here each request is counted once, under the rate that applies to it.
"""

from rest_framework.throttling import UserRateThrottle


class SignedInRateThrottle(UserRateThrottle):
    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
