"""A cache of whole rendered public pages, invalidated per answer.

Every key holds the answer's version (`claims.freshness.answer_version`): the public version,
which triggers move for every edit of public material but a publication, and the stamps of the
page's tags, which a publication bumps for the answers it changes, both in the editing
transaction itself. So a page is never served from before a change to it once that change has
committed, whatever the cache backend and however many server processes share it; a publication
leaves pages about other subjects (and their ETags) alone; old entries are simply never asked
for again and expire.

One render per stale page: when a page's entry is missing, the first request takes a short lock
(`cache.add`) and renders it; the others meanwhile get the page's previous version (the last
one rendered, kept beside it) when only publications came since, or else wait up to
WAIT_SECONDS for the render and then render it themselves. After a withdrawal (a source
unpublished) or an edit of public material the previous version is never served: it may quote
words that are no longer public.

Publications in quick succession: a page rendered less than `PUBLIC_PAGE_SETTLE_SECONDS`
(default 5) ago is served as it is when only publications came since, so a page is rebuilt at
most once in that time however often reviewers publish, and a publication shows on every page
at most that many seconds late. 0 shows every publication at once.

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
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from claims import freshness
from claims.models import PublicVersion

DEFAULT_SECONDS = 600
DEFAULT_SETTLE_SECONDS = 5.0
# A render holds its page's lock at most this long (a crashed worker's lock expires).
LOCK_SECONDS = 30
# With no previous version to serve, how long other readers wait for the render, polling.
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
CACHE_CONTROL = "private, no-cache"
# Headers a view sets that are worth keeping; middleware adds the rest on every response.
KEPT_HEADERS = ("Content-Type", "Content-Language")


def cache_seconds() -> int:
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def settle_seconds() -> float:
    """How long after an answer was built a publication may leave it as it is (at most that
    many seconds late); 0: every publication shows at once."""
    return float(getattr(settings, "PUBLIC_PAGE_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS))


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


def page_digest(request: HttpRequest, params: Iterable[str]) -> str:
    """What the page is, whatever its version: scheme, host, path and the parameters it reads."""
    where = "\n".join(
        [request.scheme, request.get_host(), request.path, normalised_query(request, params)]
    )
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:40]


def page_key(request: HttpRequest, params: Iterable[str], version: str) -> str:
    """A short, backend-safe key: the version in clear, the rest hashed."""
    return f"page:{version}:{page_digest(request, params)}"


class Pointer(NamedTuple):
    """Where the last built entry of an answer is: its key, the `kept` part of its version
    (claims.freshness.Version) and when it was built (epoch seconds)."""

    key: str
    kept: str | None
    built: float


def _pointer(value) -> Pointer | None:
    if isinstance(value, tuple) and len(value) == 3:
        return Pointer(*value)
    return None


def single_flight(
    key: str,
    latest: str,
    build: Callable[[], tuple[Any, Any]],
    *,
    kept: str | None = None,
    seconds: int | None = None,
) -> tuple[Any, str | None, Any]:
    """The cached entry under `key`, built by one caller at a time.

    `build()` returns (result, entry): what the caller answers with, and what to keep (None:
    nothing, e.g. an error page). `latest` names where the `Pointer` to the last built entry is
    kept, whatever the version (entries of older versions stay in the cache until they expire,
    so the previous one is usually still there). Returns (entry, its key, result): `result` is
    None unless this caller built it; `key` is None when nothing could be kept. Entries live
    `seconds` (default: `cache_seconds()`).

    `kept` is the part of the version that only an edit or a withdrawal moves. While it is
    the previous entry's, what changed since are publications only: the previous entry is
    served while one caller rebuilds, and without any rebuild while it is younger than
    `settle_seconds()`. Once `kept` moved, the previous entry is never served: the others
    wait for the render (up to WAIT_SECONDS), then render themselves.
    """
    found = cache.get_many([key, latest])
    if key in found:
        return found[key], key, None
    pointer = _pointer(found.get(latest))
    same_kind = pointer is not None and kept is not None and pointer.kept == kept
    if same_kind and time.time() - pointer.built < settle_seconds():
        previous = cache.get(pointer.key)
        if previous is not None:
            return previous, pointer.key, None
    lock = f"rebuild:{key}"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            result, entry = build()
            if entry is None:
                cache.delete(latest)
                return None, None, result
            cache.set_many(
                {key: entry, latest: tuple(Pointer(key, kept, time.time()))},
                seconds or cache_seconds(),
            )
            return entry, key, result
        finally:
            cache.delete(lock)
    previous = cache.get(pointer.key) if same_kind else None
    if previous is not None:
        return previous, pointer.key, None
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = cache.get(key)
        if entry is not None:
            return entry, key, None
    result, entry = build()
    return entry, (key if entry is not None else None), result


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


def _entry(request: HttpRequest, response: HttpResponse) -> tuple[bytes, dict[str, str]]:
    body = response.content
    nonce = _current_nonce(request)
    if nonce:
        body = body.replace(nonce, NONCE_PLACEHOLDER)
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    return body, headers


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


def overview_tags(request: HttpRequest, *args, **kwargs) -> list[str]:
    return [freshness.OVERVIEW]


def about(kind: str) -> Callable[..., list[str]]:
    """Tags of a page about one thing named by the `slug` in its path."""

    def tags(request: HttpRequest, *args, slug: str, **kwargs) -> list[str]:
        return [freshness.tag(kind, slug)]

    return tags


def cached_page(
    params: Iterable[str] = (), tags: Callable[..., Iterable[str]] = overview_tags
) -> Callable:
    """Cache a public view's 200 responses under their answer's version.

    `params` names the query parameters the view reads; any others do not change the page and
    are left out of the key. `tags(request, *args, **kwargs)` names the answers the page shows
    (`claims.freshness`); by default the overview, which every publication makes stale.
    """
    params = tuple(params)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not _is_cacheable_request(request) or cache_seconds() <= 0:
                return _mark_uncached(view(request, *args, **kwargs))
            version = freshness.answer_version(tags(request, *args, **kwargs))
            if version is None:
                return _mark_uncached(view(request, *args, **kwargs))
            digest = page_digest(request, params)
            key = f"page:{version}:{digest}"
            etag = etag_for(key)
            if _matches(request, etag):
                return _not_modified(etag)

            def build():
                response = view(request, *args, **kwargs)
                if not _is_cacheable_response(response):
                    return response, None
                return response, _entry(request, response)

            entry, served, response = single_flight(
                key, f"page-latest:{digest}", build, kept=version.kept
            )
            if response is None:
                response = _replay(request, entry)
            if served is not None and _is_cacheable_response(response):
                response["ETag"] = etag_for(served)
                response["Cache-Control"] = CACHE_CONTROL
            return _mark_uncached(response)

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
