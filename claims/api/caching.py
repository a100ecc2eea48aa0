"""Anonymous API reads served from the cache, keyed by the public version.

The API shows anonymous clients published material only, the same for all of them, so a
response can be kept and served again until the next edit. The key holds the public version
(`claims.pagecache.current_version`: one query, changed by the editing transaction itself), so
an answer from before an edit is never served once the edit has committed, whatever the cache
backend or the number of server processes.

Kept: 200 answers to GET from clients that are not signed in (no session, no token), rendered
as JSON. The key holds the scheme, host (links are absolute), path and the query string with
its parameters sorted. Throttling and parameter checks run before the cache is looked at, so a
cached answer is rate-limited like any other and a bad request never reaches it.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from claims.pagecache import cache_seconds, current_version

from .renderers import ORJSONRenderer

KEPT_HEADERS = ("ETag",)


def response_key(request, version: str) -> str:
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    where = "\n".join([request.scheme, request.get_host(), request.path, query])
    return f"api:{version}:{hashlib.sha256(where.encode('utf-8')).hexdigest()[:40]}"


class CachedReadMixin:
    """For DRF views: `list` and `retrieve` answered from the cache when the client is
    anonymous and asked for JSON."""

    def list(self, request, *args, **kwargs):
        return self.cached(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.cached(super().retrieve, request, *args, **kwargs)

    def cached(self, handler, request, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if (
            request.method != "GET"
            or request.user.is_authenticated
            or request.auth is not None
            or not isinstance(renderer, ORJSONRenderer)
            or cache_seconds() <= 0
        ):
            return handler(request, *args, **kwargs)
        version = current_version()
        if version is None:
            return handler(request, *args, **kwargs)
        key = response_key(request, version)
        entry = cache.get(key)
        if entry is not None:
            return self.replay(request, *entry)
        response = handler(request, *args, **kwargs)
        if response.status_code == 200 and hasattr(response, "data"):
            body = renderer.render(response.data, renderer.media_type, {})
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(key, (body, renderer.media_type, headers), cache_seconds())
        return response

    @staticmethod
    def replay(request, body: bytes, content_type: str, headers: dict[str, str]):
        etag = headers.get("ETag")
        if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type=content_type)
        for name, value in headers.items():
            response[name] = value
        return response
