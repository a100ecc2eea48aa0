"""Who the client is, and failed-login limits counted in the cache.

`client_address` is the one answer to "which address is this request from", used by the API
throttles (claims.api.throttling), the admin's login limit and the API token limit alike.

Failed logins: one counter per key (an account and the address it is tried from) over a fixed
window that starts at the first attempt. Each attempt takes a place in the count *before* the
password is checked, with the cache's atomic `add` and `incr`, so that however many attempts
arrive at once, at most LOGIN_FAILURE_LIMIT of them are checked in a window; the others are
refused — even with the right password — until the window ends. A success clears the counter.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address.

    With NUM_PROXIES = 0 (the default) the site is reached directly: REMOTE_ADDR, and
    X-Forwarded-For is ignored (any client can write it). With N trusted proxies in front, each
    appending the address it was reached from, the client is the Nth entry from the right; the
    entries further left were written by the client itself and are never trusted.
    """
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class LoginLimiter:
    """Attempts per key within LOGIN_FAILURE_WINDOW seconds."""

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

    def _count(self, key: str) -> int:
        """Add one to `key`'s count atomically and return the new count."""
        cache.add(f"{key}:started", time.time(), self.window)
        cache.add(key, 0, self.window)
        try:
            return cache.incr(key)
        except ValueError:
            # The counter expired between add() and incr(): this attempt starts a new window.
            cache.add(key, 1, self.window)
            return 1

    def attempt(self, key: str) -> int:
        """Take a place for one attempt: 0 when it may be checked, else the seconds to wait.

        Call before checking the credentials; call `succeeded` when they were right.
        """
        if self._count(key) <= self.limit:
            return 0
        return self.retry_after(key)

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it is not blocked."""
        attempts = cache.get(key, 0)
        if attempts < self.limit:
            return 0
        started = cache.get(f"{key}:started") or time.time()
        return max(1, int(started + self.window - time.time()))

    def failed(self, key: str) -> int:
        """Count a failure without an attempt before it (a wrong API token, known only after
        it was looked up); returns the count."""
        return self._count(key)

    def succeeded(self, key: str) -> None:
        cache.delete_many([key, f"{key}:started"])


def blocked_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        "Too many failed login attempts. For your account's safety, logging in is paused for "
        f"about {minutes} minute{'s' if minutes != 1 else ''}; try again then."
    )
