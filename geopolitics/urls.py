"""URL configuration: the admin today; the public pages and the API mount here as they land."""

from django.contrib import admin
from django.urls import path

admin.site.site_header = "Geopolitics claims"
admin.site.site_title = "Geopolitics claims admin"
admin.site.index_title = "Sources, claims and propositions"
# The changelists are wide (quotes, stances): the app list stays on the index page instead.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
]
