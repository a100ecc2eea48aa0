"""URL configuration: public pages, the REST API and its documentation, the editors' admin."""

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from claims.admin.login import login as admin_login

admin.site.site_header = "Geopolitics claims"
admin.site.site_title = "Geopolitics claims admin"
admin.site.index_title = "Sources, claims and propositions"
# One mark for "nothing here" in every column, the computed ones included.
admin.site.empty_value_display = "—"
# The changelists are wide (quotes, stances): the app list stays on the index page instead.
admin.site.enable_nav_sidebar = False


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; resolved per request so that the
    hashed static name is looked up only once static files are collected."""
    return HttpResponsePermanentRedirect(static("claims/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    # Before the admin's own URLs: the same login, with failed attempts limited.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.urls")),
]
