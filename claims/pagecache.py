"""A cache of whole rendered public pages, invalidated by the public version.

Every edit of public material changes the `PublicVersion` row in its own transaction (triggers
of migration 0007), and the version is part of every cache key. So a page is never served from
before an edit once that edit has committed, whatever the cache backend and however many server
processes share it; old entries are simply never asked for again and expire.

What is cached: the full response of a `cached_page` view, for GET and HEAD from anonymous
visitors, when the view answered 200. Keys hold the scheme, host (the canonical link prints
them), path and only the query parameters the page reads, normalised, so that `?x=1` or a
reordered query does not make a new entry.

Nonces: every response must carry a fresh Content-Security-Policy nonce. The stored body has the
nonce of the request that rendered it replaced by a placeholder; serving it puts the current
request's nonce back, and reading `request.csp_nonce` makes django-csp name that nonce in the
header.

Browser caching: `Cache-Control: private, no-cache` with an ETag of the key. Private, because a
shared cache would hand one nonce to many readers; no-cache, because an edit must show on the
next visit. A revalidation that still matches gets 304 without a CSP header, so that the
browser keeps the policy that came with the body it already holds (the 304's headers would
otherwise replace it with a nonce that body does not carry).

`PUBLIC_PAGE_CACHE_SECONDS` (default 600) is how long an entry may live; 0 turns the cache off
(pages are then rendered every time, with the same headers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from claims.models import PublicVersion

DEFAULT_SECONDS = 600
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
CACHE_CONTROL = "private, no-cache"
# Headers a view sets that are worth keeping; middleware adds the rest on every response.
KEPT_HEADERS = ("Content-Type", "Content-Language")


def cache_seconds() -> int:
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def current_version() -> str | None:
    """The public version as text, in one query; None if the row is missing (then nothing is
    cached: a flush or a restore removed it, and the next edit puts it back)."""
    row = PublicVersion.objects.filter(pk=1).values_list("counter", "stamp").first()
    return None if row is None else f"{row[0]}.{row[1]}"


def normalised_query(request: HttpRequest, params: Iterable[str]) -> str:
    """The query parameters the page reads, sorted, each with all its values in order."""
    parts = []
    for name in sorted(params):
        values = request.GET.getlist(name)
        if values:
            parts.append(f"{name}={'|'.join(values)}")
    return "&".join(parts)


def page_key(request: HttpRequest, params: Iterable[str], version: str) -> str:
    """A short, backend-safe key: the version in clear, the rest hashed."""
    where = "\n".join(
        [request.scheme, request.get_host(), request.path, normalised_query(request, params)]
    )
    digest = hashlib.sha256(where.encode("utf-8")).hexdigest()[:40]
    return f"page:{version}:{digest}"


def etag_for(key: str) -> str:
    return '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'


def _is_cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _current_nonce(request: HttpRequest) -> bytes | None:
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce).encode("ascii") if nonce is not None else None


def _store(key: str, request: HttpRequest, response: HttpResponse) -> None:
    body = response.content
    nonce = _current_nonce(request)
    if nonce:
        body = body.replace(nonce, NONCE_PLACEHOLDER)
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    cache.set(key, (body, headers), cache_seconds())


def _replay(request: HttpRequest, entry: tuple[bytes, dict[str, str]]) -> HttpResponse:
    body, headers = entry
    nonce = _current_nonce(request)
    if nonce:
        body = body.replace(NONCE_PLACEHOLDER, nonce)
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    return response


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    # Keep the policy the browser stored with the body it is told to reuse.
    response._csp_exempt = True
    return response


def _matches(request: HttpRequest, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, f"W/{etag}") for tag in sent.split(","))


def cached_page(params: Iterable[str] = ()) -> Callable:
    """Cache a public view's 200 responses under the public version.

    `params` names the query parameters the view reads; any others do not change the page and
    are left out of the key.
    """
    params = tuple(params)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not _is_cacheable_request(request) or cache_seconds() <= 0:
                return _mark_uncached(view(request, *args, **kwargs))
            version = current_version()
            if version is None:
                return _mark_uncached(view(request, *args, **kwargs))
            key = page_key(request, params, version)
            etag = etag_for(key)
            if _matches(request, etag):
                return _not_modified(etag)
            entry = cache.get(key)
            if entry is not None:
                response = _replay(request, entry)
            else:
                response = view(request, *args, **kwargs)
                if _is_cacheable_response(response):
                    _store(key, request, response)
            if _is_cacheable_response(response):
                response["ETag"] = etag
                response["Cache-Control"] = CACHE_CONTROL
            return response

        return wrapper

    return decorator


def _is_cacheable_response(response: HttpResponse) -> bool:
    return response.status_code == 200 and not response.streaming and not response.cookies


def _mark_uncached(response: HttpResponse) -> HttpResponse:
    """Pages rendered for a signed-in editor, or with the cache off, are still not to be kept
    by the browser past the next edit."""
    if response.status_code == 200 and "Cache-Control" not in response:
        response["Cache-Control"] = CACHE_CONTROL
    return response
