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
