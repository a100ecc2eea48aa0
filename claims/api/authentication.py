"""Token authentication with a limit on unknown tokens per client address."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from claims.ratelimit import LoginLimiter, blocked_message, client_address

limiter = LoginLimiter("api-token")


class TooManyFailures(exceptions.Throttled):
    default_code = "too_many_login_failures"


class RateLimitedTokenAuthentication(TokenAuthentication):
    """Unknown tokens are counted per client address; past LOGIN_FAILURE_LIMIT of them within
    LOGIN_FAILURE_WINDOW seconds, an unknown token is answered 429 (with Retry-After) instead
    of 401.

    A valid token always gets through: behind one address (a newsroom's NAT) a client that
    keeps sending a wrong token must not lock out everyone else's right one. Tokens are 160
    random bits, so the limit is about noise and load, not about guessing."""

    def authenticate(self, request):
        if not request.headers.get("Authorization", "").lower().startswith("token"):
            return None
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            key = limiter.key(client_address(request))
            if limiter.failed(key) > limiter.limit:
                wait = limiter.retry_after(key)
                raise TooManyFailures(wait=wait, detail=blocked_message(wait)) from None
            raise
