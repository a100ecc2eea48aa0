"""Reads from PostgreSQL replicas, writes and editors' reads on the primary.

Configured by DATABASE_REPLICA_URLS (settings): each replica is a database alias `replica_N`.

Who reads where:
- Nothing is sent to a replica unless `ReplicaRoutingMiddleware` allowed it for the current
  request: management commands, workers and migrations always use the primary.
- The middleware allows it for GET/HEAD requests outside /admin/ from anonymous clients: no
  session user, no Authorization header (API tokens belong to editors), and no recent write.
- Read-your-writes: any other request method that succeeds sets a short cookie
  (`primary_until`, DATABASE_REPLICA_STICKY_SECONDS); while it lasts the client reads from the
  primary, by when a healthy replica (lag under DATABASE_REPLICA_MAX_LAG) has caught up.

Health: `replica_health(alias)` measures a replica's lag, cached per process for
DATABASE_REPLICA_CHECK_SECONDS. Lag is zero when the replica has replayed everything the
primary has written (its replay LSN has reached the primary's current LSN); otherwise it is the
age of the last transaction it replayed. A replica behind by more than the limit, not in
recovery, or unreachable is skipped, and reads fall back to the primary without an error. A
replica that fails in the middle of a request marks itself down and the request is answered
again from the primary.
"""

from __future__ import annotations

import contextvars
import logging
import random
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("claims.routing")

STICKY_COOKIE = "primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The replica alias the current request reads from, or None (primary). Context-local, so that
# threads and async tasks of one process never share a decision.
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "claims_read_alias", default=None
)


@dataclass(frozen=True)
class ReplicaHealth:
    """What the last check of one replica found."""

    alias: str
    healthy: bool
    lag_seconds: float | None
    error: str = ""
    checked_at: float = 0.0

    def as_dict(self) -> dict:
        return {
            "alias": self.alias,
            "healthy": self.healthy,
            "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 3),
            **({"error": self.error} if self.error else {}),
        }


_health: dict[str, ReplicaHealth] = {}
_health_lock = threading.Lock()


def replica_aliases() -> list[str]:
    """The configured replica aliases, in order."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def _primary_lsn() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def measure_replica(alias: str) -> ReplicaHealth:
    """Ask the replica (and the primary) how far behind it is; never raises."""
    now = time.monotonic()
    try:
        primary_lsn = _primary_lsn()
        with connections[alias].cursor() as cursor:
            cursor.execute(
                """
                SELECT pg_is_in_recovery(),
                       pg_last_wal_replay_lsn() >= %s::pg_lsn,
                       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
                """,
                [primary_lsn],
            )
            in_recovery, caught_up, age = cursor.fetchone()
    except (OperationalError, InterfaceError) as error:
        _close_quietly(alias)
        return ReplicaHealth(alias, False, None, f"unreachable: {error}".strip(), now)
    if not in_recovery:
        return ReplicaHealth(alias, False, None, "not a replica (not in recovery)", now)
    lag = 0.0 if caught_up else float(age) if age is not None else float("inf")
    limit = settings.DATABASE_REPLICA_MAX_LAG
    if lag > limit:
        return ReplicaHealth(alias, False, lag, f"lag {lag:.1f}s is over {limit}s", now)
    return ReplicaHealth(alias, True, lag, "", now)


def replica_health(alias: str, *, fresh: bool = False) -> ReplicaHealth:
    """The replica's health, measured at most once per DATABASE_REPLICA_CHECK_SECONDS."""
    cached = _health.get(alias)
    if (
        not fresh
        and cached is not None
        and time.monotonic() - cached.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS
    ):
        return cached
    # Measure outside the lock (it may wait on the network); the last answer wins.
    result = measure_replica(alias)
    with _health_lock:
        _health[alias] = result
    if not result.healthy and (cached is None or cached.healthy):
        logger.warning("Replica %s left out: %s", alias, result.error)
    elif result.healthy and cached is not None and not cached.healthy:
        logger.info("Replica %s back in use (lag %.3fs)", alias, result.lag_seconds)
    return result


def mark_down(alias: str, reason: str) -> None:
    """Leave a replica out until the next check (it failed while serving a request)."""
    with _health_lock:
        _health[alias] = ReplicaHealth(alias, False, None, reason, time.monotonic())
    logger.warning("Replica %s left out: %s", alias, reason)


def forget_health() -> None:
    """Drop every cached measurement (tests; or after reconfiguring)."""
    with _health_lock:
        _health.clear()


def choose_replica() -> str | None:
    """A healthy replica, picked at random among the healthy ones; None if there is none."""
    healthy = [alias for alias in replica_aliases() if replica_health(alias).healthy]
    return random.choice(healthy) if healthy else None


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except Exception:
        logger.debug("Closing the broken connection to %s failed", alias, exc_info=True)


class PrimaryReplicaRouter:
    """Database router: reads go where the current request was allowed to read; writes, and
    reads outside such a request, go to the primary."""

    def db_for_read(self, model, **hints) -> str:
        return _read_alias.get() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Every alias holds the same data (the replicas copy the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # Replicas are read-only copies: only the primary is migrated.
        return db == DEFAULT_DB_ALIAS


def may_read_from_replica(request: HttpRequest) -> bool:
    """An anonymous read that has not just written: the only kind a replica may serve."""
    if request.method not in SAFE_METHODS or request.path.startswith("/admin/"):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if _pinned_to_primary(request):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _pinned_to_primary(request: HttpRequest) -> bool:
    raw = request.COOKIES.get(STICKY_COOKIE, "")
    try:
        return float(raw) > time.time()
    except ValueError:
        return False


class ReplicaRoutingMiddleware:
    """Chooses, per request, whether reads go to a replica, and pins writers to the primary."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        alias = choose_replica() if may_read_from_replica(request) else None
        token = _read_alias.set(alias)
        try:
            response = self.get_response(request)
            failed = getattr(request, "_replica_failed", None)
            if failed:
                # The replica broke while serving this read: answer it again from the primary.
                _read_alias.set(None)
                response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 500:
            sticky = settings.DATABASE_REPLICA_STICKY_SECONDS
            if sticky:
                response.set_cookie(
                    STICKY_COOKIE,
                    f"{time.time() + sticky:.3f}",
                    max_age=sticky,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """Listed after DatabaseUnavailableMiddleware, so this runs first: a replica's failure
        is retried on the primary instead of becoming a 503."""
        alias = _read_alias.get()
        if alias and isinstance(exception, (OperationalError, InterfaceError)):
            mark_down(alias, f"failed during a request: {exception}".strip())
            _close_quietly(alias)
            request._replica_failed = alias
            return HttpResponse(status=503)
        return None
