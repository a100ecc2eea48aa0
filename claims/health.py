"""Health probes for load balancers and orchestrators.

- `/healthz`: the process is alive and answering. Touches nothing else, so a database outage
  never gets healthy processes restarted.
- `/readyz`: the process can serve: the primary database answers, Redis (cache and job queue)
  answers when configured. Replicas are reported with their lag but do not decide readiness
  (reads fall back to the primary). 200 when ready, 503 otherwise, with JSON naming the checks
  that failed.

Both are answered by `ProbeMiddleware`, first in the middleware list: before host validation
(probes come by address), HTTPS redirects (they come over plain HTTP), sessions, throttles and
request logging. Every check runs in a thread of its own with a fresh connection that is closed
afterwards, and the probe waits at most READYZ_TIMEOUT seconds for each: an unreachable database
turns the probe unready within that time, and the first probe after it is back is ready again,
without anything to reset.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse

from claims import routing

PROBE_PATHS = {
    "/healthz": "healthz",
    "/healthz/": "healthz",
    "/readyz": "readyz",
    "/readyz/": "readyz",
}

# A few threads, reused between probes; a check stuck on the network holds one only until its
# own timeout (connect_timeout, socket timeouts) lets go.
_executor = ThreadPoolExecutor(max_workers=6, thread_name_prefix="readyz")


def _in_thread(check: Callable[[], dict]) -> Callable[[], dict]:
    def run() -> dict:
        try:
            return check()
        finally:
            # Connections opened by a probe thread are not kept: the next probe reconnects.
            connections.close_all()

    return run


def check_database() -> dict:
    """SELECT 1 on the primary."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_replicas() -> dict:
    """Every replica's lag, measured now. Informative: readiness does not depend on it."""
    results = [routing.replica_health(alias, fresh=True) for alias in routing.replica_aliases()]
    return {
        "ok": True,
        "healthy": sum(1 for r in results if r.healthy),
        "replicas": [r.as_dict() for r in results],
    }


def _redis(url: str):
    import redis

    timeout = settings.READYZ_TIMEOUT
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def check_redis() -> dict:
    """PING the cache's Redis."""
    client = _redis(settings.REDIS_URL)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def check_queue() -> dict:
    """The job queue's Redis answers; how many jobs wait and how many workers listen."""
    from claims.jobs import queue_status

    return {"ok": True, **queue_status()}


def checks() -> dict[str, Callable[[], dict]]:
    """The checks that apply to this configuration, by name."""
    found: dict[str, Callable[[], dict]] = {"database": check_database}
    if routing.replica_aliases():
        found["replicas"] = check_replicas
    if settings.REDIS_URL:
        found["redis"] = check_redis
    if settings.JOBS_REDIS_URL:
        found["queue"] = check_queue
    return found


def readiness() -> tuple[bool, dict]:
    """Run every check at once, each bounded by READYZ_TIMEOUT; (ready, report)."""
    timeout = settings.READYZ_TIMEOUT
    started = time.monotonic()
    futures = {name: _executor.submit(_in_thread(check)) for name, check in checks().items()}
    report: dict[str, dict] = {}
    for name, future in futures.items():
        remaining = max(0.0, timeout - (time.monotonic() - started))
        try:
            report[name] = future.result(timeout=remaining)
        except FutureTimeout:
            report[name] = {"ok": False, "error": f"no answer within {timeout}s"}
        except Exception as error:
            report[name] = {"ok": False, "error": f"{type(error).__name__}: {error}".strip()}
    failed = [name for name, result in report.items() if not result["ok"]]
    return not failed, {
        "status": "ready" if not failed else "unready",
        "failed": failed,
        "checks": report,
    }


def _answer(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    # An unready answer is the probe working, not an error: keep it out of django.request's
    # log (the JSON body says what failed, to whoever asks).
    response._has_been_logged = True
    return response


class ProbeMiddleware:
    """Answer /healthz and /readyz before any other middleware runs."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBE_PATHS.get(request.path_info)
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if probe == "healthz":
            return _answer({"status": "alive"}, 200)
        ready, report = readiness()
        return _answer(report, 200 if ready else 503)
