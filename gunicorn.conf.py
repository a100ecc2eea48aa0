"""gunicorn settings for production and for `make load`; every value can be set from the
environment. Database connections: each thread keeps one (persistent connections), so
WEB_CONCURRENCY × GUNICORN_THREADS must stay below PostgreSQL's max_connections (README,
"Operations")."""

import os

from gunicorn import glogging

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes × threads = requests served at once. Threads suit this app: requests wait on
# PostgreSQL more than they compute.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request that takes longer than this is stuck: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that slow leaks never add up; jitter avoids all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The longest request line gunicorn reads (its maximum). Addresses up to MAX_URL_LENGTH
# (settings, 4096) reach the app; longer ones get the app's 414 (JSON under /api/) up to this
# limit, and gunicorn's own plain 414 page beyond it.
limit_request_line = 8190
# Connections waiting to be accepted while every thread is busy.
backlog = 256
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
wsgi_app = "geopolitics.wsgi:application"

# Load balancers probe /healthz and /readyz every few seconds: keep them out of the access log.
PROBE_PATHS = {"/healthz", "/healthz/", "/readyz", "/readyz/"}


class _ProbeQuietLogger(glogging.Logger):
    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") in PROBE_PATHS:
            return
        super().access(resp, req, environ, request_time)


logger_class = _ProbeQuietLogger


def post_worker_init(worker):
    """Build the worker's proposition index in the background (a few seconds of CPU at
    25,000 propositions), so that the first suggestion it serves does not pay for it."""
    from claims.suggesting.propositions import warm_in_background

    warm_in_background()
