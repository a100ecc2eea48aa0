"""Request guards that apply to every URL: the API, the public pages and the admin alike.

- A database that cannot be reached (restarting, failing over, out of connections) answers
  503 Service Unavailable with Retry-After and a plain explanation, at once, instead of a 500
  page or a request left hanging. The next request after the database is back reconnects by
  itself: persistent connections are health-checked before reuse (CONN_HEALTH_CHECKS), and the
  pool (DB_POOL=1) replaces broken connections.
- A transaction the database stopped because of a concurrent one (a deadlock, a serialization
  failure, a lock not granted in time) is not an outage: the API answers 409 "write_conflict",
  pages 409, both saying that nothing was saved and the same request may be sent again.
  SQLite's write lock held past its busy timeout answers 503 "database_busy". Neither is
  reported as the database being unreachable.
- A NUL character in the path or the query string is refused with 400 before any view runs:
  PostgreSQL cannot store or compare it, so it could only ever fail deeper down.
- An address (path and query) longer than MAX_URL_LENGTH is refused with 414, in the API's
  error shape under /api/. gunicorn refuses request lines over 8190 bytes by itself, with a
  plain page, before the app sees them (gunicorn.conf.py, README "Operations").
- Pages and API answers are gzip-compressed for anonymous readers only (PublicGZipMiddleware):
  compressing a response that carries a secret (a CSRF token in a form, a signed-in user's
  data) next to text an attacker can put in the page lets the compressed size leak the secret
  (BREACH). Anonymous answers carry none: public pages use GET forms, and their CSP nonce
  changes on every response, so there is nothing stable to guess. Static files are compressed
  ahead of time by WhiteNoise.
- Every answer carries a Permissions-Policy that turns off the browser features the site never
  uses (camera, microphone, location, payment, …), so that no injected content could use them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.template import loader

from claims.concurrency import conflict_kind, is_database_busy

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


def _database_answer(
    request, status: int, code: str, message: str, title: str, retry_after: int
) -> HttpResponse:
    response = _error(request, status, code, message)
    if response is None:
        # The template uses no context processor and no database: it must render right now.
        html = loader.render_to_string(
            "503.html",
            {"status": status, "title": title, "message": message, "retry_after": retry_after},
        )
        response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request) -> HttpResponse:
    """The 503 answer: JSON under /api/, a small self-contained HTML page elsewhere."""
    message = (
        "The service is briefly unavailable: its database cannot be reached. "
        f"Nothing was changed; please retry in {RETRY_AFTER_SECONDS} seconds."
    )
    return _database_answer(
        request, 503, "database_unavailable", message, "Back in a moment", RETRY_AFTER_SECONDS
    )


def write_conflict(request, kind: str) -> HttpResponse:
    """409: the database stopped this write because of a concurrent one (`kind`)."""
    message = (
        f"Another change was being saved at the same moment and the database stopped this one "
        f"({kind}). Nothing was saved; send the same request again."
    )
    return _database_answer(request, 409, "write_conflict", message, "Saved at the same time", 1)


def database_busy(request) -> HttpResponse:
    """503: SQLite's single writer lock was held by others for longer than the busy timeout."""
    message = (
        "The database is busy with other changes and could not take this one in time. "
        f"Nothing was saved; please retry in {RETRY_AFTER_SECONDS} seconds."
    )
    return _database_answer(
        request, 503, "database_busy", message, "Busy for a moment", RETRY_AFTER_SECONDS
    )


class DatabaseUnavailableMiddleware:
    """Turn OperationalError / InterfaceError raised while handling a request into a 409 or a
    503 that says what happened."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError):
            kind = conflict_kind(exception)
            if kind is not None:
                logger.warning(
                    "Write conflict (%s) while serving %s %s", kind, request.method, request.path
                )
                return write_conflict(request, kind)
            if is_database_busy(exception):
                logger.warning(
                    "Database busy while serving %s %s: %s", request.method, request.path, exception
                )
                return database_busy(request)
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


DEFAULT_MAX_URL_LENGTH = 4096


class RefuseLongAddressMiddleware:
    """414 for an address longer than MAX_URL_LENGTH characters."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "MAX_URL_LENGTH", DEFAULT_MAX_URL_LENGTH)
        length = len(request.path) + len(request.META.get("QUERY_STRING", ""))
        if length > limit:
            message = f"The address is longer than {limit} characters; shorten the query."
            return _error(request, 414, "uri_too_long", message) or HttpResponse(
                message, status=414, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy to every response (pages, API, admin, static files)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """Django's gzip compression, for answers that carry no secret (see the module docstring):
    not for a signed-in user, a request with credentials, or a page that used a CSRF token."""

    def process_response(self, request, response):
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or "Authorization" in request.headers
            # The CSRF middleware (inside this one) sets the cookie when a page used the token.
            or settings.CSRF_COOKIE_NAME in response.cookies
        ):
            return response
        return super().process_response(request, response)


class SummariesAfterWritesMiddleware:
    """After a write request, bring the proposition summaries its edits marked up to date
    (`claims.summaries.refresh`: one probe when nothing is marked), so that no read ever has
    to. Runs once the view's transaction has committed; publications do the same from their
    own commit hook, for writes that do not come through a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            from claims import summaries

            try:
                summaries.refresh()
            except (InterfaceError, OperationalError):
                logger.warning("Proposition summaries not refreshed after a write", exc_info=True)
        return response
