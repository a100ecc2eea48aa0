"""Failed-login limits: count failures in the cache, refuse attempts past the limit.

One counter per key (an account and the address it is tried from, or an address alone for API
tokens) over a fixed window that starts at the first failure. Past LOGIN_FAILURE_LIMIT
failures, attempts are refused — even with the right password — until the window ends, so that
guessing is slow whatever the guesses are. A success clears the counter.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry NUM_PROXIES from the right of
    X-Forwarded-For when the site runs behind that many trusted proxies."""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class LoginLimiter:
    """Failed attempts per key within LOGIN_FAILURE_WINDOW seconds."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    @property
    def limit(self) -> int:
        return settings.LOGIN_FAILURE_LIMIT

    @property
    def window(self) -> int:
        return settings.LOGIN_FAILURE_WINDOW

    def key(self, *parts: str) -> str:
        # Hashed: usernames and addresses can hold characters a cache key cannot.
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
        return f"login-failures:{self.scope}:{digest}"

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it is not blocked."""
        failures = cache.get(key, 0)
        if failures < self.limit:
            return 0
        started = cache.get(f"{key}:started") or time.time()
        return max(1, int(started + self.window - time.time()))

    def failed(self, key: str) -> None:
        now = time.time()
        cache.add(f"{key}:started", now, self.window)
        cache.add(key, 0, self.window)
        try:
            cache.incr(key)
        except ValueError:
            # The counter expired between add() and incr(): start it again.
            cache.set(key, 1, self.window)

    def succeeded(self, key: str) -> None:
        cache.delete_many([key, f"{key}:started"])


def blocked_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        "Too many failed login attempts. For your account's safety, logging in is paused for "
        f"about {minutes} minute{'s' if minutes != 1 else ''}; try again then."
    )
