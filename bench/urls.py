"""The site's URLs plus the framework floor: `/bench/floor/`, a view that does nothing, served
through the same middleware, settings and server as every page, so that the cost of a page can
be told apart from the cost of any request at all. Installed by bench/settings.py only."""

from django.http import HttpResponse
from django.urls import path

from bench.common import FLOOR_URL
from geopolitics.urls import urlpatterns as site_urls


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(FLOOR_URL.strip("/") + "/", floor), *site_urls]
