"""URL configuration: public pages, the REST API and its documentation, the editors' admin."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Geopolitics claims"
admin.site.site_title = "Geopolitics claims admin"
admin.site.index_title = "Sources, claims and propositions"
# The changelists are wide (quotes, stances): the app list stays on the index page instead.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.urls")),
]
