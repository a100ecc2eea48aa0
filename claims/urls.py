"""Public pages. Slugs in the paths; comparisons and searches take query parameters."""

from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    # The home page is the index of topics and their propositions: a path cut back to its
    # folder lands there rather than on a 404.
    path("topics/", views.topic_index, name="topics"),
    path("propositions/", views.topic_index, name="propositions"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("propositions/<slug:slug>/", views.proposition_detail, name="proposition"),
    path("sources/", views.source_index, name="sources"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/text.txt", views.source_text, name="source-text"),
    path("claims/<int:pk>/cite/", views.cite, name="cite"),
    path("publishers/<slug:slug>/", views.publisher_detail, name="publisher"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("compare/", views.compare, name="compare"),
    path("search/", views.search, name="search"),
]
