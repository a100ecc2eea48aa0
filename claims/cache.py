"""Redis as a cache that may fail.

The site uses its cache for three things: whole public pages and anonymous API answers
(claims.pagecache, claims.api.caching), API throttles, and failed-login counters. None of them
is worth a failed request. `ResilientRedisCache` is Django's Redis backend with one change:
when Redis refuses a connection or does not answer within its (short) socket timeout, the
operation is done on a cache private to this process instead, with a warning in the log, and
Redis is left alone for `retry_after` seconds before it is tried again. So while Redis is down
or hung:

- pages and API reads keep working; they are cached per process (entries are keyed by the
  public version, so no process can serve a page from before an edit);
- throttles and login limits count per process: each process allows the full rate, so the
  site as a whole allows up to (processes × rate) until Redis answers again;
- a hung Redis costs one socket timeout per process and per `retry_after` seconds, not one a
  request.

Options (CACHES["default"]["OPTIONS"]): `socket_timeout` and `socket_connect_timeout` as in
redis-py, and `retry_after` (seconds, default 5).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("claims.cache")

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """Until when one Redis server is left alone, shared by every thread of the process
    (Django makes one cache object per thread)."""

    def __init__(self) -> None:
        self.until = 0.0
        self.lock = threading.Lock()


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(server: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(server, _Outage())


class _KeptClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool instead of
    building one (with its table of response callbacks) for every cache operation: a cached
    page costs two operations, and building the client was a fifth of its time. A redis-py
    client is safe to share between threads; its connections come from the pool."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._kept.get(id(pool))
        if client is None:
            client = self._kept[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache that falls back to a per-process cache while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("retry_after", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _KeptClient
        self._outage = _outage_of(server)
        # LocMemCache shares its storage between every object of the same name: one fallback
        # cache (and so one count per throttle) for all threads of the process.
        self._local = LocMemCache(
            f"redis-fallback:{server}",
            {
                "TIMEOUT": params.get("TIMEOUT", DEFAULT_TIMEOUT),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 1000},
            },
        )

    @property
    def redis_down(self) -> bool:
        """True while Redis is being left alone after a failure."""
        return time.monotonic() < self._outage.until

    def _failed(self, operation: str, error: BaseException) -> None:
        with self._outage.lock:
            already = self.redis_down
            self._outage.until = time.monotonic() + self.retry_after
        if not already:
            logger.warning(
                "Redis cache unavailable (%s during %s): caching, throttling and login limits "
                "count in this process only; Redis is tried again in %.0f s",
                type(error).__name__,
                operation,
                self.retry_after,
            )

    def _call(self, operation: str, *args, **kwargs):
        if not self.redis_down:
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except UNAVAILABLE as error:
                self._failed(operation, error)
        return getattr(self._local, operation)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self._local.clear()
        return self._call("clear")

    def count(self, key, timeout: int, version=None) -> int:
        """Add one to the counter at `key` and return it; a new counter lives `timeout`
        seconds. One round trip (INCR, and EXPIRE NX, pipelined), so that a counted request
        costs no more than a cached page's own read."""
        if not self.redis_down:
            try:
                made = self.make_and_validate_key(key, version=version)
                client = self._cache.get_client(made, write=True)
                pipe = client.pipeline(transaction=False)
                pipe.incr(made)
                pipe.expire(made, timeout, nx=True)
                return pipe.execute()[0]
            except UNAVAILABLE as error:
                self._failed("count", error)
        return count_in(self._local, key, timeout, version)


def count_in(cache, key, timeout: int, version=None) -> int:
    """`ResilientRedisCache.count` for any cache: add one to the counter at `key`, made with
    a life of `timeout` seconds if new."""
    try:
        value = cache.incr(key, version=version)
    except ValueError:
        if cache.add(key, 1, timeout, version=version):
            return 1
        return cache.incr(key, version=version)  # another request made it meanwhile
    if value == 1:
        # The counter ended between the cache's check and its increment, which then made one
        # of its own, with no end: give it one.
        cache.touch(key, timeout, version=version)
    return value
