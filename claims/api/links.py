"""Hyperlinks to API resources without a URL resolver call per link.

A page of 50 claims carries several hundred links; `reverse()` for each costs more than the
query that fetched the rows. The URL pattern of a resource only varies in its lookup value, so
each request resolves it once, with a placeholder, and every link is the placeholder replaced
by the object's slug or id. Slugs and ids are URL-safe; they are quoted all the same.
"""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse
from rest_framework import serializers

# Matches the slug and the id patterns of every detail route, and appears in no other part
# of a URL (hosts and paths hold no run of 18 nines).
_PLACEHOLDER = "9" * 18


def link_template(request, view_name: str, kwarg: str = "pk") -> tuple[str, str]:
    """(before, after) the lookup value in the absolute URL of `view_name`, once per request."""
    templates = request.__dict__.setdefault("_link_templates", {})
    key = (view_name, kwarg)
    if key not in templates:
        url = site_url(request, reverse(view_name, kwargs={kwarg: _PLACEHOLDER}))
        before, _, after = url.rpartition(_PLACEHOLDER)
        templates[key] = (before, after)
    return templates[key]


def site_url(request, path: str) -> str:
    """The absolute URL of a path of this site; the scheme and host are worked out (and the
    host validated) once per request."""
    base = request.__dict__.get("_site_base")
    if base is None:
        base = request.__dict__["_site_base"] = request.build_absolute_uri("/")[:-1]
    return base + path


def link(request, view_name: str, value, kwarg: str = "pk") -> str:
    before, after = link_template(request, view_name, kwarg)
    return f"{before}{quote(str(value), safe='')}{after}"


class _TemplateLinkMixin:
    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field)
        if value in (None, ""):
            return None
        if request is None or format:
            return super().get_url(obj, view_name, request, format)
        return link(request, view_name, value, self.lookup_url_kwarg)


class IdentityLink(_TemplateLinkMixin, serializers.HyperlinkedIdentityField):
    """The object's own URL."""


class RelatedLink(_TemplateLinkMixin, serializers.HyperlinkedRelatedField):
    """The URL of a related object (read-only use)."""
