"""/api/: version 1 of the API, its OpenAPI schema and the documentation served from the app."""

from csp.constants import SELF
from csp.decorators import csp_replace
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from .errors import not_found

# Both documentation apps are served from the app's own static files (no CDN). Redoc injects its
# styles at run time, so its page alone may use inline styles; scripts stay restricted everywhere.
redoc = csp_replace({"style-src": [SELF, "'unsafe-inline'"], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("v1/", include(("claims.api.v1", "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", redoc, name="api-redoc"),
    re_path(r"", not_found),
]
