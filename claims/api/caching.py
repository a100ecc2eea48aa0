"""Anonymous API reads served from the cache, keyed by their answer's version.

The API shows anonymous clients published material only, the same for all of them, so a
response can be kept and served again until something it shows changes. The key holds the
answer's version (`claims.freshness.answer_version`: one query; the public version and the
stamps of the answer's tags, both changed by the editing transaction itself), so an answer from
before a change is never served once the change has committed, whatever the cache backend or
the number of server processes, and a publication leaves the answers about other things alone.
A detail addressed by slug is tagged with what it is about (`cache_kind`); every other answer
with the overview, which every publication makes stale. One request renders a stale answer
while the others get its previous version (`claims.pagecache.single_flight`).

Kept: 200 answers to GET from clients that are not signed in (no session, no token), rendered
as JSON. The key holds the scheme, host (links are absolute), path and the query string with
its parameters sorted. Throttling and parameter checks run before the cache is looked at, so a
cached answer is rate-limited like any other and a bad request never reaches it.
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from claims import freshness
from claims.pagecache import cache_seconds, single_flight

from .renderers import ORJSONRenderer

KEPT_HEADERS = ("ETag",)


def response_digest(request) -> str:
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    where = "\n".join([request.scheme, request.get_host(), request.path, query])
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:40]


def response_key(request, version: str) -> str:
    return f"api:{version}:{response_digest(request)}"


def cached_answer(request, handler, tags, *args, **kwargs):
    """`handler(request, *args, **kwargs)`, or its kept answer, for an anonymous JSON GET."""
    renderer = getattr(request, "accepted_renderer", None)
    if (
        request.method != "GET"
        or request.user.is_authenticated
        or request.auth is not None
        or not isinstance(renderer, ORJSONRenderer)
        or cache_seconds() <= 0
    ):
        return handler(request, *args, **kwargs)
    version = freshness.answer_version(tags)
    if version is None:
        return handler(request, *args, **kwargs)

    def build():
        response = handler(request, *args, **kwargs)
        if response.status_code != 200 or not hasattr(response, "data"):
            return response, None
        body = renderer.render(response.data, renderer.media_type, {})
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        return response, (body, renderer.media_type, headers)

    digest = response_digest(request)
    entry, _, response = single_flight(
        f"api:{version}:{digest}", f"api-latest:{digest}", build, kept=version.kept
    )
    if response is not None:
        return response
    return replay(request, *entry)


def replay(request, body: bytes, content_type: str, headers: dict[str, str]):
    etag = headers.get("ETag")
    if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    return response


class CachedReadMixin:
    """For DRF views: `list` and `retrieve` answered from the cache when the client is
    anonymous and asked for JSON. `cache_kind` ("source", "proposition"...) tags a detail
    addressed by slug with what it is about."""

    cache_kind: str | None = None

    def list(self, request, *args, **kwargs):
        return cached_answer(request, super().list, [freshness.OVERVIEW], *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        slug = kwargs.get(getattr(self, "lookup_url_kwarg", None) or self.lookup_field)
        if self.cache_kind is not None and self.lookup_field == "slug" and slug:
            tags = [freshness.tag(self.cache_kind, slug)]
        else:
            tags = [freshness.OVERVIEW]
        return cached_answer(request, super().retrieve, tags, *args, **kwargs)
