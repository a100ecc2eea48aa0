"""Token authentication with a limit on wrong tokens per client address."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from claims.ratelimit import LoginLimiter, blocked_message, client_address

limiter = LoginLimiter("api-token")


class TooManyFailures(exceptions.Throttled):
    default_code = "too_many_login_failures"


class RateLimitedTokenAuthentication(TokenAuthentication):
    """A client sending wrong tokens is refused with 429 (and Retry-After) once it has sent
    LOGIN_FAILURE_LIMIT of them within LOGIN_FAILURE_WINDOW seconds."""

    def authenticate(self, request):
        if not request.headers.get("Authorization", "").lower().startswith("token"):
            return None
        key = limiter.key(client_address(request))
        wait = limiter.retry_after(key)
        if wait:
            raise TooManyFailures(wait=wait, detail=blocked_message(wait))
        try:
            result = super().authenticate(request)
        except exceptions.AuthenticationFailed:
            limiter.failed(key)
            raise
        return result
