"""Request guards that apply to every URL: the API, the public pages and the admin alike.

- A database that cannot be reached (restarting, failing over, out of connections) answers
  503 Service Unavailable with Retry-After and a plain explanation, at once, instead of a 500
  page or a request left hanging. The next request after the database is back reconnects by
  itself: persistent connections are health-checked before reuse (CONN_HEALTH_CHECKS), and the
  pool (DB_POOL=1) replaces broken connections.
- A NUL character in the path or the query string is refused with 400 before any view runs:
  PostgreSQL cannot store or compare it, so it could only ever fail deeper down.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template import loader

logger = logging.getLogger("claims.availability")

RETRY_AFTER_SECONDS = 5


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _error(request, status: int, code: str, message: str) -> HttpResponse | None:
    """The API's error shape for /api/ requests; None elsewhere (the caller answers)."""
    if _wants_json(request):
        return JsonResponse(
            {"error": {"status": status, "code": code, "message": message}}, status=status
        )
    return None


def database_unavailable(request) -> HttpResponse:
    """The 503 answer: JSON under /api/, a small self-contained HTML page elsewhere."""
    message = (
        "The service is briefly unavailable: its database cannot be reached. "
        f"Nothing was changed; please retry in {RETRY_AFTER_SECONDS} seconds."
    )
    response = _error(request, 503, "database_unavailable", message)
    if response is None:
        # The template uses no context processor and no database: it must render right now.
        html = loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn OperationalError / InterfaceError raised while handling a request into a 503."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.warning(
                "Database unavailable while serving %s %s: %s",
                request.method,
                request.path,
                exception,
            )
            return database_unavailable(request)
        return None


class RefuseNulMiddleware:
    """400 for a NUL character anywhere in the path or the query string."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in query.getlist(key)) for key in query
        ):
            message = "The address contains a NUL character, which is never valid here."
            return _error(request, 400, "invalid", message) or HttpResponseBadRequest(
                message, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
